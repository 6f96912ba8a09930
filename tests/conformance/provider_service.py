"""The ProviderService conformance suite: what every API service must do for the gateway.

An API service's tests subclass `ProviderServiceConformance` and define one fixture,
`conformance`, returning a `Target`: its real service process (and a gateway in front of it),
a resource its provider accepts and one it refuses. The suite then checks, against the
running processes: describe providers, liveness/readiness health, register/unregister (happy
path, idempotence, refusal, unknown provider, wrong kind, empty resource), and through the
gateway NOT_FOUND for unknown resources, ALREADY_EXISTS for a different resource under a
taken identifier, and that a refused registration stores nothing.

    class TestSafetyConformance(ProviderServiceConformance):
        @pytest.fixture(scope="class")
        def conformance(self, safety_mesh) -> Target: ...
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llamastack.provider.v1 import provider_pb2, provider_service_pb2, provider_service_pb2_grpc
from services.common.kinds import KIND_BY_API, KindSpec

__all__ = ["ProviderServiceConformance", "Target"]

AnyResource = provider_service_pb2.AnyResource
_counter = itertools.count()


@dataclass
class Target:
    """A running API service, a gateway in front of it, and resources to register."""

    api: str
    #: host:port of the service process itself.
    service: str
    #: host:port of a gateway routing to it.
    gateway: str
    #: A resource the provider accepts, for a given (unique) identifier.
    valid: Callable[[str], Message]
    #: A different resource under the same identifier (for ALREADY_EXISTS through the
    #: gateway): e.g. other params or metadata.
    variant: Callable[[str], Message]
    #: A resource its provider refuses (validation), for a given identifier.
    invalid: Callable[[str], Message]
    #: The register request for the gateway (proto3 JSON field names) from a resource.
    register_request: Callable[[Message], Message]

    @property
    def kind(self) -> KindSpec:
        return KIND_BY_API[self.api]


def _any(kind: KindSpec, resource: Message) -> AnyResource:
    out = AnyResource()
    getattr(out, kind.name).CopyFrom(resource)
    return out


def _unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


class ProviderServiceConformance:
    """Parametrised checks any API service runs against its own process."""

    @pytest.fixture(scope="class")
    def channels(self, conformance: Target):
        with (
            grpc.insecure_channel(conformance.service) as service,
            grpc.insecure_channel(conformance.gateway) as gateway,
        ):
            yield service, gateway

    @pytest.fixture(scope="class")
    def providers(self, channels):
        return provider_service_pb2_grpc.ProviderServiceStub(channels[0])

    @pytest.fixture(scope="class")
    def registry(self, conformance: Target, channels):
        kind = conformance.kind
        return getattr(kind.grpc, f"{kind.service_name}Stub")(channels[1])

    # -- describe and health -------------------------------------------------------------

    def test_describe_names_the_api_its_providers_and_services(self, conformance, providers):
        resp = providers.DescribeProviders(provider_service_pb2.DescribeProvidersRequest())
        assert resp.api == conformance.api
        assert resp.providers, "a service hosts at least one provider"
        for info in resp.providers:
            assert info.api == conformance.api and info.provider_id and info.provider_type
            assert conformance.kind.value in info.resource_kinds
            assert info.health.status == provider_pb2.HEALTH_STATUS_OK, info.health.message
        assert resp.services and not any(
            s.startswith("llamastack.provider.") for s in resp.services
        )
        again = providers.DescribeProviders(provider_service_pb2.DescribeProvidersRequest())
        assert again.instance_id == resp.instance_id != ""

    @pytest.mark.parametrize("probe", ["", "liveness", "readiness"])
    def test_health_probes_are_serving(self, channels, probe):
        stub = health_pb2_grpc.HealthStub(channels[0])
        resp = stub.Check(health_pb2.HealthCheckRequest(service=probe), timeout=5)
        assert resp.status == health_pb2.HealthCheckResponse.SERVING

    # -- register / unregister with the provider directly ---------------------------------

    def test_register_returns_the_resource_and_is_idempotent(self, conformance, providers):
        resource = conformance.valid(_unique("conf"))
        request = provider_service_pb2.RegisterResourceRequest(
            resource=_any(conformance.kind, resource)
        )
        first = providers.RegisterResource(request, timeout=60)
        accepted = getattr(first.resource, conformance.kind.name)
        assert accepted.identifier == resource.identifier
        assert accepted.provider_id == resource.provider_id
        second = providers.RegisterResource(request, timeout=60)
        assert second.resource == first.resource
        providers.UnregisterResource(
            provider_service_pb2.UnregisterResourceRequest(resource=first.resource), timeout=60
        )

    def test_unregistering_an_unknown_resource_is_harmless(self, conformance, providers):
        resource = conformance.valid(_unique("never-registered"))
        providers.UnregisterResource(
            provider_service_pb2.UnregisterResourceRequest(
                resource=_any(conformance.kind, resource)
            ),
            timeout=60,
        )

    def test_register_with_an_unknown_provider_is_not_found(self, conformance, providers):
        resource = conformance.valid(_unique("conf"))
        resource.provider_id = "no-such-provider"
        with pytest.raises(grpc.RpcError) as err:
            providers.RegisterResource(
                provider_service_pb2.RegisterResourceRequest(
                    resource=_any(conformance.kind, resource)
                ),
                timeout=60,
            )
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        assert "no-such-provider" in err.value.details()

    def test_register_an_empty_resource_is_invalid(self, providers):
        with pytest.raises(grpc.RpcError) as err:
            providers.RegisterResource(
                provider_service_pb2.RegisterResourceRequest(resource=AnyResource()), timeout=60
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    def test_refused_resource_is_an_error_with_a_message(self, conformance, providers):
        with pytest.raises(grpc.RpcError) as err:
            providers.RegisterResource(
                provider_service_pb2.RegisterResourceRequest(
                    resource=_any(conformance.kind, conformance.invalid(_unique("bad")))
                ),
                timeout=60,
            )
        assert err.value.code() in (
            grpc.StatusCode.INVALID_ARGUMENT,
            grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.FAILED_PRECONDITION,
        )
        assert err.value.details()

    # -- through the gateway ---------------------------------------------------------------

    def test_unknown_resource_is_not_found_through_the_gateway(self, conformance, registry):
        kind = conformance.kind
        with pytest.raises(grpc.RpcError) as err:
            getattr(registry, f"Get{kind.label}")(
                kind.request(f"Get{kind.label}")(**{kind.id_field: "no-such-thing"}), timeout=30
            )
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        assert "no-such-thing" in err.value.details()

    def test_refusal_stores_nothing(self, conformance, registry):
        kind = conformance.kind
        resource = conformance.invalid(_unique("refused"))
        with pytest.raises(grpc.RpcError) as err:
            getattr(registry, f"Register{kind.label}")(
                conformance.register_request(resource), timeout=60
            )
        assert err.value.code() != grpc.StatusCode.INTERNAL, err.value.details()
        listed = getattr(registry, f"List{kind.plural}")(
            kind.request(f"List{kind.plural}")(page_size=1000), timeout=30
        )
        assert resource.identifier not in {r.identifier for r in listed.data}

    def test_a_different_resource_under_a_taken_identifier_already_exists(
        self, conformance, registry
    ):
        kind = conformance.kind
        ident = _unique("taken")
        register = getattr(registry, f"Register{kind.label}")
        first = register(conformance.register_request(conformance.valid(ident)), timeout=60)
        again = register(conformance.register_request(conformance.valid(ident)), timeout=60)
        assert again == first  # the same registration again is idempotent
        with pytest.raises(grpc.RpcError) as err:
            register(conformance.register_request(conformance.variant(ident)), timeout=60)
        assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
        unregister = getattr(registry, f"Unregister{kind.label}")
        stored = getattr(first, kind.name)
        unregister(
            kind.request(f"Unregister{kind.label}")(**{kind.id_field: stored.identifier}),
            timeout=60,
        )
        with pytest.raises(grpc.RpcError) as gone:
            getattr(registry, f"Get{kind.label}")(
                kind.request(f"Get{kind.label}")(**{kind.id_field: stored.identifier}),
                timeout=30,
            )
        assert gone.value.code() == grpc.StatusCode.NOT_FOUND
