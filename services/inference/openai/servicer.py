"""OpenAIService over gRPC: the request as OpenAI's JSON, the logic, then typed messages
(gRPC RPCs) or the exact JSON / Server-Sent Events bytes (REST RPCs, served by Envoy)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.api import httpbody_pb2

from llamastack.openai.v1 import openai_service_pb2_grpc as pb_grpc
from services.common.providers import RESOURCE_ID_METADATA, provider_id_of
from services.inference.openai import convert
from services.inference.openai.service import Call, OpenAIService

__all__ = ["OpenAIServicer"]


def _call(request: Any, context: grpc.aio.ServicerContext) -> tuple[Call, dict[str, Any]]:
    """Who the call is for, and the request as OpenAI's JSON. The gateway sends the model id
    the caller used as metadata (the request holds the provider's own id)."""
    model = request.model
    for key, value in context.invocation_metadata() or ():
        if key == RESOURCE_ID_METADATA and value:
            model = str(value)
    return Call(provider_id_of(context), model), convert.request_json(request)


async def _sse(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[httpbody_pb2.HttpBody]:
    """`data: {chunk}` events, then `data: [DONE]`. A failure after the first event is sent as
    an `error` event (what OpenAI's SDKs raise) and as the call's status."""
    started = False
    try:
        async for chunk in chunks:
            started = True
            yield convert.sse_body(chunk)
    except Exception as exc:
        if started:
            yield convert.sse_body(convert.error_json(exc))
        raise
    yield convert.DONE


class OpenAIServicer(pb_grpc.OpenAIServiceServicer):
    def __init__(self, service: OpenAIService) -> None:
        self._service = service

    # gRPC: typed -----------------------------------------------------------------------------

    async def CreateChatCompletion(self, request, context):
        call, body = _call(request, context)
        return convert.chat_completion(await self._service.chat(call, body))

    async def StreamChatCompletion(self, request, context):
        call, body = _call(request, context)
        async for chunk in self._service.stream_chat(call, body):
            yield convert.chat_chunk(chunk)

    async def CreateCompletion(self, request, context):
        call, body = _call(request, context)
        return convert.completion(await self._service.completion(call, body))

    async def StreamCompletion(self, request, context):
        call, body = _call(request, context)
        async for chunk in self._service.stream_completion(call, body):
            yield convert.completion(chunk)

    async def CreateEmbedding(self, request, context):
        call, body = _call(request, context)
        return convert.embeddings(await self._service.embeddings(call, body))

    # REST: OpenAI's bytes --------------------------------------------------------------------

    async def ChatCompletionsHttp(self, request, context):
        call, body = _call(request, context)
        if body.get("stream"):
            async for event in _sse(self._service.stream_chat(call, body)):
                yield event
        else:
            yield convert.json_body(await self._service.chat(call, body))

    async def CompletionsHttp(self, request, context):
        call, body = _call(request, context)
        if body.get("stream"):
            async for event in _sse(self._service.stream_completion(call, body)):
                yield event
        else:
            yield convert.json_body(await self._service.completion(call, body))

    async def EmbeddingsHttp(self, request, context):
        call, body = _call(request, context)
        return convert.json_body(await self._service.embeddings(call, body))
