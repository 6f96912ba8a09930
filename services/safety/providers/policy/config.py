"""The policy provider's config, its built-in rule sets, and a shield's params.

A policy shield's rules are the rule set its `provider_shield_id` names (one of the
provider's `rule_sets`, else a built-in one) followed by its `params.rules`. A shield that
names no known rule set must bring its own rules.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.safety.providers.policy import detectors as det
from services.safety.providers.policy.rules import RuleSpec

__all__ = ["BUILTIN_RULE_SETS", "PolicyConfig", "PolicyShieldParams"]

_MAX_RULES = 100


def _rules(*specs: dict) -> list[RuleSpec]:
    return [RuleSpec.model_validate(s) for s in specs]


#: Rule sets every policy provider knows (a config rule set of the same name wins).
BUILTIN_RULE_SETS: dict[str, list[RuleSpec]] = {
    # Credentials and payment data block; contact details warn (often legitimate).
    "default": _rules(
        {"name": "secrets", "detectors": ["secrets"]},
        {"name": "payment", "detectors": ["credit_card", "iban"]},
        {"name": "contact", "detectors": ["email", "phone"], "action": "warn"},
    ),
    "pii": _rules({"name": "pii", "detectors": ["pii"]}),
    "secrets": _rules({"name": "secrets", "detectors": ["secrets"]}),
}


class PolicyConfig(BaseModel):
    """`inline::policy` provider config."""

    model_config = ConfigDict(extra="forbid")

    #: Named rule sets shields refer to by `provider_shield_id`.
    rule_sets: dict[str, list[RuleSpec]] = Field(default_factory=dict)
    #: Regions (ISO 3166 alpha-2) whose national phone numbers the phone detector finds;
    #: international (+...) numbers are found whatever the regions.
    phone_regions: list[str] = Field(default_factory=lambda: ["US"])

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        return list(det.phone_regions(value))

    @field_validator("rule_sets")
    @classmethod
    def _sizes(cls, value: dict[str, list[RuleSpec]]) -> dict[str, list[RuleSpec]]:
        for name, rules in value.items():
            if not rules or len(rules) > _MAX_RULES:
                raise ValueError(f"rule set {name!r} must have 1 to {_MAX_RULES} rules")
        return value


class PolicyShieldParams(BaseModel):
    """A policy shield's registration params."""

    model_config = ConfigDict(extra="forbid")

    #: Rules after those of the named rule set.
    rules: list[RuleSpec] = Field(default_factory=list, max_length=_MAX_RULES)
    #: Phone regions for this shield's phone detectors (default: the provider's).
    phone_regions: list[str] | None = None

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, value: list[str] | None) -> list[str] | None:
        return list(det.phone_regions(value)) if value is not None else None
