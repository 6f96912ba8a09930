"""`python -m bench.paced_service`: a benchmark-only inference service (not in any distribution).

Provider type `bench::paced` serves any model id it is asked to register:
- ChatCompletion answers at once with a one-word message (the cheapest routed RPC);
- StreamChatCompletion streams `sampling_params.max_tokens` chunks, each numbered, one every
  `sampling_params.top_k.top_k` microseconds (0: as fast as possible), then a COMPLETE event;
  a request (unary or streamed) that forces a tool (`tool_config.tool_name`) gets that call at
  once instead (the agents benchmark's model).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2, inference_service_pb2_grpc
from services.common.providers import Provider, ProviderHost
from services.common.resources import ResourceTable
from services.common.service import ServiceDef, main

EVENT = inference_pb2.ChatCompletionResponseEvent
PROGRESS = inference_pb2.CHAT_COMPLETION_EVENT_TYPE_PROGRESS
COMPLETE = inference_pb2.CHAT_COMPLETION_EVENT_TYPE_COMPLETE


class PacedProvider(Provider):
    """Serves any model id it is asked to register."""

    api = "inference"
    provider_type = "bench::paced"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.table = ResourceTable("model", self.label, self.ready)


class PacedInference(inference_service_pb2_grpc.InferenceServiceServicer):
    def __init__(self, host: ProviderHost) -> None:
        self._host = host
        self._calls = 0
        self._reply = inference_service_pb2.ChatCompletionResponse(
            completion_message=message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT, content=[{"text": "ok"}]
            )
        )

    def _forced_call(self, request) -> message_pb2.ToolCall:
        self._calls += 1
        return message_pb2.ToolCall(
            call_id=f"call-{self._calls}",
            tool_name=request.tool_config.tool_name,
            arguments_json="{}",
        )

    async def ChatCompletion(self, request, context):
        self._host.for_call(context)
        if request.tool_config.tool_name:
            return inference_service_pb2.ChatCompletionResponse(
                completion_message=message_pb2.Message(
                    role=message_pb2.ROLE_ASSISTANT,
                    tool_calls=[self._forced_call(request)],
                    stop_reason=message_pb2.STOP_REASON_END_OF_MESSAGE,
                )
            )
        return self._reply

    async def StreamChatCompletion(self, request, context):
        self._host.for_call(context)
        Chunk = inference_service_pb2.StreamChatCompletionResponse
        if request.tool_config.tool_name:
            call = self._forced_call(request)
            parsed = inference_pb2.ToolCallDelta(
                parsed=call, parse_status=inference_pb2.TOOL_CALL_PARSE_STATUS_SUCCEEDED
            )
            yield Chunk(event=EVENT(event_type=PROGRESS, delta={"tool_call": parsed}))
            yield Chunk(
                event=EVENT(event_type=COMPLETE, stop_reason=message_pb2.STOP_REASON_END_OF_MESSAGE)
            )
            return
        n = request.sampling_params.max_tokens
        pace = request.sampling_params.top_k.top_k / 1e6
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


def servicers(host: ProviderHost) -> list[tuple[Any, Any]]:
    return [
        (inference_service_pb2_grpc.add_InferenceServiceServicer_to_server, PacedInference(host))
    ]


SERVICE = ServiceDef(
    api="inference", providers={"bench::paced": PacedProvider}, servicers=servicers
)

if __name__ == "__main__":
    main(SERVICE)
