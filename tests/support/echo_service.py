"""`python -m tests.support.echo_service`: a real API service process for gateway tests.

It hosts `test::echo` providers for whichever API its run.yaml service entry names, accepts
(or, when configured to, refuses) registrations, and answers a few data-plane RPCs by echoing
what it received, so tests can see exactly what the gateway forwarded: the provider id from
metadata, the rewritten resource id, the deadline and the caller's metadata.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
from google.protobuf import struct_pb2

from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2, inference_service_pb2_grpc
from llamastack.registry.v1 import resources_pb2
from llamastack.safety.v1 import safety_service_pb2, safety_service_pb2_grpc
from llamastack.vector_io.v1 import vector_io_pb2, vector_io_service_pb2, vector_io_service_pb2_grpc
from services.common.errors import InvalidArgument, UpstreamUnavailable
from services.common.kinds import KIND_BY_API
from services.common.providers import Provider, ProviderHost
from services.common.resources import Accepted, ResourceTable
from services.common.security.usage import report_tokens
from services.common.service import ServiceDef, main


class EchoProvider(Provider):
    """Owns the resource kind of whichever API its service stands in for (`serve_api`)."""

    provider_type = "test::echo"

    def serve_api(self, api: str) -> None:
        self.api = api  # per instance: one class serves every API
        self.table = ResourceTable(KIND_BY_API[api].name, self.label, self.ready, self._accept)

    async def _accept(self, msg):
        if msg.provider_resource_id in self.raw_config.get("reject", []):
            raise InvalidArgument(f"echo provider {self.provider_id} refuses {msg.identifier}")
        tools = [
            resources_pb2.Tool(identifier=name, provider_resource_id=name, description="echo")
            for name in self.raw_config.get("tools", [])
        ]
        return Accepted(msg, msg, tools)

    async def list_models(self):
        return [
            resources_pb2.Model(provider_id=self.provider_id, provider_resource_id=name)
            for name in self.raw_config.get("models", [])
        ]

    def check(self, resource_id: str) -> None:
        self.table.get(resource_id)


def _echo(context: grpc.aio.ServicerContext, provider: EchoProvider, rid: str) -> str:
    md = {k: v for k, v in context.invocation_metadata() or () if isinstance(v, str)}
    return json.dumps(
        {
            "provider_id": provider.provider_id,
            "resource_id": rid,
            "metadata": md,
            "deadline": context.time_remaining(),
        }
    )


class EchoSafety(safety_service_pb2_grpc.SafetyServiceServicer):
    def __init__(self, host: ProviderHost) -> None:
        self.host = host

    async def RunShield(self, request, context):
        provider = self.host.for_call(context)
        provider.check(request.shield_id)
        text = request.messages[0].content[0].text if request.messages else ""
        if text == "fail-invalid":
            raise InvalidArgument("the echo shield was asked to fail", field="messages")
        if text == "fail-upstream":
            raise UpstreamUnavailable("the echo backend is down", provider=provider.provider_id)
        meta = struct_pb2.Struct()
        meta.update({"echo": _echo(context, provider, request.shield_id)})
        return safety_service_pb2.RunShieldResponse(
            violation=safety_service_pb2.SafetyViolation(user_message=text, metadata=meta)
        )


class EchoInference(inference_service_pb2_grpc.InferenceServiceServicer):
    """ChatCompletion echoes; StreamChatCompletion streams `max_tokens` chunks, one every
    `temperature` seconds of a top_p strategy (0 when unset). Both report `max_tokens` (10
    when unset) as the tokens used, as the inference service does with its real counts."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host

    async def ChatCompletion(self, request, context):
        provider = self.host.for_call(context)
        provider.check(request.model_id)
        report_tokens(context, request.sampling_params.max_tokens or 10)
        return inference_service_pb2.ChatCompletionResponse(
            completion_message=message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT,
                content=[{"text": _echo(context, provider, request.model_id)}],
            )
        )

    async def StreamChatCompletion(self, request, context):
        provider = self.host.for_call(context)
        provider.check(request.model_id)
        n = request.sampling_params.max_tokens or 3
        pace = request.sampling_params.top_p.temperature
        for i in range(n):
            if pace:
                await asyncio.sleep(pace)
            yield inference_service_pb2.StreamChatCompletionResponse(
                event=inference_pb2.ChatCompletionResponseEvent(
                    event_type=inference_pb2.CHAT_COMPLETION_EVENT_TYPE_PROGRESS,
                    delta=inference_pb2.ContentDelta(text=f"{provider.provider_id}:{i}"),
                )
            )
        report_tokens(context, n)


class EchoVectorIo(vector_io_service_pb2_grpc.VectorIoServiceServicer):
    """QueryChunks answers one chunk echoing what the service received."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host

    async def QueryChunks(self, request, context):
        provider = self.host.for_call(context)
        provider.check(request.vector_db_id)
        text = _echo(context, provider, request.vector_db_id)
        chunk = vector_io_pb2.Chunk(content=[{"text": text}])
        return vector_io_service_pb2.QueryChunksResponse(chunks=[chunk], scores=[1.0])


SERVICERS = {
    "safety": (safety_service_pb2_grpc.add_SafetyServiceServicer_to_server, EchoSafety),
    "inference": (
        inference_service_pb2_grpc.add_InferenceServiceServicer_to_server,
        EchoInference,
    ),
    "vector_io": (vector_io_service_pb2_grpc.add_VectorIoServiceServicer_to_server, EchoVectorIo),
}


def servicers(host: ProviderHost) -> list[tuple[Any, Any]]:
    for provider in host.providers.values():
        provider.serve_api(host.api)
    if host.api not in SERVICERS:
        return []
    add, cls = SERVICERS[host.api]
    return [(add, cls(host))]


async def slow_start(host: ProviderHost) -> None:
    """`start_delay` seconds in a provider's config delay readiness (slow-loading providers)."""
    await asyncio.sleep(
        max(float(p.raw_config.get("start_delay", 0)) for p in host.providers.values())
    )


SERVICE = ServiceDef(
    api=None, providers={"test::echo": EchoProvider}, servicers=servicers, on_start=slow_start
)

if __name__ == "__main__":
    main(SERVICE)
