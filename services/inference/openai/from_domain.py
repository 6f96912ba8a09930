"""Inference domain responses as OpenAI's JSON objects (chat completions and their chunks,
text completions, embeddings), for providers that do not speak the OpenAI API themselves."""

from __future__ import annotations

import base64
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from services.inference.openai.to_domain import ChatOptions, CompletionOptions
from services.inference.types import (
    ChatEvent,
    ChatResponse,
    CompletionResponse,
    EmbeddingsResponse,
    EventType,
    ParseStatus,
    StopReason,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)

__all__ = [
    "ChatChunks",
    "Meta",
    "chat_completion",
    "completion",
    "completion_chunk",
    "embeddings",
    "usage_json",
]

_FINISH = {
    StopReason.END_OF_TURN: "stop",
    StopReason.END_OF_MESSAGE: "stop",
    StopReason.OUT_OF_TOKENS: "length",
}


@dataclass(frozen=True)
class Meta:
    """What every object of one answer repeats: its id, creation time and model."""

    id: str
    model: str
    created: int = field(default_factory=lambda: int(time.time()))

    @classmethod
    def new(cls, prefix: str, model: str) -> Meta:
        return cls(f"{prefix}-{uuid.uuid4().hex}", model)


def finish_reason(stop: StopReason, has_calls: bool) -> str:
    return "tool_calls" if has_calls else _FINISH[stop]


def usage_json(usage: Usage) -> dict[str, int]:
    return usage.metrics()


def _calls(calls: list[ToolCall], first_index: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "index": first_index + i,
            "id": c.call_id,
            "type": "function",
            "function": {"name": c.tool_name, "arguments": c.arguments_json},
        }
        for i, c in enumerate(calls)
    ]


def _token(token: str, logprob: float) -> dict[str, Any]:
    return {"token": token, "logprob": logprob, "bytes": list(token.encode())}


def _chat_logprobs(items: list[dict[str, float]] | None, top: int) -> dict[str, Any]:
    """Per token: the chosen token (the first entry the engine reports) and the `top` most
    likely ones."""
    content = []
    for d in items or []:
        if not d:
            continue
        token, logprob = next(iter(d.items()))
        best = sorted(d.items(), key=lambda kv: -kv[1])[:top]
        content.append({**_token(token, logprob), "top_logprobs": [_token(*kv) for kv in best]})
    return {"content": content, "refusal": None}


# -- chat -----------------------------------------------------------------------------------


def chat_completion(meta: Meta, r: ChatResponse, opts: ChatOptions) -> dict[str, Any]:
    m = r.message
    message: dict[str, Any] = {
        "role": "assistant",
        "content": m.text if m.text or not m.tool_calls else None,
        "refusal": None,
    }
    if m.tool_calls:
        message["tool_calls"] = [
            {k: v for k, v in c.items() if k != "index"} for c in _calls(m.tool_calls)
        ]
    choice = {
        "index": 0,
        "message": message,
        "finish_reason": finish_reason(m.stop_reason or StopReason.END_OF_TURN, bool(m.tool_calls)),
        "logprobs": _chat_logprobs(r.logprobs, opts.top_logprobs) if opts.logprobs else None,
    }
    return {
        "id": meta.id,
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "choices": [choice],
        "usage": usage_json(r.usage),
    }


class ChatChunks:
    """The chunks of a streamed chat completion, from the service's events: the role first,
    then text deltas; a tool call is one delta with its whole arguments once parsed; the last
    chunk has `finish_reason`; `usage` follows in a chunk without choices when asked."""

    def __init__(self, meta: Meta, opts: ChatOptions) -> None:
        self.meta, self.opts = meta, opts
        self.calls = 0

    def chunk(self, delta: dict[str, Any], finish: str | None = None, logprobs=None):
        out: dict[str, Any] = {
            "id": self.meta.id,
            "object": "chat.completion.chunk",
            "created": self.meta.created,
            "model": self.meta.model,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
            ],
        }
        if self.opts.include_usage:
            out["usage"] = None
        return out

    def feed(self, event: ChatEvent) -> list[dict[str, Any]]:
        if event.event_type is EventType.START:
            return [self.chunk({"role": "assistant", "content": ""})]
        if event.event_type is EventType.COMPLETE:
            stop = event.stop_reason or StopReason.END_OF_TURN
            out = [self.chunk({}, finish_reason(stop, self.calls > 0))]
            if self.opts.include_usage and event.usage is not None:
                usage = self.chunk({})
                usage["choices"], usage["usage"] = [], usage_json(event.usage)
                out.append(usage)
            return out
        delta = event.delta
        if isinstance(delta, TextDelta):
            logprobs = (
                _chat_logprobs(delta.logprobs, self.opts.top_logprobs)
                if self.opts.logprobs and delta.logprobs
                else None
            )
            if not delta.text and logprobs is None:
                return []
            return [self.chunk({"content": delta.text}, logprobs=logprobs)]
        if isinstance(delta, ToolCallDelta):
            if delta.status is ParseStatus.SUCCEEDED and delta.parsed is not None:
                calls = _calls([delta.parsed], self.calls)
                self.calls += 1
                return [self.chunk({"tool_calls": calls})]
            if delta.status is ParseStatus.FAILED:  # not a valid call: the raw answer
                return [self.chunk({"content": delta.text})]
        return []


# -- completions ----------------------------------------------------------------------------


def _completion_logprobs(items: list[dict[str, float]] | None, offset: int) -> dict[str, Any]:
    tokens, values, tops, offsets = [], [], [], []
    for d in items or []:
        if not d:
            continue
        token, logprob = next(iter(d.items()))
        tokens.append(token)
        values.append(logprob)
        tops.append(dict(d))
        offsets.append(offset)
        offset += len(token)
    return {
        "tokens": tokens,
        "token_logprobs": values,
        "top_logprobs": tops,
        "text_offset": offsets,
    }


def completion_chunk(
    meta: Meta,
    index: int,
    text: str,
    finish: str | None,
    logprobs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": meta.id,
        "object": "text_completion",
        "created": meta.created,
        "model": meta.model,
        "choices": [{"index": index, "text": text, "logprobs": logprobs, "finish_reason": finish}],
    }


def completion(
    meta: Meta, results: list[CompletionResponse], opts: CompletionOptions
) -> dict[str, Any]:
    choices, usage = [], Usage()
    for i, (prompt, r) in enumerate(zip(opts.prompts, results, strict=True)):
        head = prompt if opts.echo else ""
        lp = _completion_logprobs(r.logprobs, len(prompt)) if opts.logprobs is not None else None
        choices.append(
            completion_chunk(meta, i, head + r.content, _FINISH[r.stop_reason], lp)["choices"][0]
        )
        usage.prompt_tokens += r.usage.prompt_tokens
        usage.completion_tokens += r.usage.completion_tokens
    out = completion_chunk(meta, 0, "", None)
    out["choices"], out["usage"] = choices, usage_json(usage)
    return out


def completion_text_logprobs(
    items: list[dict[str, float]] | None, offset: int, opts: CompletionOptions
) -> dict[str, Any] | None:
    return _completion_logprobs(items, offset) if opts.logprobs is not None else None


# -- embeddings -----------------------------------------------------------------------------


def embeddings(model: str, r: EmbeddingsResponse, encoding: str) -> dict[str, Any]:
    def vector(values: list[float]) -> Any:
        if encoding == "base64":
            return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")
        return values

    return {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": vector(v)}
            for i, v in enumerate(r.embeddings)
        ],
        "model": model,
        "usage": {"prompt_tokens": r.usage.prompt_tokens, "total_tokens": r.usage.prompt_tokens},
    }
