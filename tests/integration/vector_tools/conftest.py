"""One mesh for the vector IO and tool runtime tests (session-scoped: started once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.integration.rest.envoy_proc import EnvoyProcess, free_port
from tests.integration.vector_tools.mesh import MCP_TOKEN, McpServer, run_config
from tests.support.processes import (
    MeshProcess,
    start_gateway,
    start_service,
    wait_healthy,
    write_config,
)


@pytest.fixture(scope="session")
def vt_dir(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("vector-tools")
    (workdir / "files").mkdir()
    return workdir


@pytest.fixture(scope="session")
def vt_run_yaml(vt_dir: Path) -> Path:
    return write_config(vt_dir / "run.yaml", run_config(vt_dir))


@pytest.fixture(scope="session")
def vt_gateway_port() -> int:
    """Services call other APIs through the gateway, so its port is chosen before they start
    (as the launcher does)."""
    return free_port()


@pytest.fixture(scope="session")
def vt_services(
    vt_run_yaml: Path, vt_dir: Path, vt_gateway_port
) -> Iterator[dict[str, MeshProcess]]:
    """The inference (MiniLM), vector IO and tool runtime services."""
    procs: dict[str, MeshProcess] = {}
    env = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{vt_gateway_port}"}
    try:
        for name in ("vector_io", "tool_runtime", "inference"):
            procs[name] = start_service(name, vt_run_yaml, vt_dir, env=env, healthy=False)
        for proc in procs.values():  # started together, ready when the slowest is
            wait_healthy(proc.address, 120, alive=proc._check_alive)
        yield procs
    finally:
        for proc in procs.values():
            proc.stop()


@pytest.fixture(scope="session")
def vt_gateway(vt_run_yaml, vt_dir, vt_services, vt_gateway_port) -> Iterator[MeshProcess]:
    gateway = start_gateway(vt_run_yaml, vt_dir, vt_services, port=vt_gateway_port)
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def vt_channel(vt_gateway) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(vt_gateway.address) as channel:
        yield channel


@pytest.fixture(scope="session")
def mcp_server(vt_dir) -> Iterator[McpServer]:
    server = McpServer(vt_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mcp_secure_server(vt_dir) -> Iterator[McpServer]:
    server = McpServer(vt_dir, token=MCP_TOKEN)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def vt_envoy(vt_dir, vt_gateway) -> Iterator[EnvoyProcess]:
    proc = EnvoyProcess(vt_dir, vt_gateway.address, name="envoy-vt").start()
    yield proc
    proc.stop()
