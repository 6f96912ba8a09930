"""What an inference provider is: the capability Protocols the service calls (an embedding-only
provider implements no LLM methods), and the model table every inference provider composes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from google.protobuf import json_format

from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument, ResourceTypeMismatch
from services.common.providers import Provider
from services.common.resources import Accepted, ResourceTable
from services.inference.types import (
    ChatRequest,
    ChatResponse,
    ChatStreamItem,
    CompletionRequest,
    CompletionResponse,
    EmbeddingsRequest,
    EmbeddingsResponse,
    ModelType,
    StreamEnd,
    TextDelta,
)

__all__ = [
    "EmbeddingProvider",
    "InferenceProviderBase",
    "LLMProvider",
    "ModelEntry",
    "OpenAIPassthrough",
]

_TYPE_TO_PROTO = {
    ModelType.LLM: resources_pb2.MODEL_TYPE_LLM,
    ModelType.EMBEDDING: resources_pb2.MODEL_TYPE_EMBEDDING,
}
_PROTO_TO_TYPE = {v: k for k, v in _TYPE_TO_PROTO.items()}


@runtime_checkable
class LLMProvider(Protocol):
    """A provider of text generation. `model_id` in requests is the provider's own id (the
    registry's `provider_resource_id`). Streams yield deltas and end with one `StreamEnd`."""

    async def chat_completion(self, request: ChatRequest) -> ChatResponse: ...

    def stream_chat_completion(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]: ...

    async def completion(self, request: CompletionRequest) -> CompletionResponse: ...

    def stream_completion(
        self, request: CompletionRequest
    ) -> AsyncIterator[TextDelta | StreamEnd]: ...


@runtime_checkable
class EmbeddingProvider(Protocol):
    """A provider of embeddings."""

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse: ...


@runtime_checkable
class OpenAIPassthrough(Protocol):
    """A provider whose backend speaks the OpenAI API: OpenAI requests (plain JSON, `model`
    already the provider's own id) go to it as they are, so the backend's own features and
    prompt caches keep working. `endpoint` is `chat/completions`, `completions` or
    `embeddings`; streams yield the JSON of each Server-Sent Event until `[DONE]`."""

    async def openai_request(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def openai_stream(
        self, endpoint: str, body: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]: ...


@dataclass
class ModelEntry:
    """A model a provider serves."""

    model_id: str
    model_type: ModelType
    metadata: dict[str, Any] = field(default_factory=dict)


class InferenceProviderBase(Provider):
    """An inference provider's model table (a `ResourceTable` of `ModelEntry`); subclasses
    add the capabilities they have (`LLMProvider`, `EmbeddingProvider`).

    Configured models are known from the start (a direct call works without registration);
    registered models go through `accept_model` (validate, fill metadata).
    """

    api: ClassVar[str] = "inference"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.models: ResourceTable[ModelEntry] = ResourceTable(
            "model", self.label, self.ready, accept=self._accept
        )
        self.table = self.models

    def model(self, model_id: str, wanted: ModelType, purpose: str) -> ModelEntry:
        """The model for a call, or NOT_FOUND / RESOURCE_TYPE_MISMATCH."""
        entry = self.models.get(model_id)
        if entry.model_type is not wanted:
            raise ResourceTypeMismatch(
                f"model {model_id!r} is an {entry.model_type.value} model and cannot be used "
                f"for {purpose}; use a model of type {wanted.value}",
                modelId=model_id,
                modelType=entry.model_type.value,
            )
        return entry

    async def accept_model(self, model_id: str, model_type: ModelType) -> ModelEntry:
        """Validate a model being registered; return it with normalised metadata."""
        entry = self.models.get(model_id)
        if entry.model_type is not model_type:
            raise ResourceTypeMismatch(
                f"model {model_id!r} of provider {self.provider_id} is an "
                f"{entry.model_type.value} model, not {model_type.value}; register it with "
                f"model_type {resources_pb2.ModelType.Name(_TYPE_TO_PROTO[entry.model_type])}",
                modelId=model_id,
            )
        return entry

    async def _accept(self, model: resources_pb2.Model) -> Accepted[ModelEntry]:
        model_id = model.provider_resource_id or model.identifier
        requested = _PROTO_TO_TYPE.get(model.model_type, ModelType.LLM)
        entry = await self.accept_model(model_id, requested)
        metadata = json_format.MessageToDict(model.metadata) if model.HasField("metadata") else {}
        declared = metadata.get("embedding_dimension")
        actual = entry.metadata.get("embedding_dimension")
        if declared is not None and actual is not None and int(declared) != int(actual):
            raise InvalidArgument(
                f"model {model_id!r} has embedding_dimension {actual}, not {declared}",
                modelId=model_id,
            )
        merged = {**metadata, **entry.metadata}
        out = resources_pb2.Model()
        out.CopyFrom(model)
        out.provider_resource_id = model_id
        out.model_type = _TYPE_TO_PROTO[entry.model_type]
        out.metadata.Clear()
        out.metadata.update(merged)
        return Accepted(out, ModelEntry(model_id, entry.model_type, merged))

    async def list_models(self) -> list[resources_pb2.Model]:
        return [self.model_proto(e.value) for e in self.models]

    def model_proto(self, entry: ModelEntry) -> resources_pb2.Model:
        """The model as ListProviderModels shows it: the identifier it gets when registered
        without an alias is `<provider_id>/<model_id>` (as in the reference)."""
        model = resources_pb2.Model(
            identifier=f"{self.provider_id}/{entry.model_id}",
            provider_id=self.provider_id,
            provider_resource_id=entry.model_id,
            model_type=_TYPE_TO_PROTO[entry.model_type],
        )
        model.metadata.update(entry.metadata)
        return model
