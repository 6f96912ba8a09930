"""The eval provider types this service can host (imported lazily, see inference)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.eval.provider import EvalProviderBase

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], EvalProviderBase]


def _meta_reference(provider_id: str, config: Mapping[str, Any]) -> EvalProviderBase:
    from services.eval.providers.meta_reference.provider import MetaReferenceEvalProvider

    return MetaReferenceEvalProvider(provider_id, config)


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {"inline::meta-reference": _meta_reference}
