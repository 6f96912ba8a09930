"""OpenAIService over gRPC: the request as OpenAI's JSON, the logic, then typed messages
(gRPC RPCs) or the exact JSON / Server-Sent Events bytes (REST RPCs, served by Envoy).

The handlers take the request's bytes (`add_to_server`), not a parsed message: the JSON is
read from the bytes in the caller's order (`wire.request_json`), so what a provider that
speaks the OpenAI API receives is what the caller sent, key for key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.api import httpbody_pb2
from google.protobuf.message import DecodeError, Message

from llamastack.openai.v1 import openai_service_pb2 as pb
from llamastack.openai.v1 import openai_service_pb2_grpc as pb_grpc
from services.common.errors import InvalidArgument
from services.common.interceptors import guard_stream, guard_unary
from services.common.providers import provider_id_of, resource_id_of
from services.common.validation import check_required
from services.inference.openai import convert, wire
from services.inference.openai.service import Call, OpenAIService

__all__ = ["OpenAIServicer", "add_to_server"]

SERVICE = "llamastack.openai.v1.OpenAIService"
_CHAT, _COMPLETION = pb.CreateChatCompletionRequest, pb.CreateCompletionRequest
_EMBEDDING = pb.CreateEmbeddingRequest
#: method -> (request type, response type, server streaming)
_METHODS: dict[str, tuple[type[Message], type[Message], bool]] = {
    "CreateChatCompletion": (_CHAT, pb.ChatCompletion, False),
    "StreamChatCompletion": (_CHAT, pb.ChatCompletionChunk, True),
    "CreateCompletion": (_COMPLETION, pb.Completion, False),
    "StreamCompletion": (_COMPLETION, pb.Completion, True),
    "CreateEmbedding": (_EMBEDDING, pb.CreateEmbeddingResponse, False),
    "ChatCompletionsHttp": (_CHAT, httpbody_pb2.HttpBody, True),
    "CompletionsHttp": (_COMPLETION, httpbody_pb2.HttpBody, True),
    "EmbeddingsHttp": (_EMBEDDING, httpbody_pb2.HttpBody, False),
}


def add_to_server(servicer: OpenAIServicer, server: Any) -> None:
    """Registers the servicer with handlers that receive the request's bytes (in place of the
    generated `add_OpenAIServiceServicer_to_server`, which parses them first)."""
    handlers = {}
    for name, (_, response, streaming) in _METHODS.items():
        behavior = getattr(servicer, name)
        if streaming:
            handlers[name] = grpc.unary_stream_rpc_method_handler(
                guard_stream(behavior), response_serializer=response.SerializeToString
            )
        else:
            handlers[name] = grpc.unary_unary_rpc_method_handler(
                guard_unary(behavior), response_serializer=response.SerializeToString
            )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))


def _call(
    data: bytes, request_type: type[Message], context: grpc.aio.ServicerContext
) -> tuple[Call, dict[str, Any]]:
    """Who the call is for, and the request as OpenAI's JSON. The gateway sends the model id
    the caller used as metadata (the request holds the provider's own id)."""
    try:
        request = request_type.FromString(data)
    except DecodeError as exc:
        raise InvalidArgument(
            f"the request is not a valid {request_type.__name__}: {exc}"
        ) from None
    check_required(request)
    model = resource_id_of(context) or request.model
    return Call(provider_id_of(context), model), wire.request_json(data, request.DESCRIPTOR)


async def _sse(chunks: AsyncIterator[dict[str, Any]]) -> AsyncIterator[httpbody_pb2.HttpBody]:
    """`data: {chunk}` events, then `data: [DONE]`. A failure ends the call with its status and
    no `[DONE]`; the gateway turns a status after the first event into OpenAI's `error` event
    for the REST caller (gateway/streams.py), also when this process dies."""
    async for chunk in chunks:
        yield convert.sse_body(chunk)
    yield convert.DONE


class OpenAIServicer(pb_grpc.OpenAIServiceServicer):
    def __init__(self, service: OpenAIService) -> None:
        self._service = service

    # gRPC: typed -----------------------------------------------------------------------------

    async def CreateChatCompletion(self, data, context):
        call, body = _call(data, _CHAT, context)
        return convert.chat_completion(await self._service.chat(call, body))

    async def StreamChatCompletion(self, data, context):
        call, body = _call(data, _CHAT, context)
        async for chunk in self._service.stream_chat(call, body):
            yield convert.chat_chunk(chunk)

    async def CreateCompletion(self, data, context):
        call, body = _call(data, _COMPLETION, context)
        return convert.completion(await self._service.completion(call, body))

    async def StreamCompletion(self, data, context):
        call, body = _call(data, _COMPLETION, context)
        async for chunk in self._service.stream_completion(call, body):
            yield convert.completion(chunk)

    async def CreateEmbedding(self, data, context):
        call, body = _call(data, _EMBEDDING, context)
        return convert.embeddings(await self._service.embeddings(call, body))

    # REST: OpenAI's bytes --------------------------------------------------------------------

    async def ChatCompletionsHttp(self, data, context):
        call, body = _call(data, _CHAT, context)
        if body.get("stream"):
            async for event in _sse(self._service.stream_chat(call, body)):
                yield event
        else:
            yield convert.json_body(await self._service.chat(call, body))

    async def CompletionsHttp(self, data, context):
        call, body = _call(data, _COMPLETION, context)
        if body.get("stream"):
            async for event in _sse(self._service.stream_completion(call, body)):
                yield event
        else:
            yield convert.json_body(await self._service.completion(call, body))

    async def EmbeddingsHttp(self, data, context):
        call, body = _call(data, _EMBEDDING, context)
        return convert.json_body(await self._service.embeddings(call, body))
