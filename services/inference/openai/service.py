"""The OpenAI API's logic: pick the provider; pass the request through to providers that speak
the OpenAI API (only `model` differs, rewritten by the gateway), run it through the native
inference logic for the others; answer OpenAI's JSON objects with the model id the caller
used."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from services.common import telemetry
from services.common.errors import InvalidArgument
from services.common.providers import ProviderHost
from services.inference.openai import from_domain, to_domain
from services.inference.openai.from_domain import ChatChunks, Meta
from services.inference.provider import OpenAIPassthrough
from services.inference.service import InferenceService
from services.inference.types import StreamEnd, TextDelta, Usage

__all__ = ["Call", "OpenAIService"]

#: Native field names in messages of the shared validation and providers -> OpenAI's.
_OPENAI_NAMES = [
    (re.compile(r"\bsampling_params\.(top_p\.)?"), ""),
    (re.compile(r"\blogprobs\.top_k\b"), "top_logprobs"),
    (re.compile(r"\btool_config\.tool_(name|choice)\b"), "tool_choice"),
    (re.compile(r"\.input_schema\b"), ".function.parameters"),
    (re.compile(r"\boutput_dimension\b"), "dimensions"),
    (re.compile(r"\bcontents\b"), "input"),
]


@dataclass(frozen=True)
class Call:
    """Who a call is for: the provider the gateway picked (None for a direct call) and the
    model id the caller used (answers name it, not the provider's own id)."""

    provider_id: str | None
    model: str


def _openai_name(text: str) -> str:
    for pattern, name in _OPENAI_NAMES:
        text = pattern.sub(name, text)
    return text


@contextlib.contextmanager
def _openai_terms() -> Iterator[None]:
    """INVALID_ARGUMENT from the native logic, with OpenAI's field names."""
    try:
        yield
    except InvalidArgument as exc:
        metadata = dict(exc.metadata)
        if "field" in metadata:
            metadata["field"] = _openai_name(metadata["field"])
        raise type(exc)(_openai_name(exc.message), **metadata) from None


#: OpenAI endpoint -> GenAI operation name (telemetry).
_OPERATIONS = {"chat/completions": "chat", "completions": "text_completion"}


def _operation(endpoint: str, body: dict[str, Any], provider: Any) -> Any:
    """The GenAI span and metrics of a passed-through call (a no-op when telemetry is off)."""
    name = _OPERATIONS.get(endpoint, endpoint)
    return telemetry.operation(
        name,
        str(body.get("model", "")),
        provider,
        max_tokens=body.get("max_tokens"),
        temperature=body.get("temperature"),
    )


def _usage(op: Any, answer: dict[str, Any]) -> None:
    """Token counts and finish reasons from an OpenAI answer or stream chunk, when it has them
    (a stream's usage comes in its last chunk, when the caller asked for it)."""
    usage = answer.get("usage")
    if usage:
        reasons = [c.get("finish_reason") or "" for c in answer.get("choices") or []]
        op.usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), reasons)


def _unary(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("stream", "stream_options")}


def _streamed(body: dict[str, Any]) -> dict[str, Any]:
    """`stream: true` where the OpenAI SDK writes it (after `model`), for typed gRPC streams
    whose request did not set it."""
    if body.get("stream") is True:
        return body
    out = {k: v for k, v in body.items() if k == "model"}
    out["stream"] = True
    out.update((k, v) for k, v in body.items() if k not in ("model", "stream"))
    return out


class OpenAIService:
    def __init__(self, host: ProviderHost[Any], inference: InferenceService) -> None:
        self.host = host
        self.inference = inference
        self._speaks_openai: dict[int, bool] = {}

    def _remote(self, call: Call, body: dict[str, Any]) -> OpenAIPassthrough | None:
        provider = self.host.pick(call.provider_id, body.get("model", ""))
        speaks = self._speaks_openai.get(id(provider))
        if speaks is None:  # a runtime Protocol check costs ~20 µs: once per provider
            speaks = self._speaks_openai[id(provider)] = isinstance(provider, OpenAIPassthrough)
        return provider if speaks else None

    async def _request(
        self, remote: OpenAIPassthrough, endpoint: str, call: Call, body: dict[str, Any]
    ) -> dict[str, Any]:
        with _operation(endpoint, body, remote) as op:
            out = await remote.openai_request(endpoint, _unary(body))
            _usage(op, out)
        out["model"] = call.model
        return out

    async def _stream(
        self, remote: OpenAIPassthrough, endpoint: str, call: Call, body: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        op = _operation(endpoint, body, remote)
        async for chunk in op.stream(remote.openai_stream(endpoint, _streamed(body))):
            _usage(op, chunk)
            chunk["model"] = call.model
            yield chunk

    # -- chat -------------------------------------------------------------------------------

    async def chat(self, call: Call, body: dict[str, Any]) -> dict[str, Any]:
        remote = self._remote(call, body)
        if remote is not None:
            return await self._request(remote, "chat/completions", call, body)
        request, opts = to_domain.chat_request(body)
        with _openai_terms():
            response = await self.inference.chat_completion(call.provider_id, request)
        return from_domain.chat_completion(Meta.new("chatcmpl", call.model), response, opts)

    async def stream_chat(self, call: Call, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Chunks; errors before the first one raise (a status, never a broken stream)."""
        remote = self._remote(call, body)
        if remote is not None:
            async for chunk in self._stream(remote, "chat/completions", call, body):
                yield chunk
            return
        request, opts = to_domain.chat_request(body)
        chunks = ChatChunks(Meta.new("chatcmpl", call.model), opts)
        with _openai_terms():
            async for event in self.inference.stream_chat_completion(call.provider_id, request):
                for chunk in chunks.feed(event):
                    yield chunk

    # -- completions ------------------------------------------------------------------------

    async def completion(self, call: Call, body: dict[str, Any]) -> dict[str, Any]:
        remote = self._remote(call, body)
        if remote is not None:
            return await self._request(remote, "completions", call, body)
        requests, opts = to_domain.completion_requests(body)
        with _openai_terms():
            results = [await self.inference.completion(call.provider_id, r) for r in requests]
        return from_domain.completion(Meta.new("cmpl", call.model), results, opts)

    async def stream_completion(
        self, call: Call, body: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        remote = self._remote(call, body)
        if remote is not None:
            async for chunk in self._stream(remote, "completions", call, body):
                yield chunk
            return
        requests, opts = to_domain.completion_requests(body)
        meta = Meta.new("cmpl", call.model)
        total = Usage()
        with _openai_terms():
            for index, (prompt, request) in enumerate(zip(opts.prompts, requests, strict=True)):
                head, offset = (prompt if opts.echo else ""), len(prompt)
                stream = self.inference.stream_completion(call.provider_id, request)
                async for item in stream:
                    lp = from_domain.completion_text_logprobs(item.logprobs, offset, opts)
                    if isinstance(item, TextDelta):
                        offset += len(item.text)
                        yield _usage_null(
                            from_domain.completion_chunk(meta, index, head + item.text, None, lp),
                            opts.include_usage,
                        )
                        head = ""
                    elif isinstance(item, StreamEnd):
                        total.prompt_tokens += item.usage.prompt_tokens
                        total.completion_tokens += item.usage.completion_tokens
                        finish = from_domain.finish_reason(item.stop_reason, False)
                        yield _usage_null(
                            from_domain.completion_chunk(meta, index, head, finish, lp),
                            opts.include_usage,
                        )
        if opts.include_usage:
            last = from_domain.completion_chunk(meta, 0, "", None)
            last["choices"], last["usage"] = [], from_domain.usage_json(total)
            yield last

    # -- embeddings -------------------------------------------------------------------------

    async def embeddings(self, call: Call, body: dict[str, Any]) -> dict[str, Any]:
        remote = self._remote(call, body)
        if remote is not None:
            return await self._request(remote, "embeddings", call, body)
        request, encoding = to_domain.embeddings_request(body)
        with _openai_terms():
            response = await self.inference.embeddings(call.provider_id, request)
        return from_domain.embeddings(call.model, response, encoding)


def _usage_null(chunk: dict[str, Any], include_usage: bool) -> dict[str, Any]:
    if include_usage:
        chunk["usage"] = None
    return chunk
