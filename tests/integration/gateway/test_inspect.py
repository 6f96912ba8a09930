"""Inspect: routes, health, version and providers."""

from __future__ import annotations

import grpc
import pytest

from llamastack.inspect.v1 import inspect_service_pb2 as pb
from llamastack.inspect.v1 import inspect_service_pb2_grpc as pb_grpc
from llamastack.provider.v1 import provider_pb2


@pytest.fixture(scope="module")
def inspect(mesh):
    gw = mesh.start_gateway(name="gateway-inspect")
    with grpc.insecure_channel(gw.address) as ch:
        yield pb_grpc.InspectServiceStub(ch)
    gw.stop()


def test_routes_list_every_rest_route_with_its_providers(inspect):
    routes, token = [], ""
    while True:
        resp = inspect.ListRoutes(pb.ListRoutesRequest(page_size=100, page_token=token))
        routes += resp.data
        token = resp.next_page_token
        if not token:
            break
    by_key = {(r.method, r.route): r for r in routes}
    chat = by_key[("POST", "/v1/inference/chat-completion")]
    assert chat.provider_types == ["test::echo"]
    assert chat.grpc_method == "/llamastack.inference.v1.InferenceService/ChatCompletion"
    assert ("GET", "/v1/models/{model_id=**}") in by_key
    assert len(routes) >= 90


def test_health_and_version(inspect):
    health = inspect.GetHealth(pb.GetHealthRequest())
    assert health.status == provider_pb2.HEALTH_STATUS_OK and not health.unhealthy_services
    assert inspect.GetVersion(pb.GetVersionRequest()).version


def test_providers(inspect):
    providers = inspect.ListProviders(pb.ListProvidersRequest()).data
    ids = {p.provider_id: p for p in providers}
    assert {"echo-llm", "echo-a", "echo-b", "echo-tools"} <= set(ids)
    assert ids["echo-a"].api == "safety" and ids["echo-a"].provider_type == "test::echo"
    assert ids["echo-a"].health.status == provider_pb2.HEALTH_STATUS_OK
    assert ids["echo-a"].config["reject"] == ["bad"]
    one = inspect.GetProvider(pb.GetProviderRequest(provider_id="echo-b")).provider
    assert one.provider_id == "echo-b"
    with pytest.raises(grpc.RpcError) as err:
        inspect.GetProvider(pb.GetProviderRequest(provider_id="nope"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_provider_models_are_listed_ready_to_register(inspect):
    models = inspect.ListProviderModels(pb.ListProviderModelsRequest(provider_id="echo-llm")).data
    assert [m.identifier for m in models] == ["echo-llm/embed", "echo-llm/m1", "echo-llm/m2"]
