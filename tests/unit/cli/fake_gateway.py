"""An in-process stand-in for the gateway: just enough of ModelService, InspectService and
InferenceService to test the CLI's requests and output."""

from __future__ import annotations

from concurrent import futures

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2, inference_service_pb2_grpc
from llamastack.inspect.v1 import inspect_service_pb2, inspect_service_pb2_grpc
from llamastack.provider.v1 import provider_pb2
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc, resources_pb2


def _not_found(context: grpc.ServicerContext, message: str) -> None:
    info = error_details_pb2.ErrorInfo(
        reason="ERROR_REASON_RESOURCE_NOT_FOUND", domain="llamastack.io"
    )
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(code=code_pb2.NOT_FOUND, message=message, details=[detail])
    context.abort_with_status(rpc_status.to_status(status))


class Models(model_service_pb2_grpc.ModelServiceServicer):
    def __init__(self) -> None:
        self.models: dict[str, resources_pb2.Model] = {}
        self.requests: list = []

    def RegisterModel(self, request, context):
        self.requests.append(request)
        model = resources_pb2.Model(
            identifier=request.model_id,
            provider_id=request.provider_id or "fake",
            provider_resource_id=request.provider_model_id or request.model_id,
            model_type=request.model_type or resources_pb2.MODEL_TYPE_LLM,
            metadata=request.metadata,
        )
        self.models[model.identifier] = model
        return model_service_pb2.RegisterModelResponse(model=model)

    def GetModel(self, request, context):
        if request.model_id not in self.models:
            _not_found(context, f"model {request.model_id!r} is not registered")
        return model_service_pb2.GetModelResponse(model=self.models[request.model_id])

    def ListModels(self, request, context):
        # one model per page, to exercise paging
        ids = sorted(self.models)
        start = int(request.page_token or 0)
        page = ids[start : start + 1]
        token = str(start + 1) if start + 1 < len(ids) else ""
        return model_service_pb2.ListModelsResponse(
            data=[self.models[i] for i in page], next_page_token=token
        )

    def UnregisterModel(self, request, context):
        if self.models.pop(request.model_id, None) is None:
            _not_found(context, f"model {request.model_id!r} is not registered")
        return model_service_pb2.UnregisterModelResponse()


class Inspect(inspect_service_pb2_grpc.InspectServiceServicer):
    healthy = True

    def GetHealth(self, request, context):
        if self.healthy:
            return inspect_service_pb2.GetHealthResponse(status=provider_pb2.HEALTH_STATUS_OK)
        return inspect_service_pb2.GetHealthResponse(
            status=provider_pb2.HEALTH_STATUS_ERROR, unhealthy_services=["inference"]
        )

    def GetVersion(self, request, context):
        return inspect_service_pb2.GetVersionResponse(version="9.9.9")

    def ListProviders(self, request, context):
        return inspect_service_pb2.ListProvidersResponse(
            data=[
                provider_pb2.ProviderInfo(
                    api="inference",
                    provider_id="llama-cpp",
                    provider_type="inline::llama-cpp",
                    health=provider_pb2.ProviderHealth(status=provider_pb2.HEALTH_STATUS_OK),
                )
            ]
        )


_USAGE = [
    sampling_pb2.Metric(metric="prompt_tokens", value=7, unit="tokens"),
    sampling_pb2.Metric(metric="completion_tokens", value=3, unit="tokens"),
    sampling_pb2.Metric(metric="total_tokens", value=10, unit="tokens"),
]


class Inference(inference_service_pb2_grpc.InferenceServiceServicer):
    def __init__(self) -> None:
        self.requests: list = []

    def _answer(self, request) -> message_pb2.Message:
        msg = message_pb2.Message(role=message_pb2.ROLE_ASSISTANT)
        if request.tools:
            call = msg.tool_calls.add(call_id="c1", tool_name=request.tools[0].tool_name)
            call.arguments.update({"city": "Paris"})
            call.arguments_json = '{"city": "Paris"}'
        else:
            msg.content.add(text=f"echo from {request.model_id}")
        return msg

    def ChatCompletion(self, request, context):
        self.requests.append(request)
        return inference_service_pb2.ChatCompletionResponse(
            completion_message=self._answer(request), metrics=_USAGE
        )

    def StreamChatCompletion(self, request, context):
        self.requests.append(request)
        E = inference_pb2.ChatCompletionEventType
        resp = inference_service_pb2.StreamChatCompletionResponse
        yield resp(
            event=inference_pb2.ChatCompletionResponseEvent(
                event_type=E.CHAT_COMPLETION_EVENT_TYPE_START
            )
        )
        for token in ("Hel", "lo", "!"):
            yield resp(
                event=inference_pb2.ChatCompletionResponseEvent(
                    event_type=E.CHAT_COMPLETION_EVENT_TYPE_PROGRESS,
                    delta=inference_pb2.ContentDelta(text=token),
                )
            )
        answer = self._answer(request)
        for call in answer.tool_calls:
            yield resp(
                event=inference_pb2.ChatCompletionResponseEvent(
                    event_type=E.CHAT_COMPLETION_EVENT_TYPE_PROGRESS,
                    delta=inference_pb2.ContentDelta(
                        tool_call=inference_pb2.ToolCallDelta(
                            parsed=call,
                            parse_status=inference_pb2.TOOL_CALL_PARSE_STATUS_SUCCEEDED,
                        )
                    ),
                )
            )
        yield resp(
            event=inference_pb2.ChatCompletionResponseEvent(
                event_type=E.CHAT_COMPLETION_EVENT_TYPE_COMPLETE,
                stop_reason=message_pb2.STOP_REASON_END_OF_TURN,
            ),
            metrics=_USAGE,
        )


class FakeGateway:
    def __init__(self) -> None:
        self.models = Models()
        self.inspect = Inspect()
        self.inference = Inference()
        self.server = grpc.server(futures.ThreadPoolExecutor(4), options=[("grpc.so_reuseport", 0)])
        model_service_pb2_grpc.add_ModelServiceServicer_to_server(self.models, self.server)
        inspect_service_pb2_grpc.add_InspectServiceServicer_to_server(self.inspect, self.server)
        inference_service_pb2_grpc.add_InferenceServiceServicer_to_server(
            self.inference, self.server
        )
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> FakeGateway:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop(0)
