"""`remote::vllm` and `remote::openai-compatible`: one adapter over the OpenAI HTTP API
(`/chat/completions`, `/completions`, `/embeddings`, `/models`), spoken with aiohttp.

Native requests are translated (`convert.py`); OpenAI requests pass through as they came
(`OpenAIPassthrough`), with only the model id rewritten (by the gateway).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from llamastack.provider.v1 import provider_pb2
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    LlamaStackError,
    NotFound,
)
from services.common.providers import Health
from services.inference.provider import InferenceProviderBase, ModelEntry
from services.inference.providers.openai_compat import convert
from services.inference.providers.openai_compat.config import OpenAICompatConfig
from services.inference.providers.openai_compat.http import OpenAIHttp
from services.inference.types import (
    ChatRequest,
    ChatResponse,
    ChatStreamItem,
    CompletionRequest,
    CompletionResponse,
    EmbeddingsRequest,
    EmbeddingsResponse,
    Image,
    Message,
    ModelType,
    ParseStatus,
    Part,
    Role,
    StreamEnd,
    TextDelta,
    ToolCallDelta,
    Usage,
)

__all__ = ["OpenAICompatProvider", "VllmProvider"]

log = logging.getLogger(__name__)
#: A server that answered a call this recently is healthy without a probe.
HEALTHY_AFTER_ANSWER_S = 10.0
_EMBEDDING_HINTS = ("embed", "minilm", "bge-", "e5-", "gte-", "nomic-embed")
#: OpenAI endpoint -> the model type it needs, and what the call is (for messages).
_ENDPOINTS = {
    "chat/completions": (ModelType.LLM, "chat completion"),
    "completions": (ModelType.LLM, "completion"),
    "embeddings": (ModelType.EMBEDDING, "embeddings"),
}


class OpenAICompatProvider(InferenceProviderBase):
    provider_type: ClassVar[str] = "remote::openai-compatible"
    vllm: ClassVar[bool] = False

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = OpenAICompatConfig.model_validate(dict(config))
        self.url = self.config.url
        self._json_mode = self.config.structured_output
        self._http: OpenAIHttp | None = None
        self._listed: tuple[float, dict[str, dict[str, Any]]] = (0.0, {})
        for m in self.config.models:
            meta = {"embedding_dimension": m.embedding_dimension} if m.embedding_dimension else {}
            self.models.add_configured(
                m.model_id, ModelEntry(m.model_id, ModelType(m.model_type), meta)
            )

    # lifecycle ---------------------------------------------------------------------------

    async def initialize(self) -> None:
        c = self.config
        self._http = OpenAIHttp(
            self.provider_id, self.url, c.api_token, c.tls_verify, c.timeout_s, c.connect_timeout_s
        )
        try:  # the server may come up later (or need other credentials); health() tells
            await self._server_models(refresh=True)
        except LlamaStackError as exc:
            log.warning("%s", exc.message)

    async def shutdown(self) -> None:
        if self._http is not None:
            await self._http.close()

    @property
    def http(self) -> OpenAIHttp:
        if self._http is None:
            raise FailedPrecondition(f"provider {self.provider_id} is not initialised")
        return self._http

    async def health(self) -> Health:
        """Whether the server answers: it did, a moment ago, to a call (nothing is sent), or
        it answers `GET /models` now (quickly: the gateway asks every 2 s). The probe is not
        free on a busy server: llama-cpp-python's server serves `/models` only between
        generations, behind the same lock."""
        if time.monotonic() - self.http.answered_at < HEALTHY_AFTER_ANSWER_S:
            return Health()
        try:
            await self._server_models(refresh=True, timeout=min(2.0, self.config.connect_timeout_s))
        except Exception as exc:
            return Health(provider_pb2.HEALTH_STATUS_ERROR, getattr(exc, "message", str(exc)))
        return Health()

    # models ------------------------------------------------------------------------------

    async def _server_models(
        self, refresh: bool = False, timeout: float | None = None
    ) -> dict[str, dict[str, Any]]:
        stamp, models = self._listed
        if refresh or time.monotonic() - stamp > self.config.refresh_models_s:
            models = await self.http.models(timeout or self.config.connect_timeout_s * 2)
            self._listed = (time.monotonic(), models)
        return models

    async def list_models(self):
        listed = await self._server_models(refresh=True)
        entries = {mid: self._guess(mid, info) for mid, info in listed.items()}
        entries.update({e.id: e.value for e in self.models})
        return [self.model_proto(e) for e in entries.values()]

    def _guess(self, model_id: str, info: dict[str, Any]) -> ModelEntry:
        embedding = any(h in model_id.lower() for h in _EMBEDDING_HINTS)
        meta = {"context_length": info["max_model_len"]} if info.get("max_model_len") else {}
        return ModelEntry(model_id, ModelType.EMBEDDING if embedding else ModelType.LLM, meta)

    def knows(self, model_id: str) -> bool:
        return model_id in self.models or model_id in self._listed[1]

    async def accept_model(self, model_id: str, model_type: ModelType) -> ModelEntry:
        listed = await self._server_models(refresh=True)
        if model_id not in listed and not self.models.is_configured(model_id):
            raise NotFound(
                f"the server of provider {self.provider_id} ({self.url}) has no model "
                f"{model_id!r}; it serves: {sorted(listed) or 'none'}",
                modelId=model_id,
                providerId=self.provider_id,
            )
        meta = self._guess(model_id, listed.get(model_id, {})).metadata
        if model_type is ModelType.EMBEDDING:
            known = self.models.find(model_id)
            dim = known.metadata.get("embedding_dimension") if known else None
            meta["embedding_dimension"] = dim or await self._probe_dimension(model_id)
        return ModelEntry(model_id, model_type, meta)

    async def _probe_dimension(self, model_id: str) -> int:
        try:
            data = await self.http.post("embeddings", {"model": model_id, "input": ["dimension"]})
            return len(_pooled(data["data"][0]["embedding"]))
        except (InvalidArgument, NotFound, KeyError, IndexError) as exc:
            raise InvalidArgument(
                f"model {model_id!r} of provider {self.provider_id} did not return embeddings "
                f"({getattr(exc, 'message', exc)}); register it as an LLM or check the server"
            ) from exc

    async def _check(self, model_id: str, wanted: ModelType, purpose: str) -> None:
        """Registered models are type-checked; others must at least exist on the server."""
        if model_id in self.models:
            self.model(model_id, wanted, purpose)
            return
        if model_id not in await self._server_models():
            self.model(model_id, wanted, purpose)  # raises NotFound naming the provider

    # data plane --------------------------------------------------------------------------

    async def chat_completion(self, request: ChatRequest) -> ChatResponse:
        await self._check(request.model_id, ModelType.LLM, "chat completion")
        data = await self._chat(request, stream=False)
        choice = (data.get("choices") or [{}])[0]
        msg = choice.get("message") or {}
        text, parsed = msg.get("content") or "", []
        for c in msg.get("tool_calls") or []:
            fn = c.get("function") or {}
            call = convert.parse_call(c.get("id", ""), fn.get("name", ""), fn.get("arguments"))
            if call is None:  # as in streams: a call that does not parse comes back as text
                text += f"{fn.get('name', '')}({fn.get('arguments') or ''})"
            else:
                parsed.append(call)
        message = Message(
            Role.ASSISTANT,
            [text],
            stop_reason=convert.stop_reason_of(choice.get("finish_reason"), bool(parsed)),
            tool_calls=parsed,
        )
        usage = convert.usage_of(data.get("usage")) or Usage()
        return ChatResponse(message, usage, convert.logprobs_of(choice) or None)

    async def stream_chat_completion(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]:
        await self._check(request.model_id, ModelType.LLM, "chat completion")
        calls: dict[int, dict[str, str]] = {}
        finish, usage, chunks = None, None, 0
        async for chunk in self._chat_chunks(request):
            usage = convert.usage_of(chunk.get("usage")) or usage
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                finish = choice.get("finish_reason") or finish
                if delta.get("content"):
                    chunks += 1
                    yield TextDelta(delta["content"], convert.logprobs_of(choice) or None)
                for tc in delta.get("tool_calls") or []:
                    index = tc.get("index", 0)
                    if index not in calls:
                        calls[index] = {"id": "", "name": "", "args": ""}
                        yield ToolCallDelta(ParseStatus.STARTED)
                    call = calls[index]
                    fn = tc.get("function") or {}
                    call["id"] = tc.get("id") or call["id"]
                    if fn.get("name") and fn["name"] != call["name"]:
                        call["name"] += fn["name"]  # some servers repeat the name per chunk
                    call["args"] += fn.get("arguments") or ""
                    if fn.get("arguments"):
                        chunks += 1
                        yield ToolCallDelta(ParseStatus.IN_PROGRESS, text=fn["arguments"])
        parsed = 0
        for call in calls.values():
            tool_call = convert.parse_call(call["id"], call["name"], call["args"])
            if tool_call is None:
                yield ToolCallDelta(ParseStatus.FAILED, text=call["args"])
            else:
                parsed += 1
                yield ToolCallDelta(ParseStatus.SUCCEEDED, parsed=tool_call)
        yield StreamEnd(
            convert.stop_reason_of(finish, parsed > 0), usage or Usage(completion_tokens=chunks)
        )

    async def completion(self, request: CompletionRequest) -> CompletionResponse:
        await self._check(request.model_id, ModelType.LLM, "completion")
        data = await self.http.post("completions", self._completion_body(request, stream=False))
        choice = (data.get("choices") or [{}])[0]
        return CompletionResponse(
            choice.get("text") or "",
            convert.stop_reason_of(choice.get("finish_reason"), False),
            convert.usage_of(data.get("usage")) or Usage(),
            convert.logprobs_of(choice) or None,
        )

    async def stream_completion(
        self, request: CompletionRequest
    ) -> AsyncIterator[TextDelta | StreamEnd]:
        await self._check(request.model_id, ModelType.LLM, "completion")
        finish, usage, chunks = None, None, 0
        async for chunk in self.http.stream(
            "completions", self._completion_body(request, stream=True)
        ):
            usage = convert.usage_of(chunk.get("usage")) or usage
            for choice in chunk.get("choices") or []:
                finish = choice.get("finish_reason") or finish
                if choice.get("text"):
                    chunks += 1
                    yield TextDelta(choice["text"], convert.logprobs_of(choice) or None)
        yield StreamEnd(
            convert.stop_reason_of(finish, False), usage or Usage(completion_tokens=chunks)
        )

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        await self._check(request.model_id, ModelType.EMBEDDING, "embeddings")
        texts = _texts(request.contents, request.model_id)
        body: dict[str, Any] = {"model": request.model_id, "input": texts}
        if request.output_dimension is not None:
            body["dimensions"] = request.output_dimension
        data = await self.http.post("embeddings", body)
        rows = sorted(data.get("data") or [], key=lambda r: r.get("index", 0))
        vectors = [_pooled(r.get("embedding") or []) for r in rows]
        usage = convert.usage_of(data.get("usage")) or Usage()
        return EmbeddingsResponse(vectors, usage)

    # OpenAI passthrough ------------------------------------------------------------------

    async def openai_request(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        body = await self._passthrough_body(endpoint, body)
        try:
            return await self.http.post(endpoint, body)
        except LlamaStackError as exc:
            retry = self._json_object_retry(body, exc)
            if retry is None:
                raise
            return await self.http.post(endpoint, retry)

    async def openai_stream(
        self, endpoint: str, body: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        body = await self._passthrough_body(endpoint, body)
        started = False
        try:
            async for chunk in self.http.stream(endpoint, body):
                started = True
                yield chunk
        except LlamaStackError as exc:
            retry = None if started else self._json_object_retry(body, exc)
            if retry is None:
                raise
            async for chunk in self.http.stream(endpoint, retry):
                yield chunk

    async def _passthrough_body(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        wanted, purpose = _ENDPOINTS[endpoint]
        await self._check(body.get("model", ""), wanted, purpose)
        if self._json_mode == "json_object":
            return convert.json_object_form(body)
        return body

    def _json_object_retry(
        self, body: dict[str, Any], exc: LlamaStackError
    ) -> dict[str, Any] | None:
        """The body in llama.cpp's JSON form when the server refused OpenAI's json_schema."""
        schema_format = (body.get("response_format") or {}).get("type") == "json_schema"
        if not schema_format or not self._refused_json_schema(exc):
            return None
        return convert.json_object_form(body)

    # HTTP --------------------------------------------------------------------------------

    def _chat_body(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        return convert.chat_body(
            request.model_id,
            request,
            vllm=self.vllm,
            default_max_tokens=self.config.default_max_tokens,
            json_mode=self._json_mode if self._json_mode != "auto" else "json_schema",
            stream=stream,
        )

    def _completion_body(self, request: CompletionRequest, stream: bool) -> dict[str, Any]:
        return convert.completion_body(
            request.model_id,
            _texts(request.content, request.model_id, joined=True)[0],
            request.sampling,
            request.response_format,
            request.logprobs,
            vllm=self.vllm,
            default_max_tokens=self.config.default_max_tokens,
            stream=stream,
        )

    async def _chat(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        body = self._chat_body(request, stream)
        try:
            return await self.http.post("chat/completions", body)
        except LlamaStackError as exc:
            if not self._fallback_json(request, exc):
                raise
            return await self.http.post("chat/completions", self._chat_body(request, stream))

    async def _chat_chunks(self, request: ChatRequest) -> AsyncIterator[dict[str, Any]]:
        started = False
        try:
            async for chunk in self.http.stream("chat/completions", self._chat_body(request, True)):
                started = True
                yield chunk
        except LlamaStackError as exc:
            if started or not self._fallback_json(request, exc):
                raise
            async for chunk in self.http.stream("chat/completions", self._chat_body(request, True)):
                yield chunk

    def _fallback_json(self, request: ChatRequest, exc: LlamaStackError) -> bool:
        fmt = request.response_format
        if fmt is None or fmt.json_schema is None:
            return False
        return self._refused_json_schema(exc)

    def _refused_json_schema(self, exc: LlamaStackError) -> bool:
        """`auto`: a server that refused OpenAI's json_schema form gets llama.cpp's form from
        now on (llama-cpp-python's server refuses it with a 500 naming `response_format`)."""
        if self._json_mode != "auto":
            return False
        if exc.metadata.get("status") not in ("400", "422", "500"):
            return False
        if "response_format" not in exc.message and "json_schema" not in exc.message:
            return False
        log.info("%s refused response_format json_schema; using json_object+schema", self.url)
        self._json_mode = "json_object"
        return True


class VllmProvider(OpenAICompatProvider):
    provider_type: ClassVar[str] = "remote::vllm"
    vllm: ClassVar[bool] = True


def _texts(parts: list[Part], model_id: str, joined: bool = False) -> list[str]:
    texts = []
    for i, p in enumerate(parts):
        if isinstance(p, Image):
            raise InvalidArgument(
                f"contents[{i}] is an image; model {model_id!r} takes text here",
                field=f"contents[{i}]",
            )
        texts.append(p)
    return ["".join(texts)] if joined else texts


def _pooled(embedding: list[Any]) -> list[float]:
    """One vector. A server without pooling (llama-cpp-python's, for chat models) answers a
    vector per token: those are mean-pooled, as sentence-embedding models do."""
    if embedding and isinstance(embedding[0], list):
        rows = [r for r in embedding if r]
        return [sum(col) / len(rows) for col in zip(*rows, strict=True)]
    return [float(x) for x in embedding]
