"""SafetyService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.safety.v1 import safety_service_pb2_grpc as pb_grpc
from services.common.providers import ProviderHost, provider_id_of, resource_id_of
from services.safety import convert
from services.safety.service import SafetyService

__all__ = ["SafetyServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    """The safety service's own servicers (the skeleton adds the ProviderService)."""
    return [(pb_grpc.add_SafetyServiceServicer_to_server, SafetyServicer(SafetyService(host)))]


class SafetyServicer(pb_grpc.SafetyServiceServicer):
    def __init__(self, service: SafetyService) -> None:
        self._service = service

    async def RunShield(self, request, context):
        shield_id = resource_id_of(context) or request.shield_id
        req = convert.run_request(request, shield_id, context.time_remaining())
        violation = await self._service.run_shield(provider_id_of(context), req)
        return convert.run_response(violation)
