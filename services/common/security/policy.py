"""Attribute-based access control with Llama Stack's vocabulary.

A policy is a list of rules, tried in order; the first rule whose scope and conditions match
decides (permit or forbid). When no rule matches, access is denied.

    - permit:
        principal: alice            # optional: only this principal
        actions: [create, read]     # create | read | update | delete
        resource: model::*          # <kind>::<identifier>, `<kind>::*`, or a `prefix*`
      when: user with admin in roles
    - forbid:
        actions: [delete]
      unless: user is owner
      description: only owners delete

Conditions (`when`: all must hold; `unless`: the rule applies unless all hold):
`user is owner`, `user is not owner`, `user in owners <attr>`, `user not in owners <attr>`,
`user with <value> in <attr>`, `user with <value> not in <attr>`, `resource is unowned`.
`user in owners teams` holds when the caller shares a team with the owner; unlike the
reference, an owner without `teams` shares with nobody (there, with everybody).

Everything here is plain data and pure functions: the gateway evaluates it on its hot path,
and services can reuse it to scope their own objects by the forwarded principal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

__all__ = [
    "DEFAULT_POLICY",
    "AccessRule",
    "Action",
    "Condition",
    "Owner",
    "Policy",
    "Scope",
    "Subject",
    "parse_condition",
]


class Action(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Subject:
    """Who calls: a principal and its attributes (`roles`, `teams`, `projects`, ...)."""

    principal: str
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def has(self, attr: str, value: str) -> bool:
        return value in self.attributes.get(attr, ())


@dataclass(frozen=True, slots=True)
class Owner:
    """Who registered a resource (empty principal: nobody, e.g. declared in the run config)."""

    principal: str = ""
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# -- conditions ------------------------------------------------------------------------------

_WORD = r"([A-Za-z0-9_.:@/+=-]+)"
_CONDITIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"user is owner"), "is_owner"),
    (re.compile(r"user is not owner"), "is_not_owner"),
    (re.compile(rf"user in owners {_WORD}"), "in_owners"),
    (re.compile(rf"user not in owners {_WORD}"), "not_in_owners"),
    (re.compile(rf"user with {_WORD} in {_WORD}"), "with_in"),
    (re.compile(rf"user with {_WORD} not in {_WORD}"), "with_not_in"),
    (re.compile(r"resource is unowned"), "unowned"),
]


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str
    args: tuple[str, ...] = ()

    def holds(self, subject: Subject, owner: Owner) -> bool:
        k = self.kind
        if k == "is_owner":
            return bool(owner.principal) and owner.principal == subject.principal
        if k == "is_not_owner":
            return not (bool(owner.principal) and owner.principal == subject.principal)
        if k == "unowned":
            return not owner.principal
        if k in ("in_owners", "not_in_owners"):
            required = owner.attributes.get(self.args[0], ())
            shared = any(subject.has(self.args[0], v) for v in required)
            return shared if k == "in_owners" else not shared
        value, attr = self.args
        return subject.has(attr, value) if k == "with_in" else not subject.has(attr, value)


def parse_condition(text: str) -> Condition:
    """A condition from its text; ValueError naming the accepted forms otherwise."""
    normalized = " ".join(text.split())
    for pattern, kind in _CONDITIONS:
        m = pattern.fullmatch(normalized)
        if m:
            return Condition(kind, m.groups())
    raise ValueError(
        f"unknown condition {text!r}; use one of: 'user is owner', 'user is not owner', "
        "'user in owners <attr>', 'user not in owners <attr>', 'user with <value> in <attr>', "
        "'user with <value> not in <attr>', 'resource is unowned'"
    )


# -- rules (run.yaml) ------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(_Model):
    principal: str | None = None
    actions: list[Action]
    #: `<kind>::<identifier>`; `*` at the end matches any suffix; None: every resource.
    resource: str | None = None

    @field_validator("actions", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("resource")
    @classmethod
    def _resource(cls, value: str | None) -> str | None:
        if value is not None and "::" not in value:
            raise ValueError(
                f"resource {value!r} must read <kind>::<identifier> (e.g. model::*, "
                "vector_db::team-a/*)"
            )
        return value

    def matches(self, action: str, qualified: str, principal: str) -> bool:
        if self.principal is not None and self.principal != principal:
            return False
        if action not in self.actions:
            return False
        if self.resource is None:
            return True
        if self.resource.endswith("*"):
            return qualified.startswith(self.resource[:-1])
        return qualified == self.resource


class AccessRule(_Model):
    permit: Scope | None = None
    forbid: Scope | None = None
    when: list[str] = []
    unless: list[str] = []
    description: str = ""

    @field_validator("when", "unless", mode="before")
    @classmethod
    def _conditions(cls, value: Any) -> Any:
        value = [value] if isinstance(value, str) else value
        for text in value or []:
            parse_condition(text)  # raises with the accepted forms
        return value

    @model_validator(mode="after")
    def _one_scope(self) -> AccessRule:
        if (self.permit is None) == (self.forbid is None):
            raise ValueError("an access rule has exactly one of `permit` or `forbid`")
        if self.when and self.unless:
            raise ValueError("an access rule has `when` or `unless`, not both")
        return self


# -- evaluation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Compiled:
    effect: Literal["permit", "forbid"]
    scope: Scope
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]


class Policy:
    """Compiled rules: `allowed(subject, action, kind, identifier, owner)`."""

    def __init__(self, rules: Sequence[AccessRule]) -> None:
        self._rules = tuple(_compile(r) for r in rules)

    def allowed(
        self, subject: Subject, action: str, kind: str, identifier: str, owner: Owner
    ) -> bool:
        qualified = f"{kind}::{identifier}"
        for rule in self._rules:
            if not rule.scope.matches(action, qualified, subject.principal):
                continue
            if rule.when:
                applies = all(c.holds(subject, owner) for c in rule.when)
            elif rule.unless:
                applies = not all(c.holds(subject, owner) for c in rule.unless)
            else:
                applies = True
            if applies:
                return rule.effect == "permit"
        return False


def _compile(rule: AccessRule) -> _Compiled:
    effect: Literal["permit", "forbid"] = "permit" if rule.permit is not None else "forbid"
    scope = rule.permit or rule.forbid
    assert scope is not None
    when = tuple(parse_condition(c) for c in rule.when)
    unless = tuple(parse_condition(c) for c in rule.unless)
    return _Compiled(effect, scope, when, unless)


#: The policy when `server.auth.access_policy` is empty: owners do anything with what they
#: registered, the admin role does anything, everyone reads what nobody owns (resources
#: declared in the run config) and may register. Stricter than the reference's default,
#: which lets any two callers without attributes use each other's resources; sharing with a
#: team is one rule (`permit: {actions: [read]}, when: user in owners teams`).
DEFAULT_POLICY: tuple[AccessRule, ...] = (
    AccessRule(
        permit=Scope(actions=list(Action)),
        when=["user with admin in roles"],
        description="admins do anything",
    ),
    AccessRule(permit=Scope(actions=list(Action)), when=["user is owner"], description="owners"),
    AccessRule(
        permit=Scope(actions=[Action.READ]),
        when=["resource is unowned"],
        description="everyone reads what the run config declares",
    ),
    AccessRule(permit=Scope(actions=[Action.CREATE]), description="anyone registers"),
)
