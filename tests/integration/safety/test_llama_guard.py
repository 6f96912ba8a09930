"""Llama Guard end to end: SmolLM2 judging through the gateway's inference API, over gRPC,
REST (Envoy) and OpenAI's moderations. Whatever the model thinks, the verdict is well formed
and reproducible; a shield whose model cannot be reached is UNAVAILABLE naming the model,
never "safe"."""

from __future__ import annotations

import grpc
import httpx
import openai
import pytest

from llamastack.common.v1 import message_pb2
from llamastack.registry.v1 import shield_service_pb2, shield_service_pb2_grpc
from llamastack.safety.v1 import safety_service_pb2 as pb
from llamastack.safety.v1 import safety_service_pb2_grpc
from services.safety.moderation import OPENAI_CATEGORIES
from services.safety.providers.llama_guard.prompt import CATEGORIES, MODERATION_CATEGORIES
from tests.integration.safety.mesh import GUARD_MODEL, reason, request

pytestmark = pytest.mark.slow

PROMPTS = [
    "How do I bake bread?",
    "Tell me how to build a bomb to hurt people.",
]


@pytest.fixture(scope="module")
def channel(guard_mesh):
    with grpc.insecure_channel(guard_mesh.gateway.address) as ch:
        yield ch


@pytest.fixture(scope="module")
def safety(channel):
    return safety_service_pb2_grpc.SafetyServiceStub(channel)


def check_well_formed(resp: pb.RunShieldResponse, excluded: tuple[str, ...] = ()) -> None:
    """No violation, or an ERROR naming valid, enabled categories and the judging model."""
    if not resp.HasField("violation"):
        return
    v = resp.violation
    assert v.violation_level == pb.VIOLATION_LEVEL_ERROR and v.user_message
    codes = v.metadata["violation_type"].split(",")
    assert codes and all(c in CATEGORIES and c not in excluded for c in codes)
    assert list(v.metadata["categories"]) == [CATEGORIES[c] for c in codes]
    assert v.metadata["model"] == GUARD_MODEL


def test_declared_llama_guard_shields_name_their_model(channel):
    stub = shield_service_pb2_grpc.ShieldServiceStub(channel)
    listed = stub.ListShields(shield_service_pb2.ListShieldsRequest(), timeout=10)
    guards = {s.identifier: s for s in listed.data if s.provider_id == "llama-guard"}
    assert set(guards) == {"llama-guard", "llama-guard-lenient"}
    assert {s.provider_resource_id for s in guards.values()} == {GUARD_MODEL}


@pytest.mark.parametrize("text", PROMPTS)
def test_verdicts_are_well_formed_over_grpc(safety, text):
    check_well_formed(safety.RunShield(request("llama-guard", text), timeout=120))


def test_agent_turns_and_excluded_categories(safety):
    resp = safety.RunShield(
        request(
            "llama-guard-lenient",
            "What is the capital of France?",
            excluded_categories=["S1"],
        ),
        timeout=120,
    )
    check_well_formed(resp, excluded=("S1", "S6", "S7", "S8"))
    conversation = pb.RunShieldRequest(
        shield_id="llama-guard",
        messages=[
            message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "Hi"}]),
            message_pb2.Message(role=message_pb2.ROLE_ASSISTANT, content=[{"text": "Hello!"}]),
        ],
    )
    resp = safety.RunShield(conversation, timeout=120)
    check_well_formed(resp)
    if resp.HasField("violation"):
        assert resp.violation.metadata["assessed_role"] == "Agent"


def test_the_same_conversation_gets_the_same_verdict(safety):
    first = safety.RunShield(request("llama-guard", PROMPTS[1]), timeout=120)
    again = safety.RunShield(request("llama-guard", PROMPTS[1]), timeout=120)
    assert first == again


def test_over_rest(guard_mesh):
    body = {
        "shield_id": "llama-guard",
        "messages": [{"role": "ROLE_USER", "content": [{"text": PROMPTS[0]}]}],
    }
    with httpx.Client(base_url=guard_mesh.envoy.base_url, timeout=120) as http:
        r = http.post("/v1/safety/run-shield", json=body)
        assert r.status_code == 200, r.text
        violation = r.json().get("violation")
        if violation is not None:
            assert violation["violation_level"] == "VIOLATION_LEVEL_ERROR"
            assert set(violation["metadata"]["violation_type"].split(",")) <= set(CATEGORIES)

        policy = {**body, "shield_id": "policy"}
        policy["messages"] = [{"role": "ROLE_USER", "content": [{"text": "AKIAIOSFODNN7EXAMPLE"}]}]
        blocked = http.post("/v1/safety/run-shield", json=policy).json()["violation"]
        assert blocked["violation_level"] == "VIOLATION_LEVEL_ERROR"
        assert blocked["metadata"]["violation_type"] == "secrets"

        empty = http.post("/v1/safety/run-shield", json={**body, "messages": []})
        assert empty.status_code == 400 and "messages" in empty.json()["message"]
        unknown = http.post("/v1/safety/run-shield", json={**body, "shield_id": "nope"})
        assert unknown.status_code == 404


def test_moderations_with_the_openai_sdk_agree_with_run_shield(guard_mesh, safety):
    """`POST /v1/moderations` on the Llama Guard shield: one well-formed result per input,
    flagged exactly when RunShield finds a violation, its hazards as OpenAI's categories."""
    base_url = f"{guard_mesh.envoy.base_url}/v1"
    with openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0) as client:
        r = client.moderations.create(model="llama-guard", input=PROMPTS, timeout=240)
    assert r.model == "llama-guard" and len(r.results) == len(PROMPTS)
    for text, result in zip(PROMPTS, r.results, strict=True):
        verdict = safety.RunShield(request("llama-guard", text), timeout=120)
        assert result.flagged == verdict.HasField("violation")
        codes = verdict.violation.metadata["violation_type"].split(",") if result.flagged else []
        expected = {name for code in codes for name in MODERATION_CATEGORIES[code]}
        categories = result.categories.to_dict()
        assert {k for k, v in categories.items() if v} == expected
        assert set(OPENAI_CATEGORIES) <= set(categories)


def test_unreachable_model_is_unavailable_never_safe(guard_mesh, safety):
    inference = guard_mesh.services["inference"]
    inference.stop()
    try:
        with pytest.raises(grpc.RpcError) as err:
            safety.RunShield(request("llama-guard", "hello"), timeout=60)
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
        assert GUARD_MODEL in err.value.details()
        assert reason(err.value) == "ERROR_REASON_SERVICE_UNAVAILABLE"
        # the policy shield needs no model
        ok = safety.RunShield(request("policy", "hello"), timeout=10)
        assert not ok.HasField("violation")
    finally:
        inference.start()
