"""Forwarding: routed and unrouted calls, metadata, deadlines, errors, streams, outages."""

from __future__ import annotations

import json
import time

import grpc
import pytest

from llamastack.agents.v1 import agents_service_pb2, agents_service_pb2_grpc
from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import shield_service_pb2 as sh
from llamastack.registry.v1 import shield_service_pb2_grpc as sh_grpc
from llamastack.safety.v1 import safety_service_pb2 as sf
from llamastack.safety.v1 import safety_service_pb2_grpc as sf_grpc
from tests.integration.gateway.mesh import Mesh, error_info


def _user(text: str) -> message_pb2.Message:
    return message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": text}])


def _shield(channel, text: str, shield_id: str = "guard", **kw) -> sf.RunShieldResponse:
    return sf_grpc.SafetyServiceStub(channel).RunShield(
        sf.RunShieldRequest(shield_id=shield_id, messages=[_user(text)]), **kw
    )


def _stream(channel, n: int, pace: float, model: str = "echo-llm/m1"):
    params = sampling_pb2.SamplingParams(
        max_tokens=n, top_p=sampling_pb2.TopPSampling(temperature=pace)
    )
    return inf_grpc.InferenceServiceStub(channel).StreamChatCompletion(
        inf.StreamChatCompletionRequest(model_id=model, messages=[_user("hi")],
                                        sampling_params=params)
    )  # fmt: skip


@pytest.fixture(scope="module")
def routed(tmp_path_factory):
    """Its own mesh: these tests kill and restart services."""
    mesh = Mesh(tmp_path_factory.mktemp("routing")).start_services()
    gw = mesh.start_gateway()
    channel = grpc.insecure_channel(gw.address)
    sh_grpc.ShieldServiceStub(channel).RegisterShield(
        sh.RegisterShieldRequest(shield_id="guard", provider_id="echo-b", provider_shield_id="g-1")
    )
    yield mesh, channel
    channel.close()
    mesh.stop()


def test_a_routed_call_reaches_the_owning_provider_with_its_own_id(routed):
    _, channel = routed
    resp = _shield(
        channel, "hello", timeout=7, metadata=[("x-custom", "v"), ("x-request-id", "r1")]
    )
    echo = json.loads(resp.violation.metadata["echo"])
    assert echo["provider_id"] == "echo-b"
    assert echo["resource_id"] == "g-1"  # rewritten to the provider's id
    assert echo["metadata"]["x-llamastack-provider-id"] == "echo-b"
    assert echo["metadata"]["x-llamastack-resource-id"] == "guard"  # what the caller named
    assert echo["metadata"]["x-custom"] == "v" and echo["metadata"]["x-request-id"] == "r1"
    assert 0 < echo["deadline"] < 8  # the caller's 7 s deadline travels on (not the default)
    assert resp.violation.user_message == "hello"


def test_unknown_resource_is_not_found(routed):
    _, channel = routed
    with pytest.raises(grpc.RpcError) as err:
        _shield(channel, "x", shield_id="nope")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "'nope'" in err.value.details()
    assert error_info(err.value).metadata["resourceKind"] == "shield"


def test_errors_of_streams_carry_the_request_id(routed):
    _, channel = routed
    with pytest.raises(grpc.RpcError) as err:
        list(_stream(channel, n=1, pace=0, model="nope"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert len(error_info(err.value).metadata["requestId"]) == 16


def test_a_caller_cannot_spoof_the_provider_metadata(routed):
    _, channel = routed
    resp = _shield(channel, "x", metadata=[("x-llamastack-provider-id", "echo-a")])
    assert json.loads(resp.violation.metadata["echo"])["provider_id"] == "echo-b"


def test_upstream_errors_pass_through_unchanged(routed):
    _, channel = routed
    with pytest.raises(grpc.RpcError) as err:
        _shield(channel, "fail-invalid")
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details() == "the echo shield was asked to fail"
    assert error_info(err.value).metadata["field"] == "messages"
    with pytest.raises(grpc.RpcError) as err:
        _shield(channel, "fail-upstream")
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert err.value.details() == "the echo backend is down"  # not rewrapped as "service down"
    assert error_info(err.value).reason == "ERROR_REASON_UPSTREAM_UNAVAILABLE"


def test_stream_chunks_are_passed_on_as_they_arrive(routed):
    _, channel = routed
    call = _stream(channel, n=5, pace=0.2)
    first = next(call)
    assert first.event.delta.text == "echo-llm:0"
    assert not call.done()  # the rest is still being produced upstream
    rest = [c.event.delta.text for c in call]
    assert rest == [f"echo-llm:{i}" for i in range(1, 5)]


def test_an_api_outside_the_distribution_is_unimplemented(routed):
    _, channel = routed
    with pytest.raises(grpc.RpcError) as err:
        agents_service_pb2_grpc.AgentsServiceStub(channel).ListAgents(
            agents_service_pb2.ListAgentsRequest()
        )
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "agents API is not part of this distribution" in err.value.details()


def test_killed_service_mid_stream_then_restarted(routed):
    mesh, channel = routed
    inference = mesh.services["inference"]
    call = _stream(channel, n=200, pace=0.05)
    assert next(call).event.delta.text == "echo-llm:0"

    inference.kill()
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as err:
        for _ in call:
            pass
    waited = time.monotonic() - started
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    print(f"UNAVAILABLE {waited * 1000:.0f} ms after the kill")

    # A new call names the service that is down; other routes keep working.
    with pytest.raises(grpc.RpcError) as err:
        list(_stream(channel, n=1, pace=0))
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "inference service" in err.value.details() and inference.address in err.value.details()
    assert error_info(err.value).reason == "ERROR_REASON_SERVICE_UNAVAILABLE"
    assert _shield(channel, "still here").violation.user_message == "still here"

    # Back on the same port: the route recovers without restarting the gateway, and the
    # gateway registers the model with the new process again.
    inference.start()
    deadline = time.monotonic() + 20
    while True:
        try:
            chunks = [c.event.delta.text for c in _stream(channel, n=2, pace=0)]
            break
        except grpc.RpcError as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"route did not recover: {e.code()} {e.details()}") from e
            time.sleep(0.2)
    assert chunks == ["echo-llm:0", "echo-llm:1"]


async def test_services_reach_other_apis_through_the_gateway_client(routed):
    """services.common.gateway_client: what an API service uses for cross-API calls."""
    from services.common.gateway_client import GatewayClient

    mesh, _ = routed
    client = GatewayClient(mesh.gateways[0].address)
    try:
        stub = client.stub(sf_grpc.SafetyServiceStub)
        assert client.stub(sf_grpc.SafetyServiceStub) is stub  # one stub per channel
        resp = await stub.RunShield(
            sf.RunShieldRequest(shield_id="guard", messages=[_user("via client")]), timeout=5
        )
        assert resp.violation.user_message == "via client"
    finally:
        await client.close()


def test_a_malformed_request_is_invalid_not_internal(routed):
    _, channel = routed
    call = channel.unary_unary("/llamastack.safety.v1.SafetyService/RunShield")
    with pytest.raises(grpc.RpcError) as err:
        call(b"\x0a\x02\xff\xfe", timeout=5)  # field 1 (shield_id) with invalid UTF-8
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
