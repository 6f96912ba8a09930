"""`python -m services.datasetio`: the dataset IO API service."""

from services.common.service import ServiceDef, main
from services.datasetio.providers import PROVIDERS
from services.datasetio.servicer import servicers

SERVICE = ServiceDef(api="datasetio", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
