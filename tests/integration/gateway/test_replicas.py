"""Two gateway processes on one Redis registry see each other's writes at once."""

from __future__ import annotations

import grpc
import pytest

from llamastack.common.v1 import message_pb2
from llamastack.registry.v1 import shield_service_pb2 as sh
from llamastack.registry.v1 import shield_service_pb2_grpc as sh_grpc
from llamastack.safety.v1 import safety_service_pb2 as sf
from llamastack.safety.v1 import safety_service_pb2_grpc as sf_grpc


@pytest.fixture(scope="module")
def replicas(mesh, redis_url):
    url = redis_url.rsplit("/", 1)[0] + "/2"
    a = mesh.start_gateway(name="replica-a", LLS_REGISTRY_URL=url)
    b = mesh.start_gateway(name="replica-b", LLS_REGISTRY_URL=url)
    with grpc.insecure_channel(a.address) as ca, grpc.insecure_channel(b.address) as cb:
        yield ca, cb
    a.stop()
    b.stop()


def test_a_registration_through_one_replica_routes_through_the_other(replicas):
    a, b = replicas
    sh_grpc.ShieldServiceStub(a).RegisterShield(
        sh.RegisterShieldRequest(shield_id="shared", provider_id="echo-a")
    )
    # Immediately, with no wait: there is no per-process cache to go stale.
    resp = sf_grpc.SafetyServiceStub(b).RunShield(
        sf.RunShieldRequest(
            shield_id="shared",
            messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
        )
    )
    assert resp.violation.user_message == "x"
    listed = sh_grpc.ShieldServiceStub(b).ListShields(sh.ListShieldsRequest())
    assert "shared" in [s.identifier for s in listed.data]

    sh_grpc.ShieldServiceStub(b).UnregisterShield(sh.UnregisterShieldRequest(shield_id="shared"))
    with pytest.raises(grpc.RpcError) as err:
        sh_grpc.ShieldServiceStub(a).GetShield(sh.GetShieldRequest(shield_id="shared"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
