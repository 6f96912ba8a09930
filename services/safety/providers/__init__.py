"""The safety provider types this service can host.

Explicit (no string-path imports) and lazy: each factory imports its provider module when a
provider of that type is configured.

`inline::prompt-guard` (the reference's Prompt-Guard-86M classifier) is absent: no
prompt-injection classifier installs from a package registry with its weights (see
ARCHITECTURE.md, "Safety service").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.safety.provider import ShieldProviderBase

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], ShieldProviderBase[Any]]


def _llama_guard(provider_id: str, config: Mapping[str, Any]) -> ShieldProviderBase[Any]:
    from services.safety.providers.llama_guard.provider import LlamaGuardProvider

    return LlamaGuardProvider(provider_id, config)


def _policy(provider_id: str, config: Mapping[str, Any]) -> ShieldProviderBase[Any]:
    from services.safety.providers.policy.provider import PolicyProvider

    return PolicyProvider(provider_id, config)


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {
    "inline::llama-guard": _llama_guard,
    "inline::policy": _policy,
}
