"""The safety service over gRPC: SafetyService (RunShield) and OpenAI's moderations
(`llamastack.openai.v1.OpenAIModerationService`, answered by the same shields). Each
converts the request, calls the logic, converts the answer."""

from __future__ import annotations

from typing import Any

from llamastack.openai.v1 import moderation_service_pb2_grpc as moderation_grpc
from llamastack.safety.v1 import safety_service_pb2_grpc as pb_grpc
from services.common.httpbody import json_body
from services.common.providers import ProviderHost, provider_id_of, resource_id_of
from services.safety import convert
from services.safety.moderation import ModerationService
from services.safety.service import SafetyService

__all__ = ["OpenAIModerationServicer", "SafetyServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    """The safety service's own servicers (the skeleton adds the ProviderService)."""
    safety = SafetyService(host)
    return [
        (pb_grpc.add_SafetyServiceServicer_to_server, SafetyServicer(safety)),
        (
            moderation_grpc.add_OpenAIModerationServiceServicer_to_server,
            OpenAIModerationServicer(ModerationService(safety)),
        ),
    ]


class SafetyServicer(pb_grpc.SafetyServiceServicer):
    def __init__(self, service: SafetyService) -> None:
        self._service = service

    async def RunShield(self, request, context):
        shield_id = resource_id_of(context) or request.shield_id
        req = convert.run_request(request, shield_id, context.time_remaining())
        violation = await self._service.run_shield(provider_id_of(context), req)
        return convert.run_response(violation)


class OpenAIModerationServicer(moderation_grpc.OpenAIModerationServiceServicer):
    """`model` is the shield: the gateway sends the identifier the caller used as metadata
    (the request holds the provider's own id); a direct call names the identifier."""

    def __init__(self, service: ModerationService) -> None:
        self._service = service

    async def _moderate(self, request, context) -> dict[str, Any]:
        shield_id = resource_id_of(context) or request.model
        req = convert.moderation_request(request, shield_id, context.time_remaining())
        return await self._service.moderate(provider_id_of(context), req)

    async def CreateModeration(self, request, context):
        return convert.moderation_response(await self._moderate(request, context))

    async def ModerationsHttp(self, request, context):
        return json_body(await self._moderate(request, context))
