"""`python -m services.tool_runtime`: the tool runtime API service."""

from services.common.service import ServiceDef, main
from services.tool_runtime.providers import PROVIDERS
from services.tool_runtime.servicer import servicers

SERVICE = ServiceDef(api="tool_runtime", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
