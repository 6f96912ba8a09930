"""What an inference provider is: the Protocol the service calls, and the model table shared by
every provider (which models it serves, of which type, registered or configured)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from google.protobuf import json_format

from llamastack.common.v1 import resource_pb2
from llamastack.provider.v1 import provider_service_pb2
from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument, NotFound, ResourceTypeMismatch
from services.common.providers import Provider, Registered
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

__all__ = ["InferenceProvider", "InferenceProviderBase", "ModelEntry"]

_TYPE_TO_PROTO = {
    ModelType.LLM: resources_pb2.MODEL_TYPE_LLM,
    ModelType.EMBEDDING: resources_pb2.MODEL_TYPE_EMBEDDING,
}
_PROTO_TO_TYPE = {v: k for k, v in _TYPE_TO_PROTO.items()}


@runtime_checkable
class InferenceProvider(Protocol):
    """The data-plane methods of an inference provider (plus `Provider`'s lifecycle hooks).

    `model_id` in requests is the provider's own id (the registry's `provider_resource_id`).
    Streams yield deltas and end with exactly one `StreamEnd`.
    """

    provider_id: str
    provider_type: ClassVar[str]

    def knows(self, model_id: str) -> bool: ...

    async def chat_completion(self, request: ChatRequest) -> ChatResponse: ...

    def stream_chat_completion(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]: ...

    async def completion(self, request: CompletionRequest) -> CompletionResponse: ...

    def stream_completion(
        self, request: CompletionRequest
    ) -> AsyncIterator[TextDelta | StreamEnd]: ...

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse: ...


@dataclass
class ModelEntry:
    """A model a provider serves."""

    model_id: str
    model_type: ModelType
    metadata: dict[str, Any] = field(default_factory=dict)


class InferenceProviderBase(Provider):
    """Identity, lifecycle and the model table; subclasses add the data plane.

    Configured models are known from the start (a direct call works without registration);
    registered models are added by `register_resource`, which subclasses refine through
    `accept_model` (validate, fill metadata).
    """

    api: ClassVar[str] = "inference"
    resource_kinds: ClassVar[tuple[int, ...]] = (resource_pb2.RESOURCE_KIND_MODEL,)

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.models: dict[str, ModelEntry] = {}
        #: Models from the provider's config (they stay known when unregistered).
        self.configured: set[str] = set()
        #: Set by initialize() once the models are loaded (registrations wait for it).
        self.ready = asyncio.Event()

    def knows(self, model_id: str) -> bool:
        return model_id in self.models

    def model(self, model_id: str, wanted: ModelType, purpose: str) -> ModelEntry:
        """The model for a call, or NOT_FOUND / RESOURCE_TYPE_MISMATCH."""
        entry = self.models.get(model_id)
        if entry is None:
            known = sorted(self.models) or "none"
            raise NotFound(
                f"model {model_id!r} is not served by provider {self.provider_id} "
                f"({self.provider_type}); its models: {known}",
                modelId=model_id,
                providerId=self.provider_id,
            )
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
        if entry is None:
            raise NotFound(
                f"provider {self.provider_id} ({self.provider_type}) has no model "
                f"{model_id!r}; its models: {sorted(self.models) or 'none'}",
                modelId=model_id,
                providerId=self.provider_id,
            )
        if entry.model_type is not model_type:
            raise ResourceTypeMismatch(
                f"model {model_id!r} of provider {self.provider_id} is an "
                f"{entry.model_type.value} model, not {model_type.value}; register it with "
                f"model_type {resources_pb2.ModelType.Name(_TYPE_TO_PROTO[entry.model_type])}",
                modelId=model_id,
            )
        return entry

    async def register_resource(self, resource: provider_service_pb2.AnyResource) -> Registered:
        if resource.WhichOneof("resource") != "model":
            raise InvalidArgument(
                f"inference provider {self.provider_id} accepts models only, "
                f"not {resource.WhichOneof('resource')}"
            )
        await self.ready.wait()  # the gateway's deadline bounds the wait
        model = resource.model
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
        self.models[model_id] = ModelEntry(model_id, entry.model_type, merged)
        out = provider_service_pb2.AnyResource()
        out.model.CopyFrom(model)
        out.model.provider_resource_id = model_id
        out.model.model_type = _TYPE_TO_PROTO[entry.model_type]
        out.model.metadata.Clear()
        out.model.metadata.update(merged)
        return Registered(out)

    async def unregister_resource(self, resource: provider_service_pb2.AnyResource) -> None:
        if resource.WhichOneof("resource") != "model":
            return
        model_id = resource.model.provider_resource_id or resource.model.identifier
        if model_id not in self.configured:
            self.models.pop(model_id, None)

    async def list_models(self) -> list[resources_pb2.Model]:
        return [self.model_proto(e) for e in self.models.values()]

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
