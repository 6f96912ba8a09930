"""`python -m bench.paced_service`: a benchmark-only inference service (not in any distribution).

Provider type `bench::paced` serves any model id it is asked to register:
- ChatCompletion answers at once with a one-word message (the cheapest routed RPC);
- StreamChatCompletion streams `sampling_params.max_tokens` chunks, each numbered, one every
  `sampling_params.top_k.top_k` microseconds (0: as fast as possible), then a COMPLETE event.
"""

from __future__ import annotations

import asyncio

from llamastack.common.v1 import message_pb2, resource_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2, inference_service_pb2_grpc
from llamastack.provider.v1 import provider_service_pb2_grpc
from services.common.config import load_run_config
from services.common.providers import Provider, ProviderHost, ProviderServicer, build_providers
from services.common.server import Component, run
from services.common.settings import Settings

EVENT = inference_pb2.ChatCompletionResponseEvent
PROGRESS = inference_pb2.CHAT_COMPLETION_EVENT_TYPE_PROGRESS
COMPLETE = inference_pb2.CHAT_COMPLETION_EVENT_TYPE_COMPLETE


class PacedProvider(Provider):
    api = "inference"
    provider_type = "bench::paced"
    resource_kinds = (resource_pb2.RESOURCE_KIND_MODEL,)


class PacedInference(inference_service_pb2_grpc.InferenceServiceServicer):
    def __init__(self, host: ProviderHost) -> None:
        self._host = host
        self._reply = inference_service_pb2.ChatCompletionResponse(
            completion_message=message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT, content=[{"text": "ok"}]
            )
        )

    async def ChatCompletion(self, request, context):
        self._host.for_call(context)
        return self._reply

    async def StreamChatCompletion(self, request, context):
        self._host.for_call(context)
        n = request.sampling_params.max_tokens
        pace = request.sampling_params.top_k.top_k / 1e6
        Chunk = inference_service_pb2.StreamChatCompletionResponse
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(n):
            if pace:
                # Absolute schedule: the pace does not drift with the time spent sending.
                await asyncio.sleep(max(0.0, start + (i + 1) * pace - loop.time()))
            yield Chunk(event=EVENT(event_type=PROGRESS, delta={"text": str(i)}))
        yield Chunk(
            event=EVENT(event_type=COMPLETE, stop_reason=message_pb2.STOP_REASON_END_OF_TURN)
        )


def build(settings: Settings) -> Component:
    config = load_run_config(settings.run_config)
    name = settings.service_name or "inference"
    if settings.grpc_port is None:
        settings.grpc_port = config.port_of(name)
    host = ProviderHost("inference", build_providers(config.providers_of(name),
                                                     {"bench::paced": PacedProvider}))  # fmt: skip
    component = Component(name=name, start=host.start, stop=host.stop)
    component.servicers = [
        (inference_service_pb2_grpc.add_InferenceServiceServicer_to_server, PacedInference(host)),
        (
            provider_service_pb2_grpc.add_ProviderServiceServicer_to_server,
            ProviderServicer(host, lambda: component.service_names),
        ),
    ]
    return component


if __name__ == "__main__":
    run(build)
