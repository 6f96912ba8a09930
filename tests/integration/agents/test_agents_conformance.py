"""The parts of the ProviderService conformance suite that apply to the agents service.

The suite (`tests/conformance/provider_service.py`) is written for services whose providers
own a registry resource kind; agents own none (agents and sessions are the service's own
objects, not registry resources), so only describe and health apply, plus: a registration
is refused with a clear INVALID_ARGUMENT."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llamastack.provider.v1 import provider_pb2, provider_service_pb2, provider_service_pb2_grpc
from llamastack.registry.v1 import resources_pb2


@pytest.fixture(scope="module")
def service_channel(agents_mesh):
    with grpc.insecure_channel(agents_mesh.services["agents"].address) as channel:
        yield channel


def test_describe(service_channel):
    stub = provider_service_pb2_grpc.ProviderServiceStub(service_channel)
    resp = stub.DescribeProviders(provider_service_pb2.DescribeProvidersRequest())
    assert resp.api == "agents"
    (info,) = resp.providers
    assert (info.provider_id, info.provider_type) == ("meta-reference", "inline::meta-reference")
    assert info.health.status == provider_pb2.HEALTH_STATUS_OK, info.health.message
    assert list(info.resource_kinds) == []
    assert list(resp.services) == ["llamastack.agents.v1.AgentsService"]
    again = stub.DescribeProviders(provider_service_pb2.DescribeProvidersRequest())
    assert again.instance_id == resp.instance_id != ""


@pytest.mark.parametrize("probe", ["", "liveness", "readiness"])
def test_health_probes_are_serving(service_channel, probe):
    stub = health_pb2_grpc.HealthStub(service_channel)
    resp = stub.Check(health_pb2.HealthCheckRequest(service=probe), timeout=5)
    assert resp.status == health_pb2.HealthCheckResponse.SERVING


def test_registration_is_refused(service_channel):
    stub = provider_service_pb2_grpc.ProviderServiceStub(service_channel)
    resource = provider_service_pb2.AnyResource(
        model=resources_pb2.Model(identifier="m", provider_id="meta-reference")
    )
    with pytest.raises(grpc.RpcError) as err:
        stub.RegisterResource(provider_service_pb2.RegisterResourceRequest(resource=resource))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "owns no resources" in err.value.details()
