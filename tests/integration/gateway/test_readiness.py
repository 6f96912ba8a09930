"""Liveness and readiness are distinct: while the gateway waits for a slow service and
registers the run config's resources it is alive but not ready, over gRPC health and
`/v1/health` (InspectService.GetHealth) alike; once ready, the declared resources are there."""

from __future__ import annotations

import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llamastack.inspect.v1 import inspect_service_pb2 as ipb
from llamastack.inspect.v1 import inspect_service_pb2_grpc
from llamastack.provider.v1 import provider_pb2
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc
from tests.integration.gateway.mesh import ECHO
from tests.support.processes import start_gateway, start_service, write_config

SERVING = health_pb2.HealthCheckResponse.SERVING
CONFIG = {
    "version": 2,
    "image_name": "readiness-test",
    "providers": {
        "inference": [
            {"provider_id": "slow", "provider_type": "test::echo",
             "config": {"start_delay": 3, "models": ["m1"]}},
        ],
    },
    "services": {"inference": {}},
    "models": [{"model_id": "m1", "provider_id": "slow"}],
}  # fmt: skip


def _status(stub, probe: str) -> int | None:
    try:
        return stub.Check(health_pb2.HealthCheckRequest(service=probe), timeout=1).status
    except grpc.RpcError:
        return None


def test_gateway_is_alive_before_it_is_ready_and_ready_only_with_its_resources(tmp_path):
    run_config = write_config(tmp_path / "run.yaml", CONFIG)
    service = start_service("inference", run_config, tmp_path, module=ECHO, healthy=False)
    gateway = start_gateway(run_config, tmp_path, {"inference": service}, healthy=False)
    try:
        with grpc.insecure_channel(gateway.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            inspect = inspect_service_pb2_grpc.InspectServiceStub(channel)
            models = model_service_pb2_grpc.ModelServiceStub(channel)
            seen_starting = False
            deadline = time.monotonic() + 60
            while True:
                assert time.monotonic() < deadline, "the gateway never became ready"
                alive, ready = _status(health, "liveness"), _status(health, "readiness")
                try:
                    rest_health = inspect.GetHealth(ipb.GetHealthRequest(), timeout=2)
                    rest_code = grpc.StatusCode.OK
                except grpc.RpcError as err:
                    rest_health, rest_code = None, err.code()
                listed = {
                    m.identifier
                    for m in models.ListModels(
                        model_service_pb2.ListModelsRequest(), timeout=2
                    ).data
                }
                if alive == SERVING and ready != SERVING:
                    # Alive, not ready: health says so and means it.
                    seen_starting = True
                    assert rest_code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.OK)
                if rest_code == grpc.StatusCode.UNAVAILABLE:
                    assert _status(health, "") != SERVING
                if ready == SERVING or rest_code == grpc.StatusCode.OK:
                    # Ready (by either probe): the declared model is registered.
                    assert "slow/m1" in listed
                    if ready == SERVING and rest_code == grpc.StatusCode.OK:
                        assert rest_health.status == provider_pb2.HEALTH_STATUS_OK
                        break
                time.sleep(0.05)
            assert seen_starting, "liveness and readiness were never told apart"
            live = inspect.GetLiveness(ipb.GetLivenessRequest(), timeout=2)
            assert live.status == provider_pb2.HEALTH_STATUS_OK
    finally:
        gateway.stop()
        service.stop()
