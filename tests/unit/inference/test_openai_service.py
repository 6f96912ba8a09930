"""The OpenAI service logic and its protobuf conversions, over fake providers: passthrough
sends the request as it came, inline providers go through the native logic, SSE framing."""

from __future__ import annotations

import base64
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from google.protobuf import json_format

from llamastack.openai.v1 import openai_service_pb2 as pb
from services.common.errors import InvalidArgument, UpstreamUnavailable
from services.common.providers import ProviderHost
from services.inference.openai import convert, wire
from services.inference.openai.service import Call, OpenAIService
from services.inference.openai.servicer import _sse
from services.inference.service import InferenceService
from services.inference.types import (
    ChatRequest,
    ChatResponse,
    EmbeddingsRequest,
    Message,
    Role,
    StopReason,
    StreamEnd,
    TextDelta,
    Usage,
)


class Remote:
    """A provider that speaks the OpenAI API (records what it was sent)."""

    provider_id = "remote"

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def knows(self, model_id: str) -> bool:
        return True

    async def openai_request(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((endpoint, body))
        return {"id": "up-1", "object": "chat.completion", "model": body["model"], "choices": []}

    async def openai_stream(self, endpoint: str, body: dict[str, Any]) -> AsyncIterator[dict]:
        self.sent.append((endpoint, body))
        for i in range(2):
            yield {"id": "up-1", "model": body["model"], "choices": [{"index": i}]}


class Inline:
    """A provider without the OpenAI API."""

    provider_id = "inline"

    def knows(self, model_id: str) -> bool:
        return True

    async def chat_completion(self, request: ChatRequest) -> ChatResponse:
        text = f"{request.sampling.strategy}:{request.messages[-1].text}"
        return ChatResponse(Message(Role.ASSISTANT, [text], StopReason.END_OF_TURN), Usage(1, 1))

    async def stream_chat_completion(self, request: ChatRequest) -> AsyncIterator:
        yield TextDelta("a")
        yield StreamEnd(StopReason.END_OF_TURN, Usage(1, 1))

    async def completion(self, request):
        raise NotImplementedError

    async def stream_completion(self, request):
        raise NotImplementedError
        yield  # pragma: no cover

    async def embeddings(self, request: EmbeddingsRequest):
        raise InvalidArgument(
            f"output_dimension {request.output_dimension} is larger than the 4 dimensions",
            field="output_dimension",
        )


def service(provider) -> OpenAIService:
    host = ProviderHost("inference", [provider])
    host.ready = True
    return OpenAIService(host, InferenceService(host))


BODY = {
    "model": "provider-model",
    "messages": [{"role": "user", "content": "hi"}],
    "temperature": 0,
    "stream": True,
    "stream_options": {"include_usage": True},
    "top_k": 3,
}


async def test_passthrough_sends_the_request_as_it_came():
    remote = Remote()
    out = await service(remote).chat(Call("remote", "alias/m"), BODY)
    endpoint, sent = remote.sent[0]
    unary = {k: v for k, v in BODY.items() if k not in ("stream", "stream_options")}
    assert endpoint == "chat/completions" and sent == unary
    assert out["model"] == "alias/m" and out["id"] == "up-1"


async def test_passthrough_streams_answer_the_callers_model_id():
    remote = Remote()
    body = {k: v for k, v in BODY.items() if k != "stream"}
    chunks = [c async for c in service(remote).stream_chat(Call(None, "alias/m"), body)]
    assert remote.sent[0][1] == {**body, "stream": True}
    assert [c["model"] for c in chunks] == ["alias/m", "alias/m"]


async def test_inline_runs_the_native_logic():
    out = await service(Inline()).chat(Call(None, "alias/m"), {**BODY, "stream": False})
    assert out["choices"][0]["message"]["content"] == "greedy:hi"
    assert out["model"] == "alias/m" and out["id"].startswith("chatcmpl-")
    chunks = [c async for c in service(Inline()).stream_chat(Call(None, "m"), BODY)]
    assert [c["choices"][0]["delta"] if c["choices"] else "usage" for c in chunks] == [
        {"role": "assistant", "content": ""},
        {"content": "a"},
        {},
        "usage",
    ]


async def test_native_errors_speak_openai_names():
    with pytest.raises(InvalidArgument) as err:
        await service(Inline()).embeddings(
            Call(None, "e"), {"model": "e", "input": "x", "dimensions": 9}
        )
    assert err.value.metadata["field"] == "dimensions"
    assert err.value.message.startswith("dimensions 9 is larger")


async def _chunks(fail_after: int | None) -> AsyncIterator[dict[str, Any]]:
    for i in range(2):
        if fail_after == i:
            raise UpstreamUnavailable("the server went away", field="x")
        yield {"i": i}


async def test_sse_frames_and_done():
    events = [e async for e in _sse(_chunks(None))]
    assert [e.data for e in events] == [
        b'data: {"i":0}\n\n',
        b'data: {"i":1}\n\n',
        b"data: [DONE]\n\n",
    ]
    assert {e.content_type for e in events} == {"text/event-stream"}


async def test_a_failure_mid_stream_is_the_status_without_done():
    # The gateway writes OpenAI's error event for REST callers (gateway/streams.py).
    events = []
    with pytest.raises(UpstreamUnavailable):
        async for e in _sse(_chunks(1)):
            events.append(e)
    assert [e.data for e in events] == [b'data: {"i":0}\n\n']


def test_request_json_is_openai_json():
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "x"}]},
            {"role": "assistant", "content": None},
        ],
        "temperature": 0,
        "seed": 12345678901,
        "stop": ["\n"],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"maxItems": 3}}}],
    }
    request = json_format.ParseDict(body, pb.CreateChatCompletionRequest())
    data = request.SerializeToString()  # only what was set; ints stay ints
    assert wire.request_json(data, request.DESCRIPTOR) == body


def test_typed_answers():
    data = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": base64.b64encode(
            struct.pack("<2f", 1.0, 2.0)).decode()}],
        "model": "e",
        "usage": {"prompt_tokens": 1, "total_tokens": 1},
        "unknown": True,
    }  # fmt: skip
    typed = convert.embeddings(data)
    assert struct.unpack("<2f", typed.data[0].embedding_bytes) == (1.0, 2.0)
    chunk = convert.chat_chunk(
        {"id": "c", "choices": [{"index": 0, "delta": {"content": None}, "finish_reason": None}]}
    )
    assert not chunk.choices[0].delta.HasField("content")
