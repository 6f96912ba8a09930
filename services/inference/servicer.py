"""InferenceService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.inference.v1 import inference_service_pb2_grpc as pb_grpc
from llamastack.openai.v1 import openai_service_pb2_grpc as openai_grpc
from services.common.providers import ProviderHost
from services.common.providers import provider_id_of as provider_of
from services.inference import convert
from services.inference.openai.service import OpenAIService
from services.inference.openai.servicer import OpenAIServicer
from services.inference.service import InferenceService

__all__ = ["InferenceServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    """The inference service's own servicers (the skeleton adds the ProviderService): the
    native API and the OpenAI-compatible one, over the same providers and logic."""
    service = InferenceService(host)
    return [
        (pb_grpc.add_InferenceServiceServicer_to_server, InferenceServicer(service)),
        (
            openai_grpc.add_OpenAIServiceServicer_to_server,
            OpenAIServicer(OpenAIService(host, service)),
        ),
    ]


class InferenceServicer(pb_grpc.InferenceServiceServicer):
    def __init__(self, service: InferenceService) -> None:
        self._service = service

    async def ChatCompletion(self, request, context):
        req = convert.chat_request(request)
        result = await self._service.chat_completion(provider_of(context), req)
        return convert.chat_response(result)

    async def StreamChatCompletion(self, request, context):
        req = convert.chat_request(request)
        async for event in self._service.stream_chat_completion(provider_of(context), req):
            yield convert.chat_event(event)

    async def Completion(self, request, context):
        req = convert.completion_request(request)
        result = await self._service.completion(provider_of(context), req)
        return convert.completion_response(result)

    async def StreamCompletion(self, request, context):
        req = convert.completion_request(request)
        async for item in self._service.stream_completion(provider_of(context), req):
            yield convert.completion_chunk(item)

    async def Embeddings(self, request, context):
        req = convert.embeddings_request(request)
        result = await self._service.embeddings(provider_of(context), req)
        return convert.embeddings_response(result)

    async def BatchChatCompletion(self, request, context):
        reqs = [convert.chat_request(request, m.messages) for m in request.messages_batch]
        results = await self._service.batch_chat_completion(provider_of(context), reqs)
        return pb.BatchChatCompletionResponse(batch=[convert.chat_response(r) for r in results])

    async def BatchCompletion(self, request, context):
        reqs = [convert.completion_request(request, c.content) for c in request.content_batch]
        results = await self._service.batch_completion(provider_of(context), reqs)
        return pb.BatchCompletionResponse(batch=[convert.completion_response(r) for r in results])
