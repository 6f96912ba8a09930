"""Two meshes: `policy_mesh` (safety + gateway, no model) and `guard_mesh` (SmolLM2
inference + safety + gateway + Envoy; a real-model fixture, so its tests are slow)."""

from __future__ import annotations

import grpc
import pytest

from llamastack.safety.v1 import safety_service_pb2_grpc
from tests.integration.safety.mesh import SafetyMesh, guard_config, policy_config


@pytest.fixture(scope="session")
def policy_mesh(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("safety-policy")
    mesh = SafetyMesh(workdir, policy_config(workdir)).start()
    yield mesh
    mesh.stop()


@pytest.fixture(scope="session")
def guard_mesh(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("safety-guard")
    mesh = SafetyMesh(workdir, guard_config(workdir)).start(envoy=True)
    yield mesh
    mesh.stop()


@pytest.fixture(scope="session")
def policy_gateway(policy_mesh):
    with grpc.insecure_channel(policy_mesh.gateway.address) as channel:
        yield channel


@pytest.fixture(scope="session")
def safety(policy_gateway):
    """SafetyService through the gateway of the policy mesh."""
    return safety_service_pb2_grpc.SafetyServiceStub(policy_gateway)
