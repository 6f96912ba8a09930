"""`python -m services.vector_io`: the vector IO API service."""

from services.common.service import ServiceDef, main
from services.vector_io.providers import PROVIDERS
from services.vector_io.servicer import servicers

SERVICE = ServiceDef(api="vector_io", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
