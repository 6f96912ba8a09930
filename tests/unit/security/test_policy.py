"""The access policy: conditions, first match decides, default deny, the default policy."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.security.policy import (
    DEFAULT_POLICY,
    AccessRule,
    Owner,
    Policy,
    Subject,
    parse_condition,
)

ALICE = Subject("alice", {"teams": ("red",), "roles": ("dev",)})
BOB = Subject("bob", {"teams": ("blue",)})
CAROL = Subject("carol", {"teams": ("red", "green")})
ADMIN = Subject("root", {"roles": ("admin",)})
ALICES = Owner("alice", {"teams": ("red",)})
TEAMLESS = Owner("dave")
UNOWNED = Owner()


def policy(*rules: dict) -> Policy:
    return Policy([AccessRule.model_validate(r) for r in rules])


@pytest.mark.parametrize(
    ("text", "subject", "owner", "holds"),
    [
        ("user is owner", ALICE, ALICES, True),
        ("user is owner", BOB, ALICES, False),
        ("user is owner", ALICE, UNOWNED, False),
        ("user is not owner", BOB, ALICES, True),
        ("user in owners teams", CAROL, ALICES, True),
        ("user in owners teams", BOB, ALICES, False),
        # stricter than the reference: an owner without teams shares with nobody
        ("user in owners teams", BOB, TEAMLESS, False),
        ("user not in owners teams", BOB, ALICES, True),
        ("user with admin in roles", ADMIN, UNOWNED, True),
        ("user with admin in roles", ALICE, UNOWNED, False),
        ("user with admin not in roles", ALICE, UNOWNED, True),
        ("resource is unowned", BOB, UNOWNED, True),
        ("resource is unowned", BOB, ALICES, False),
        ("  user   is owner ", ALICE, ALICES, True),
    ],
)
def test_conditions(text, subject, owner, holds):
    assert parse_condition(text).holds(subject, owner) is holds


def test_unknown_conditions_name_the_accepted_forms():
    with pytest.raises(ValueError, match="user is owner"):
        parse_condition("user owns it")


def test_first_matching_rule_decides_and_nothing_matching_denies():
    p = policy(
        {"forbid": {"actions": ["delete"]}, "unless": "user is owner"},
        {"permit": {"actions": ["read", "delete"]}},
    )
    assert p.allowed(BOB, "read", "model", "m", ALICES)
    assert not p.allowed(BOB, "delete", "model", "m", ALICES)
    assert p.allowed(ALICE, "delete", "model", "m", ALICES)
    assert not p.allowed(ALICE, "create", "model", "m", ALICES)  # no rule: denied
    assert not Policy([]).allowed(ADMIN, "read", "model", "m", UNOWNED)


def test_scopes_match_principal_action_and_resource_patterns():
    p = policy(
        {"permit": {"principal": "bob", "actions": "read", "resource": "model::shared/*"}},
        {"permit": {"actions": ["read"], "resource": "vector_db::docs"}},
    )
    assert p.allowed(BOB, "read", "model", "shared/x", ALICES)
    assert not p.allowed(ALICE, "read", "model", "shared/x", ALICES)
    assert not p.allowed(BOB, "read", "model", "other", ALICES)
    assert p.allowed(ALICE, "read", "vector_db", "docs", UNOWNED)
    assert not p.allowed(ALICE, "read", "vector_db", "docs2", UNOWNED)


def test_when_needs_every_condition():
    both = ["user in owners teams", "user with dev in roles"]
    p = policy({"permit": {"actions": ["read"]}, "when": both})
    assert p.allowed(ALICE, "read", "model", "m", Owner("x", {"teams": ("red",)}))
    assert not p.allowed(CAROL, "read", "model", "m", Owner("x", {"teams": ("red",)}))


@pytest.mark.parametrize(
    "rule",
    [
        {"permit": {"actions": ["read"]}, "forbid": {"actions": ["read"]}},
        {},
        {"permit": {"actions": ["read"]}, "when": "user is owner", "unless": "user is owner"},
        {"permit": {"actions": ["fly"]}},
        {"permit": {"actions": ["read"], "resource": "models"}},
        {"permit": {"actions": ["read"]}, "when": "user is someone"},
        {"permit": {"actions": ["read"]}, "extra": 1},
    ],
)
def test_bad_rules_are_config_errors(rule):
    with pytest.raises(ValidationError):
        AccessRule.model_validate(rule)


def test_the_default_policy():
    p = Policy(DEFAULT_POLICY)
    assert p.allowed(ALICE, "delete", "model", "m", ALICES)
    assert not p.allowed(BOB, "read", "model", "m", ALICES)
    assert not p.allowed(CAROL, "read", "model", "m", ALICES)  # no sharing by default
    assert p.allowed(BOB, "read", "model", "m", UNOWNED)
    assert not p.allowed(BOB, "delete", "model", "m", UNOWNED)
    assert p.allowed(ADMIN, "delete", "model", "m", ALICES)
    assert p.allowed(BOB, "create", "model", "new", Owner("bob"))
