"""The inference service logic: pick the provider, validate, call it, shape streams, batch."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from services.common import telemetry
from services.common.errors import InvalidArgument, ResourceTypeMismatch
from services.common.providers import ProviderHost
from services.inference.provider import EmbeddingProvider, LLMProvider
from services.inference.types import (
    ChatEvent,
    ChatRequest,
    ChatResponse,
    CompletionRequest,
    CompletionResponse,
    EmbeddingsRequest,
    EmbeddingsResponse,
    EventType,
    StreamEnd,
    TextDelta,
)
from services.inference.validation import check_chat, check_completion, check_embeddings

__all__ = ["InferenceService"]


class InferenceService:
    def __init__(self, host: ProviderHost[Any]) -> None:
        self.host = host

    def llm(self, provider_id: str | None, model_id: str) -> LLMProvider:
        provider = self.host.pick(provider_id, model_id)
        if not isinstance(provider, LLMProvider):
            raise ResourceTypeMismatch(
                f"model {model_id!r} is served by {provider.label}, which generates no text "
                "(it is an embedding provider); use a model of type llm",
                modelId=model_id,
            )
        return provider

    def embedder(self, provider_id: str | None, model_id: str) -> EmbeddingProvider:
        provider = self.host.pick(provider_id, model_id)
        if not isinstance(provider, EmbeddingProvider):
            raise ResourceTypeMismatch(
                f"model {model_id!r} is served by {provider.label}, which computes no "
                "embeddings; use a model of type embedding",
                modelId=model_id,
            )
        return provider

    async def chat_completion(self, provider_id: str | None, req: ChatRequest) -> ChatResponse:
        check_chat(req)
        provider = self.llm(provider_id, req.model_id)
        with _operation("chat", req, provider) as op:
            result = await provider.chat_completion(req)
            op.usage(*_tokens(result.usage), [result.message.stop_reason or ""])
        return result

    async def stream_chat_completion(
        self, provider_id: str | None, req: ChatRequest
    ) -> AsyncIterator[ChatEvent]:
        """START, PROGRESS deltas, COMPLETE. Errors before the first token come as a status
        without a START event."""
        check_chat(req)
        provider = self.llm(provider_id, req.model_id)
        op = _operation("chat", req, provider)
        stream = op.stream(provider.stream_chat_completion(req))
        try:
            item = await anext(stream)
            yield ChatEvent(EventType.START, TextDelta(""))
            while True:
                if isinstance(item, StreamEnd):
                    op.usage(*_tokens(item.usage), [item.stop_reason])
                    yield ChatEvent(EventType.COMPLETE, TextDelta(""), item.stop_reason, item.usage)
                    return
                yield ChatEvent(EventType.PROGRESS, item)
                item = await anext(stream)
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()  # stops the generation when the caller went away

    async def completion(
        self, provider_id: str | None, req: CompletionRequest
    ) -> CompletionResponse:
        check_completion(req)
        provider = self.llm(provider_id, req.model_id)
        with _operation("text_completion", req, provider) as op:
            result = await provider.completion(req)
            op.usage(*_tokens(result.usage), [result.stop_reason])
        return result

    async def stream_completion(
        self, provider_id: str | None, req: CompletionRequest
    ) -> AsyncIterator[TextDelta | StreamEnd]:
        check_completion(req)
        provider = self.llm(provider_id, req.model_id)
        op = _operation("text_completion", req, provider)
        stream = op.stream(provider.stream_completion(req))
        try:
            async for item in stream:
                if isinstance(item, StreamEnd):
                    op.usage(*_tokens(item.usage), [item.stop_reason])
                yield item
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()

    async def embeddings(
        self, provider_id: str | None, req: EmbeddingsRequest
    ) -> EmbeddingsResponse:
        check_embeddings(req)
        provider = self.embedder(provider_id, req.model_id)
        with telemetry.operation("embeddings", req.model_id, provider) as op:
            result = await provider.embeddings(req)
            op.usage(result.usage.prompt_tokens, 0)
        return result

    async def batch_chat_completion(
        self, provider_id: str | None, reqs: list[ChatRequest]
    ) -> list[ChatResponse]:
        """Synchronous and in order; every element is validated before any runs."""
        for i, req in enumerate(reqs):
            _in_batch(check_chat, req, f"messages_batch[{i}]")
        return [await self.chat_completion(provider_id, req) for req in reqs]

    async def batch_completion(
        self, provider_id: str | None, reqs: list[CompletionRequest]
    ) -> list[CompletionResponse]:
        for i, req in enumerate(reqs):
            _in_batch(check_completion, req, f"content_batch[{i}]")
        return [await self.completion(provider_id, req) for req in reqs]


def _operation(name: str, req: ChatRequest | CompletionRequest, provider: Any) -> Any:
    """The GenAI span and metrics of one generation (a no-op when telemetry is off)."""
    s = req.sampling
    return telemetry.operation(
        name, req.model_id, provider, max_tokens=s.max_tokens, temperature=s.temperature
    )


def _tokens(usage: Any) -> tuple[int, int]:
    return usage.prompt_tokens, usage.completion_tokens


def _in_batch(check: Any, req: Any, where: str) -> None:
    try:
        check(req)
    except InvalidArgument as exc:
        raise InvalidArgument(f"{where}: {exc.message}", **exc.metadata) from None
