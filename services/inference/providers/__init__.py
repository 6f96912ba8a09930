"""The inference provider types this service can host (explicit: no string-path imports)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from services.common.config import ConfigError
from services.inference.provider import InferenceProviderBase
from services.inference.providers.llama_cpp.provider import LlamaCppProvider
from services.inference.providers.openai_compat.provider import OpenAICompatProvider, VllmProvider
from services.inference.providers.sentence_transformers.provider import (
    SentenceTransformersProvider,
)

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], InferenceProviderBase]


def _factory(cls: type[InferenceProviderBase]) -> Factory:
    def make(provider_id: str, config: Mapping[str, Any]) -> InferenceProviderBase:
        try:
            return cls(provider_id, config)
        except ValidationError as exc:
            raise ConfigError(
                f"provider {provider_id} ({cls.provider_type}): invalid config: {exc}"
            ) from None

    return make


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {
    "inline::llama-cpp": _factory(LlamaCppProvider),
    "inline::sentence-transformers": _factory(SentenceTransformersProvider),
    "remote::vllm": _factory(VllmProvider),
    "remote::openai-compatible": _factory(OpenAICompatProvider),
}
