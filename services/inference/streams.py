"""Folding a provider's stream into a unary response (providers without a native unary call)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from services.inference.types import (
    ChatResponse,
    ChatStreamItem,
    CompletionResponse,
    Message,
    ParseStatus,
    Role,
    StreamEnd,
    TextDelta,
    ToolCallDelta,
)

__all__ = ["collect_chat", "collect_completion"]


async def collect_chat(stream: AsyncIterator[ChatStreamItem]) -> ChatResponse:
    text: list[str] = []
    logprobs: list[dict[str, float]] = []
    message = Message(Role.ASSISTANT)
    end: StreamEnd | None = None
    async for item in stream:
        if isinstance(item, TextDelta):
            text.append(item.text)
            logprobs += item.logprobs or []
        elif isinstance(item, ToolCallDelta):
            if item.status is ParseStatus.SUCCEEDED and item.parsed is not None:
                message.tool_calls.append(item.parsed)
            elif item.status is ParseStatus.FAILED:
                text.append(item.text)  # not a valid call: the caller gets the raw answer
        else:
            end = item
    if end is None:
        raise RuntimeError("provider stream ended without a StreamEnd")
    logprobs += end.logprobs or []
    message.content = ["".join(text)]
    message.stop_reason = end.stop_reason
    return ChatResponse(message, end.usage, logprobs or None)


async def collect_completion(stream: AsyncIterator[TextDelta | StreamEnd]) -> CompletionResponse:
    text: list[str] = []
    logprobs: list[dict[str, float]] = []
    end: StreamEnd | None = None
    async for item in stream:
        if isinstance(item, TextDelta):
            text.append(item.text)
            logprobs += item.logprobs or []
        else:
            end = item
    if end is None:
        raise RuntimeError("provider stream ended without a StreamEnd")
    logprobs += end.logprobs or []
    return CompletionResponse("".join(text), end.stop_reason, end.usage, logprobs or None)
