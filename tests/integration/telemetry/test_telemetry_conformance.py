"""The ProviderService conformance suite against the real telemetry service.

Telemetry owns no registrable resource kind, so the checks about registering resources are
replaced by the one that applies: any registration is INVALID_ARGUMENT naming the provider.
"""

from __future__ import annotations

import grpc
import pytest

from llamastack.provider.v1 import provider_pb2, provider_service_pb2
from llamastack.registry.v1 import resources_pb2
from tests.conformance.provider_service import ProviderServiceConformance, Target

NOT_APPLICABLE = "telemetry owns no registrable resources"


def _model(identifier: str) -> resources_pb2.Model:
    return resources_pb2.Model(identifier=identifier, provider_id="meta-reference")


class TestTelemetryConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, echo_mesh) -> Target:
        return Target(
            api="telemetry",
            service=echo_mesh.telemetry.address,
            gateway=echo_mesh.gateway.address,
            valid=_model,
            variant=_model,
            invalid=_model,
            register_request=lambda m: m,
        )

    def test_describe_names_the_api_its_providers_and_services(self, conformance, providers):
        resp = providers.DescribeProviders(provider_service_pb2.DescribeProvidersRequest())
        assert resp.api == "telemetry"
        (info,) = resp.providers
        assert (info.provider_id, info.provider_type) == (
            "meta-reference",
            "inline::meta-reference",
        )
        assert list(info.resource_kinds) == []
        assert info.health.status == provider_pb2.HEALTH_STATUS_OK, info.health.message
        # The Llama Stack API and the standard OTLP collector services, on one port.
        assert set(resp.services) == {
            "llamastack.telemetry.v1.TelemetryService",
            "opentelemetry.proto.collector.trace.v1.TraceService",
            "opentelemetry.proto.collector.metrics.v1.MetricsService",
        }

    @pytest.mark.skip(reason=NOT_APPLICABLE)
    def test_register_returns_the_resource_and_is_idempotent(self):
        pass

    def test_registering_any_resource_is_invalid(self, providers):
        any_resource = provider_service_pb2.AnyResource(model=_model("m"))
        with pytest.raises(grpc.RpcError) as err:
            providers.RegisterResource(
                provider_service_pb2.RegisterResourceRequest(resource=any_resource), timeout=30
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "meta-reference" in err.value.details()

    def test_unregistering_an_unknown_resource_is_harmless(self, providers):
        any_resource = provider_service_pb2.AnyResource(model=_model("m"))
        providers.UnregisterResource(
            provider_service_pb2.UnregisterResourceRequest(resource=any_resource), timeout=30
        )

    def test_register_with_an_unknown_provider_is_not_found(self, providers):
        model = resources_pb2.Model(identifier="m", provider_id="no-such-provider")
        with pytest.raises(grpc.RpcError) as err:
            providers.RegisterResource(
                provider_service_pb2.RegisterResourceRequest(
                    resource=provider_service_pb2.AnyResource(model=model)
                ),
                timeout=30,
            )
        assert err.value.code() == grpc.StatusCode.NOT_FOUND

    @pytest.mark.skip(reason=NOT_APPLICABLE)
    def test_refused_resource_is_an_error_with_a_message(self):
        pass

    @pytest.mark.skip(reason=NOT_APPLICABLE)
    def test_unknown_resource_is_not_found_through_the_gateway(self):
        pass

    @pytest.mark.skip(reason=NOT_APPLICABLE)
    def test_refusal_stores_nothing(self):
        pass

    @pytest.mark.skip(reason=NOT_APPLICABLE)
    def test_a_different_resource_under_a_taken_identifier_already_exists(self):
        pass
