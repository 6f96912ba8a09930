"""`inline::llama-guard`: Llama Guard's prompt format judged by a registered LLM, reached
through the gateway's inference API (Llama Guard on vLLM in production, SmolLM2 here).

A shield's `provider_shield_id` names the judging model (a registered LLM: checked through
the gateway's ModelService at registration); `params.excluded_categories` removes hazard
categories for that shield, and a call's `params.excluded_categories` removes more for that
call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.gateway_client import GatewayClient
from services.common.settings import Settings
from services.safety.provider import ShieldProviderBase, check_run_params, parse_params
from services.safety.providers.llama_guard.judge import Judge
from services.safety.providers.llama_guard.prompt import (
    CATEGORIES,
    MAX_VERDICT_TOKENS,
    VerdictError,
    build_prompt,
    check_codes,
    grammar,
    parse_verdict,
    to_violation,
)
from services.safety.types import RunRequest, Violation

__all__ = ["GuardShield", "LlamaGuardConfig", "LlamaGuardProvider"]

_RUN_PARAMS = {"excluded_categories": "hazard categories (S1..S14) not to check in this call"}


Codes = Annotated[list[str], AfterValidator(lambda v: list(check_codes(v, "excluded_categories")))]


class LlamaGuardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Categories no shield of this provider checks.
    excluded_categories: Codes = Field(default_factory=list)
    #: Longest a verdict may take (the caller's deadline, when shorter, wins).
    timeout_s: float = Field(120.0, gt=0)
    #: Deadline of the registration check (ModelService.GetModel through the gateway).
    check_timeout_s: float = Field(10.0, gt=0)


class _ShieldParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    excluded_categories: Codes = Field(default_factory=list)


@dataclass(frozen=True)
class GuardShield:
    #: The judging model's registry identifier.
    model_id: str
    #: Categories it checks, in S1..S14 order.
    enabled: tuple[str, ...]


class LlamaGuardProvider(ShieldProviderBase[GuardShield]):
    provider_type: ClassVar[str] = "inline::llama-guard"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = LlamaGuardConfig.model_validate(dict(config))
        self.judge = Judge(GatewayClient(Settings().gateway_addr))

    async def shutdown(self) -> None:
        await self.judge.gateway.close()

    async def build_shield(
        self, shield_id: str, provider_resource_id: str, params: dict
    ) -> GuardShield:
        parsed = parse_params(_ShieldParams, params, f"shield {shield_id!r}: params")
        excluded = {*self.config.excluded_categories, *parsed.excluded_categories}
        enabled = tuple(c for c in CATEGORIES if c not in excluded)
        if not enabled:
            raise InvalidArgument(
                f"shield {shield_id!r} excludes every category: nothing would be checked",
                field="params.excluded_categories",
            )
        model_id = await self.judge.registered_llm(
            provider_resource_id, shield_id, self.config.check_timeout_s
        )
        return GuardShield(model_id, enabled)

    async def run(self, shield: GuardShield, request: RunRequest) -> Violation | None:
        check_run_params(request, self.provider_type, _RUN_PARAMS)
        name = f"shield {request.shield_id!r}"
        params = parse_params(_ShieldParams, request.params, f"{name}: run params")
        enabled = [c for c in shield.enabled if c not in set(params.excluded_categories)]
        if not enabled:
            raise InvalidArgument(
                f"{name}: the run params exclude every category it checks "
                f"({', '.join(shield.enabled)})",
                field="params.excluded_categories",
            )
        try:
            prompt, role = build_prompt(request.messages, enabled)
        except ValueError as exc:
            raise InvalidArgument(f"{name}: {exc}", field="messages") from None
        caller = request.timeout if request.timeout is not None else math.inf
        answer = await self.judge.verdict(
            shield.model_id,
            prompt,
            grammar(enabled),
            MAX_VERDICT_TOKENS,
            min(self.config.timeout_s, caller),
            shield_id=request.shield_id,
            caller_deadline=caller <= self.config.timeout_s,
        )
        try:
            verdict = parse_verdict(answer, enabled)
        except VerdictError as exc:
            raise FailedPrecondition(
                f"{name}: model {shield.model_id!r} did not answer with a Llama Guard "
                f"verdict ({exc}); its inference provider must honour GBNF grammars "
                "(response_format.grammar)",
                modelId=shield.model_id,
            ) from None
        return to_violation(verdict, shield.model_id, role)
