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

from llamastack.common.v1 import message_pb2, resource_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2, inference_service_pb2_grpc
from llamastack.provider.v1 import provider_service_pb2_grpc
from llamastack.registry.v1 import resources_pb2
from llamastack.safety.v1 import safety_service_pb2, safety_service_pb2_grpc
from services.common.config import load_run_config
from services.common.errors import InvalidArgument, NotFound, UpstreamUnavailable
from services.common.providers import (
    Provider,
    ProviderHost,
    ProviderServicer,
    Registered,
    build_providers,
)
from services.common.server import Component, run
from services.common.settings import Settings

RK = resource_pb2.ResourceKind
KIND_OF_API = {
    "inference": RK.RESOURCE_KIND_MODEL,
    "safety": RK.RESOURCE_KIND_SHIELD,
    "tool_runtime": RK.RESOURCE_KIND_TOOL_GROUP,
    "datasetio": RK.RESOURCE_KIND_DATASET,
    "vector_io": RK.RESOURCE_KIND_VECTOR_DB,
    "scoring": RK.RESOURCE_KIND_SCORING_FUNCTION,
    "eval": RK.RESOURCE_KIND_BENCHMARK,
}


class EchoProvider(Provider):
    provider_type = "test::echo"

    def __init__(self, provider_id: str, config: dict[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.known: dict[str, Any] = {}

    async def register_resource(self, resource):
        msg = getattr(resource, resource.WhichOneof("resource"))
        if msg.provider_resource_id in self.raw_config.get("reject", []):
            raise InvalidArgument(f"echo provider {self.provider_id} refuses {msg.identifier}")
        self.known[msg.provider_resource_id] = msg
        tools = [
            resources_pb2.Tool(identifier=name, provider_resource_id=name, description="echo")
            for name in self.raw_config.get("tools", [])
        ]
        return Registered(resource, tools)

    async def unregister_resource(self, resource):
        msg = getattr(resource, resource.WhichOneof("resource"))
        self.known.pop(msg.provider_resource_id, None)

    async def list_models(self):
        return [
            resources_pb2.Model(provider_id=self.provider_id, provider_resource_id=name)
            for name in self.raw_config.get("models", [])
        ]

    def check(self, resource_id: str) -> None:
        if resource_id not in self.known:
            raise NotFound(f"{resource_id} is not registered with {self.provider_id}")


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
    `temperature` seconds of a top_p strategy (0 when unset)."""

    def __init__(self, host: ProviderHost) -> None:
        self.host = host

    async def ChatCompletion(self, request, context):
        provider = self.host.for_call(context)
        provider.check(request.model_id)
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


SERVICERS = {
    "safety": (safety_service_pb2_grpc.add_SafetyServiceServicer_to_server, EchoSafety),
    "inference": (
        inference_service_pb2_grpc.add_InferenceServiceServicer_to_server,
        EchoInference,
    ),
}


def build(settings: Settings) -> Component:
    config = load_run_config(settings.run_config)
    name = settings.service_name
    api = config.api_of(name)
    if settings.grpc_port is None:
        settings.grpc_port = config.port_of(name)
    kind = KIND_OF_API[api]
    providers = build_providers(config.providers_of(name), {"test::echo": EchoProvider})
    for p in providers:
        p.api, p.resource_kinds = api, (kind,)  # per instance: one class serves every API
    host = ProviderHost(api, providers)
    component = Component(name=name, start=host.start, stop=host.stop)
    servicers: list[Any] = [
        (
            provider_service_pb2_grpc.add_ProviderServiceServicer_to_server,
            ProviderServicer(host, lambda: component.service_names),
        )
    ]
    if api in SERVICERS:
        add, cls = SERVICERS[api]
        servicers.append((add, cls(host)))
    component.servicers = servicers
    delay = float(config.providers_of(name)[0].config.get("start_delay", 0)) if providers else 0
    if delay:

        async def slow_start() -> None:
            await asyncio.sleep(delay)
            await host.start()

        component.start = slow_start
    return component


if __name__ == "__main__":
    run(build)
