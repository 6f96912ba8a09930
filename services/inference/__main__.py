"""`python -m services.inference`: the inference API service."""

from services.common.service import ServiceDef, main
from services.inference.providers import PROVIDERS
from services.inference.servicer import servicers

SERVICE = ServiceDef(api="inference", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
