"""`python -m services.agents`: the agents API service."""

from services.agents.providers import PROVIDERS
from services.agents.servicer import servicers
from services.common.service import ServiceDef, main

SERVICE = ServiceDef(api="agents", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
