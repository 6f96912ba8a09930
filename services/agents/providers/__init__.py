"""The agents provider types (one: the reference's `inline::meta-reference`), imported lazily."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.common.providers import Provider

__all__ = ["PROVIDERS"]


def _meta_reference(provider_id: str, config: Mapping[str, Any]) -> Provider:
    from services.agents.provider import AgentsProvider

    return AgentsProvider(provider_id, config)


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Callable[[str, Mapping[str, Any]], Provider]] = {
    "inline::meta-reference": _meta_reference,
}
