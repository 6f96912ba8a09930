"""One real mesh for the agents tests (inference with SmolLM2, agents, gateway)."""

from __future__ import annotations

import grpc
import pytest

from tests.integration.agents.mesh import AgentsMesh, agents_stub


@pytest.fixture(scope="session")
def agents_mesh(tmp_path_factory):
    mesh = AgentsMesh(tmp_path_factory.mktemp("agents-mesh"))
    try:
        yield mesh.start()
    finally:
        mesh.stop()


@pytest.fixture(scope="session")
def gateway_channel(agents_mesh):
    with grpc.insecure_channel(agents_mesh.gateway_addr) as channel:
        yield channel


@pytest.fixture(scope="session")
def agents(gateway_channel):
    """AgentsService through the gateway."""
    return agents_stub(gateway_channel)
