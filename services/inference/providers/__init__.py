"""The inference provider types this service can host.

Explicit (no string-path imports) and lazy: each factory imports its provider module when a
provider of that type is configured, so an unused provider costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.inference.provider import InferenceProviderBase

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], InferenceProviderBase]


def _llama_cpp(provider_id: str, config: Mapping[str, Any]) -> InferenceProviderBase:
    from services.inference.providers.llama_cpp.provider import LlamaCppProvider

    return LlamaCppProvider(provider_id, config)


def _sentence_transformers(provider_id: str, config: Mapping[str, Any]) -> InferenceProviderBase:
    from services.inference.providers.sentence_transformers.provider import (
        SentenceTransformersProvider,
    )

    return SentenceTransformersProvider(provider_id, config)


def _vllm(provider_id: str, config: Mapping[str, Any]) -> InferenceProviderBase:
    from services.inference.providers.openai_compat.provider import VllmProvider

    return VllmProvider(provider_id, config)


def _openai_compatible(provider_id: str, config: Mapping[str, Any]) -> InferenceProviderBase:
    from services.inference.providers.openai_compat.provider import OpenAICompatProvider

    return OpenAICompatProvider(provider_id, config)


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {
    "inline::llama-cpp": _llama_cpp,
    "inline::sentence-transformers": _sentence_transformers,
    "remote::vllm": _vllm,
    "remote::openai-compatible": _openai_compatible,
}
