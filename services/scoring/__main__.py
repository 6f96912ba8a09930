"""`python -m services.scoring`: the scoring API service."""

from services.common.service import ServiceDef, main
from services.scoring.providers import PROVIDERS
from services.scoring.servicer import servicers

SERVICE = ServiceDef(api="scoring", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
