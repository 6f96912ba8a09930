"""InferenceService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.inference.v1 import inference_service_pb2_grpc as pb_grpc
from services.common.providers import ProviderHost
from services.common.providers import provider_id_of as provider_of
from services.common.security.usage import report_tokens
from services.inference import convert
from services.inference.openai.service import OpenAIService
from services.inference.openai.servicer import OpenAIServicer
from services.inference.openai.servicer import add_to_server as add_openai_servicer
from services.inference.service import InferenceService
from services.inference.types import TextDelta

__all__ = ["InferenceServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    """The inference service's own servicers (the skeleton adds the ProviderService): the
    native API and the OpenAI-compatible one, over the same providers and logic."""
    service = InferenceService(host)
    return [
        (pb_grpc.add_InferenceServiceServicer_to_server, InferenceServicer(service)),
        (add_openai_servicer, OpenAIServicer(OpenAIService(host, service))),
    ]


class InferenceServicer(pb_grpc.InferenceServiceServicer):
    def __init__(self, service: InferenceService) -> None:
        self._service = service

    async def ChatCompletion(self, request, context):
        req = convert.chat_request(request)
        result = await self._service.chat_completion(provider_of(context), req)
        report_tokens(context, result.usage.total_tokens)
        return convert.chat_response(result)

    async def StreamChatCompletion(self, request, context):
        req = convert.chat_request(request)
        async for event in self._service.stream_chat_completion(provider_of(context), req):
            if event.usage is not None:
                report_tokens(context, event.usage.total_tokens)
            yield convert.chat_event(event)

    async def Completion(self, request, context):
        req = convert.completion_request(request)
        result = await self._service.completion(provider_of(context), req)
        report_tokens(context, result.usage.total_tokens)
        return convert.completion_response(result)

    async def StreamCompletion(self, request, context):
        req = convert.completion_request(request)
        async for item in self._service.stream_completion(provider_of(context), req):
            if not isinstance(item, TextDelta):
                report_tokens(context, item.usage.total_tokens)
            yield convert.completion_chunk(item)

    async def Embeddings(self, request, context):
        req = convert.embeddings_request(request)
        result = await self._service.embeddings(provider_of(context), req)
        report_tokens(context, result.usage.total_tokens)
        return convert.embeddings_response(result)

    async def BatchChatCompletion(self, request, context):
        reqs = [convert.chat_request(request, m.messages) for m in request.messages_batch]
        results = await self._service.batch_chat_completion(provider_of(context), reqs)
        report_tokens(context, sum(r.usage.total_tokens for r in results))
        return pb.BatchChatCompletionResponse(batch=[convert.chat_response(r) for r in results])

    async def BatchCompletion(self, request, context):
        reqs = [convert.completion_request(request, c.content) for c in request.content_batch]
        results = await self._service.batch_completion(provider_of(context), reqs)
        report_tokens(context, sum(r.usage.total_tokens for r in results))
        return pb.BatchCompletionResponse(batch=[convert.completion_response(r) for r in results])
