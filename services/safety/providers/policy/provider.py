"""`inline::policy`: a deterministic shield that needs no model.

Each shield is a list of rules (see `rules.py`): the rule set its `provider_shield_id`
names (from the provider's config, else built-in: `default`, `pii`, `secrets`) followed by
its `params.rules`. Registration compiles the rules, so a bad rule is refused with
INVALID_ARGUMENT (a bad configured rule set fails start-up) and a call never fails on one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from services.common.errors import InvalidArgument
from services.safety.provider import ShieldProviderBase, check_run_params, parse_params
from services.safety.providers.policy.config import (
    BUILTIN_RULE_SETS,
    PolicyConfig,
    PolicyShieldParams,
)
from services.safety.providers.policy.rules import Rule, compile_rules, evaluate
from services.safety.types import RunRequest, Violation

__all__ = ["PolicyProvider"]

#: Longer texts are checked in a worker thread (about 1 ms per 1,000 characters), so a
#: large call does not hold up the others; shorter ones cost less than the thread hop.
INLINE_MAX_CHARS = 16_384


class PolicyProvider(ShieldProviderBase[list[Rule]]):
    provider_type: ClassVar[str] = "inline::policy"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = PolicyConfig.model_validate(dict(config))
        self.rule_sets = {**BUILTIN_RULE_SETS, **self.config.rule_sets}

    async def build_shield(
        self, shield_id: str, provider_resource_id: str, params: dict
    ) -> list[Rule]:
        where = f"shield {shield_id!r}: params"
        parsed = parse_params(PolicyShieldParams, params, where)
        base = self.rule_sets.get(provider_resource_id, [])
        if not base and not parsed.rules:
            raise InvalidArgument(
                f"shield {shield_id!r} has no rules: its provider_shield_id "
                f"{provider_resource_id!r} names none of the rule sets of {self.label} "
                f"({', '.join(sorted(self.rule_sets))}) and its params have no rules",
                field="params.rules",
            )
        regions = parsed.phone_regions or self.config.phone_regions
        return compile_rules([*base, *parsed.rules], regions)

    async def run(self, shield: list[Rule], request: RunRequest) -> Violation | None:
        check_run_params(request, self.provider_type, {})
        if sum(len(m.text) for m in request.messages) > INLINE_MAX_CHARS:
            return await asyncio.to_thread(evaluate, shield, request.messages)
        return evaluate(shield, request.messages)
