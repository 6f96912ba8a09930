"""`python -m services.eval`: the eval API service."""

from services.common.service import ServiceDef, main
from services.eval.providers import PROVIDERS
from services.eval.servicer import servicers

SERVICE = ServiceDef(api="eval", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
