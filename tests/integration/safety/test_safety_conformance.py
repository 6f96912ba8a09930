"""The ProviderService conformance suite against the real safety service (policy and Llama
Guard providers), with a gateway in front; the resources are policy shields."""

from __future__ import annotations

import pytest

from llamastack.registry.v1 import resources_pb2, shield_service_pb2
from tests.conformance.provider_service import ProviderServiceConformance, Target


def _shield(identifier: str, rule_set: str = "default", **params) -> resources_pb2.Shield:
    shield = resources_pb2.Shield(
        identifier=identifier, provider_id="policy", provider_resource_id=rule_set
    )
    if params:
        shield.params.update(params)
    return shield


def _register(shield: resources_pb2.Shield) -> shield_service_pb2.RegisterShieldRequest:
    request = shield_service_pb2.RegisterShieldRequest(
        shield_id=shield.identifier,
        provider_id=shield.provider_id,
        provider_shield_id=shield.provider_resource_id,
    )
    if shield.HasField("params"):
        request.params.CopyFrom(shield.params)
    return request


class TestSafetyConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, policy_mesh) -> Target:
        return Target(
            api="safety",
            service=policy_mesh.services["safety"].address,
            gateway=policy_mesh.gateway.address,
            valid=lambda ident: _shield(ident),
            variant=lambda ident: _shield(ident, rules=[{"keywords": ["apple"]}]),
            invalid=lambda ident: _shield(ident, "no-such-rule-set"),
            register_request=_register,
        )
