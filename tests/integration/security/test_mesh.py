"""The closed internal network: services accept only the gateway (shared secret, and mTLS),
health checks stay open; a second gateway replica shares keys, revocations and quotas."""

from __future__ import annotations

import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llamastack.admin.v1 import api_key_service_pb2 as keys_pb
from llamastack.admin.v1 import api_key_service_pb2_grpc as keys_grpc
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.provider.v1 import provider_service_pb2 as prov
from llamastack.provider.v1 import provider_service_pb2_grpc as prov_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from services.common.security.mesh import TOKEN_METADATA
from tests.integration.gateway.mesh import ECHO, error_info
from tests.support.certs import Ca
from tests.support.processes import start_gateway, start_service, wait_healthy, write_config

from .conftest import ADMIN_KEY, MESH_TOKEN, REQUEST_WINDOW, fresh_window

CHAT = inf.ChatCompletionRequest(
    model_id="m1",
    messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "hi"}])],
)


def _serving(channel: grpc.Channel) -> int:
    return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest()).status


def test_a_direct_call_without_the_mesh_credential_is_refused(secured):
    address = secured.services["inference"].address
    with grpc.insecure_channel(address) as channel:
        for call in (
            lambda md: inf_grpc.InferenceServiceStub(channel).ChatCompletion(CHAT, metadata=md),
            lambda md: prov_grpc.ProviderServiceStub(channel).DescribeProviders(
                prov.DescribeProvidersRequest(), metadata=md
            ),
        ):
            for md in ((), ((TOKEN_METADATA, "x" * 40),), secured.md("alice")):
                with pytest.raises(grpc.RpcError) as err:
                    call(md)
                assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
                assert "only from the gateway" in err.value.details()
                assert error_info(err.value).reason == "ERROR_REASON_UNAUTHENTICATED"
        assert _serving(channel) == health_pb2.HealthCheckResponse.SERVING  # probes stay open
        # with the credential (as the gateway calls it) the same call works
        md = ((TOKEN_METADATA, MESH_TOKEN),)
        assert inf_grpc.InferenceServiceStub(channel).ChatCompletion(CHAT, metadata=md)


@pytest.fixture(scope="module")
def mtls(tmp_path_factory):
    """One echo service with mTLS and the token, a gateway (auth off) in front."""
    workdir = tmp_path_factory.mktemp("mtls")
    ca = Ca()
    auth_dir = ca.issue(["llamastack-mesh"]).write(workdir / "auth")
    (auth_dir / "ca.crt").write_bytes(ca.pem)
    (auth_dir / "token").write_text(MESH_TOKEN)
    config = write_config(
        workdir / "run.yaml",
        {
            "version": 2,
            "image_name": "mtls-test",
            "providers": {"inference": [{"provider_id": "echo-llm", "provider_type": "test::echo",
                                         "config": {"models": ["m1"]}}]},
            "services": {"inference": {}},
            "models": [{"model_id": "m1", "provider_id": "echo-llm"}],
        },
    )  # fmt: skip
    env = {"LLS_MESH_AUTH_DIR": str(auth_dir)}
    service = start_service("inference", config, workdir, module=ECHO, env=env, healthy=False)
    gateway = None
    try:
        health_port = int((workdir / "inference.port.health").read_text())
        wait_healthy(f"127.0.0.1:{health_port}", 60)
        gateway = start_gateway(config, workdir, {"inference": service}, env=env)
        yield service, gateway, ca, health_port
    finally:
        for proc in (gateway, service):
            if proc is not None:
                proc.stop()


def test_mtls_between_gateway_and_services(mtls):
    service, gateway, ca, health_port = mtls
    with grpc.insecure_channel(gateway.address) as channel:
        resp = inf_grpc.InferenceServiceStub(channel).ChatCompletion(
            inf.ChatCompletionRequest(model_id="echo-llm/m1", messages=CHAT.messages)
        )
        assert "echo-llm" in resp.completion_message.content[0].text
    md = ((TOKEN_METADATA, MESH_TOKEN),)
    # Plaintext, or TLS without the mesh's client certificate: refused even with the token.
    plain = grpc.insecure_channel(service.address)
    no_cert = grpc.secure_channel(
        service.address,
        grpc.ssl_channel_credentials(root_certificates=ca.pem),
        options=[("grpc.ssl_target_name_override", "llamastack-mesh")],
    )
    for channel in (plain, no_cert):
        with channel, pytest.raises(grpc.RpcError) as err:
            inf_grpc.InferenceServiceStub(channel).ChatCompletion(CHAT, metadata=md, timeout=5)
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    with grpc.insecure_channel(f"127.0.0.1:{health_port}") as channel:
        assert _serving(channel) == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as err:  # the health port serves nothing else
            inf_grpc.InferenceServiceStub(channel).ChatCompletion(CHAT, metadata=md, timeout=5)
        assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.fixture(scope="module")
def replica(secured):
    gw = start_gateway(
        secured.workdir / "run.yaml",
        secured.workdir,
        secured.services,
        name="gateway-2",
        env={"LLS_MESH_TOKEN": MESH_TOKEN},
    )
    channel = grpc.insecure_channel(gw.address)
    yield channel
    channel.close()
    gw.stop()


def test_replicas_share_keys_revocations_and_quotas(secured, replica):
    created = secured.create_key("roaming")
    md = secured.md(created.secret)
    one, two = (ms_grpc.ModelServiceStub(c) for c in (secured.channel, replica))
    assert two.ListModels(ms.ListModelsRequest(), metadata=md).data  # a key made on gateway 1
    keys_grpc.ApiKeyServiceStub(secured.channel).RevokeApiKey(
        keys_pb.RevokeApiKeyRequest(key_id=created.api_key.key_id),
        metadata=secured.md(ADMIN_KEY),
    )
    deadline = time.monotonic() + 5  # revocation_poll_s is 1 s
    while True:
        try:
            two.ListModels(ms.ListModelsRequest(), metadata=md)
        except grpc.RpcError as err:
            assert err.code() == grpc.StatusCode.UNAUTHENTICATED
            break
        assert time.monotonic() < deadline, "gateway 2 still accepts a revoked key"
        time.sleep(0.1)
    # One counter for both replicas: 5 requests per window in total.
    limited = secured.md("replicated")
    fresh_window(REQUEST_WINDOW)
    for stub in (one, two, one, two, one):
        stub.ListModels(ms.ListModelsRequest(), metadata=limited)
    for stub in (one, two):
        with pytest.raises(grpc.RpcError) as err:
            stub.ListModels(ms.ListModelsRequest(), metadata=limited)
        assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
