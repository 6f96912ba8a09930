"""`python -m services.telemetry`: the telemetry API service (and an OTLP collector)."""

from services.common.service import ServiceDef, main
from services.telemetry.providers import PROVIDERS
from services.telemetry.servicer import servicers

SERVICE = ServiceDef(api="telemetry", providers=PROVIDERS, servicers=servicers)

if __name__ == "__main__":
    main(SERVICE)
