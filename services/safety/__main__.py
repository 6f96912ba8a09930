"""`python -m services.safety`: the safety API service."""

from services.common.service import ServiceDef, main
from services.safety.providers import PROVIDERS
from services.safety.servicer import servicers

SERVICE = ServiceDef(api="safety", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
