"""The scoring provider types this service can host (imported lazily, see inference)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.scoring.provider import ScoringProviderBase

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], ScoringProviderBase]


def _basic(provider_id: str, config: Mapping[str, Any]) -> ScoringProviderBase:
    from services.scoring.providers.basic.provider import BasicProvider

    return BasicProvider(provider_id, config)


def _llm_as_judge(provider_id: str, config: Mapping[str, Any]) -> ScoringProviderBase:
    from services.scoring.providers.llm_as_judge.provider import LlmAsJudgeProvider

    return LlmAsJudgeProvider(provider_id, config)


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {
    "inline::basic": _basic,
    "inline::llm-as-judge": _llm_as_judge,
}
