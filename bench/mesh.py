"""Start what a benchmark measures: services, the gateway and Envoy, as real processes."""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.integration.rest.envoy_proc import EnvoyProcess, free_port
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

__all__ = ["BenchMesh", "remote_server_config", "remote_server_mesh"]


@contextlib.contextmanager
def remote_server_mesh(image_name: str) -> Iterator[tuple[Any, BenchMesh]]:
    """A real llama.cpp OpenAI-compatible server (SmolLM2) and an inference service (with the
    gateway and Envoy) whose `remote` provider serves it; both stopped on the way out."""
    from tests.integration.inference.mesh import REMOTE_MODEL, LlamaServer

    server = LlamaServer(Path(tempfile.mkdtemp(prefix="llamastack-bench-"))).wait_ready()
    mesh = None
    try:
        config = remote_server_config(image_name, server.url, REMOTE_MODEL)
        mesh = BenchMesh(config, {"inference": "services.inference"}).start()
        yield server, mesh
    finally:
        if mesh is not None:
            mesh.stop()
        server.stop()


def remote_server_config(image_name: str, server_url: str, model_id: str) -> dict[str, Any]:
    """A distribution of one inference service whose `remote::openai-compatible` provider
    (`remote`) serves `model_id` from the OpenAI-compatible server at `server_url`."""
    return {
        "version": 2,
        "image_name": image_name,
        "providers": {
            "inference": [
                {
                    "provider_id": "remote",
                    "provider_type": "remote::openai-compatible",
                    "config": {"url": server_url},
                }
            ]
        },
        "services": {"inference": {}},
        "models": [{"model_id": model_id, "provider_id": "remote"}],
    }


class BenchMesh:
    """A distribution for one benchmark run: `run_config` plus the module of each service."""

    def __init__(self, run_config: dict[str, Any], modules: dict[str, str]) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="llamastack-bench-"))
        self.config = {
            "metadata_store": {"type": "sqlite", "db_path": str(self.workdir / "registry.db")},
            **run_config,
        }
        self.run_config = write_config(self.workdir / "run.yaml", self.config)
        self.modules = modules
        self.services: dict[str, MeshProcess] = {}
        self.gateway: MeshProcess | None = None
        self.envoy: EnvoyProcess | None = None
        self.bare_proxy: MeshProcess | None = None

    def start(self, envoy: bool = True, bare_proxy: bool = False) -> BenchMesh:
        # Services reach other APIs through the gateway: its port is picked before they start.
        gateway_port = free_port()
        env = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{gateway_port}"}
        for name, module in self.modules.items():
            self.services[name] = start_service(
                name, self.run_config, self.workdir, module=module, timeout=300, env=env
            )
        self.gateway = start_gateway(
            self.run_config, self.workdir, self.services, port=gateway_port
        )
        if envoy:
            self.envoy = EnvoyProcess(self.workdir, self.gateway.address).start()
        if bare_proxy:
            upstream = self.services["inference"].address
            self.bare_proxy = MeshProcess(
                "bare-proxy", [sys.executable, "-m", "bench.bare_proxy", upstream], {}, self.workdir
            ).start(healthy=False)
        return self

    @property
    def rest(self) -> str:
        assert self.envoy is not None
        return self.envoy.base_url

    def stop(self) -> None:
        for proc in (self.envoy, self.bare_proxy, self.gateway):
            if proc is not None:
                proc.stop()
        for proc in self.services.values():
            proc.stop()
