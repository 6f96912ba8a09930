"""The policy shield through the real gateway and service: declared shields, verdicts,
shields that share a rule set, every bad input's status, and the CLI."""

from __future__ import annotations

import json

import grpc
import pytest
from typer.testing import CliRunner

from cli.main import app
from cli.safety import BLOCKED_EXIT
from llamastack.common.v1 import message_pb2
from llamastack.registry.v1 import shield_service_pb2, shield_service_pb2_grpc
from llamastack.safety.v1 import safety_service_pb2 as pb
from llamastack.safety.v1 import safety_service_pb2_grpc
from tests.integration.safety.mesh import GUARD_MODEL, reason, request

CARD = "my card is 4111 1111 1111 1111"


@pytest.fixture(scope="module")
def shields(policy_gateway):
    return shield_service_pb2_grpc.ShieldServiceStub(policy_gateway)


def test_declared_shields_are_registered(shields):
    listed = shields.ListShields(shield_service_pb2.ListShieldsRequest(), timeout=10)
    got = {s.identifier: s.provider_resource_id for s in listed.data}
    assert got == {"policy": "default", "weapons": "weapons"}


def test_blocks_warns_and_passes_through_the_gateway(safety):
    blocked = safety.RunShield(request("policy", "hello", CARD), timeout=10).violation
    assert blocked.violation_level == pb.VIOLATION_LEVEL_ERROR
    assert "credit card" in blocked.user_message
    assert blocked.metadata["violation_type"] == "payment"
    finding = blocked.metadata["findings"][0]
    assert finding["match"] == "credit_card" and finding["message_index"] == 1
    assert "4111" not in str(blocked)

    warned = safety.RunShield(request("policy", "write to a@example.com"), timeout=10)
    assert warned.violation.violation_level == pb.VIOLATION_LEVEL_WARN

    passed = safety.RunShield(request("policy", "hello there"), timeout=10)
    assert not passed.HasField("violation")

    disguised = safety.RunShield(request("weapons", "a b\u043em\u200bb please"), timeout=10)
    assert disguised.violation.metadata["violation_type"] == "weapons"


def test_a_direct_call_names_the_shield_by_identifier(policy_mesh):
    with grpc.insecure_channel(policy_mesh.services["safety"].address) as channel:
        stub = safety_service_pb2_grpc.SafetyServiceStub(channel)
        resp = stub.RunShield(request("weapons", "grenade"), timeout=10)
    assert resp.violation.violation_level == pb.VIOLATION_LEVEL_ERROR


def test_shields_sharing_a_rule_set_keep_their_own_rules(shields, safety):
    for ident, word in (("fruit-a", "apple"), ("fruit-b", "banana")):
        req = shield_service_pb2.RegisterShieldRequest(
            shield_id=ident, provider_id="policy", provider_shield_id="custom"
        )
        req.params.update({"rules": [{"name": word, "keywords": [word]}]})
        shields.RegisterShield(req, timeout=10)
    try:
        a = safety.RunShield(request("fruit-a", "an apple and a banana"), timeout=10)
        assert [f["rule"] for f in a.violation.metadata["findings"]] == ["apple"]
        b = safety.RunShield(request("fruit-b", "an apple"), timeout=10)
        assert not b.HasField("violation")
    finally:
        for ident in ("fruit-a", "fruit-b"):
            shields.UnregisterShield(
                shield_service_pb2.UnregisterShieldRequest(shield_id=ident), timeout=10
            )


def _code(call) -> tuple[grpc.StatusCode, str, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details(), reason(err.value)


NO_ROLE = pb.RunShieldRequest(
    shield_id="policy", messages=[message_pb2.Message(content=[{"text": "x"}])]
)


@pytest.mark.parametrize(
    ("req", "code", "text"),
    [
        (request("policy"), grpc.StatusCode.INVALID_ARGUMENT, "messages"),
        (request("", "hi"), grpc.StatusCode.INVALID_ARGUMENT, "shield_id"),
        (request("no-such-shield", "hi"), grpc.StatusCode.NOT_FOUND, "no-such-shield"),
        (request("policy", "hi", strict=True), grpc.StatusCode.INVALID_ARGUMENT, "strict"),
        (NO_ROLE, grpc.StatusCode.INVALID_ARGUMENT, "messages[0].role"),
    ],
    ids=["no messages", "no shield id", "unknown shield", "bad params", "no role"],
)
def test_bad_calls_get_clear_statuses(safety, req, code, text):
    got, details, _ = _code(lambda: safety.RunShield(req, timeout=10))
    assert got == code and text in details


def _register(shields, shield_id: str, provider: str, provider_shield_id: str, **params):
    req = shield_service_pb2.RegisterShieldRequest(
        shield_id=shield_id, provider_id=provider, provider_shield_id=provider_shield_id
    )
    if params:
        req.params.update(params)
    return shields.RegisterShield(req, timeout=30)


REFUSED = {
    "no rules": (("policy", "nothing"), {}, "names none of the rule sets"),
    "bad pattern": (("policy", "x"), {"rules": [{"patterns": ["(a)\\1"]}]}, "RE2"),
    "unknown detector": (("policy", "x"), {"rules": [{"detectors": ["dna"]}]}, "'dna'"),
    "unknown param": (("policy", "default"), {"strict": True}, "params.strict"),
    "llama guard on an unregistered model": (
        ("llama-guard", GUARD_MODEL),
        {},
        "not a registered model",
    ),
    "llama guard with an unknown category": (
        ("llama-guard", GUARD_MODEL),
        {"excluded_categories": ["S99"]},
        "S99",
    ),
}


@pytest.mark.parametrize(("args", "params", "text"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_registrations_are_invalid_and_store_nothing(shields, args, params, text):
    code, details, _ = _code(lambda: _register(shields, "refused", *args, **params))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and text in details
    listed = shields.ListShields(shield_service_pb2.ListShieldsRequest(), timeout=10)
    assert "refused" not in {s.identifier for s in listed.data}


# -- the CLI ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli(policy_mesh):
    runner = CliRunner()
    env = {"LLS_GATEWAY_ADDR": policy_mesh.gateway.address}

    def invoke(*args: str, stdin: str | None = None):
        return runner.invoke(app, list(args), input=stdin, env=env, catch_exceptions=False)

    return invoke


def test_cli_runs_a_shield(cli):
    blocked = cli("shields", "run", "policy", CARD)
    assert blocked.exit_code == BLOCKED_EXIT
    assert "blocked" in blocked.stdout and '"violation_type": "payment"' in blocked.stdout
    assert '"finding_count": 1,' in blocked.stdout  # whole numbers print as integers

    warned = cli("shields", "run", "policy", "-", "--role", "assistant", stdin="a@example.com")
    assert warned.exit_code == 0 and "warn" in warned.stdout

    passed = cli("shields", "run", "policy", "hello", "--json")
    assert passed.exit_code == 0 and json.loads(passed.stdout) == {}

    assert "policy" in cli("shields", "list").stdout


def test_cli_errors(cli):
    unknown = cli("shields", "run", "nope", "hi")
    assert unknown.exit_code == 1 and "NOT_FOUND" in unknown.stderr
    bad = cli("shields", "run", "policy", "hi", "--params", '{"strict": true}')
    assert bad.exit_code == 1 and "INVALID_ARGUMENT" in bad.stderr
    assert cli("shields", "run", "policy", "hi", "--role", "robot").exit_code == 2
