"""Start what a benchmark measures: services, the gateway and Envoy, as real processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from deploy.envoy import config as envoy_config
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

__all__ = ["BenchMesh"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        self.envoy: subprocess.Popen[bytes] | None = None
        self.envoy_port = 0
        self.bare_proxy: MeshProcess | None = None

    def start(self, envoy: bool = True, bare_proxy: bool = False) -> BenchMesh:
        for name, module in self.modules.items():
            self.services[name] = start_service(
                name, self.run_config, self.workdir, module=module, timeout=300
            )
        self.gateway = start_gateway(self.run_config, self.workdir, self.services)
        if envoy:
            self._start_envoy()
        if bare_proxy:
            upstream = self.services["inference"].address
            self.bare_proxy = MeshProcess(
                "bare-proxy", [sys.executable, "-m", "bench.bare_proxy", upstream], {}, self.workdir
            ).start(healthy=False)
        return self

    def _start_envoy(self) -> None:
        assert self.gateway is not None
        self.envoy_port, admin = _free_port(), _free_port()
        cfg = self.workdir / "envoy.yaml"
        cfg.write_text(
            envoy_config.render_config(
                listen_port=self.envoy_port,
                admin_port=admin,
                gateway_address=self.gateway.address,
                descriptor_path=envoy_config.default_descriptor_path(),
                services=envoy_config.public_services(),
                listen_host="127.0.0.1",
            )
        )
        log = (self.workdir / "envoy.log").open("wb")
        self.envoy = subprocess.Popen(
            envoy_config.envoy_command(cfg), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{admin}/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.envoy.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"envoy did not become ready; see {self.workdir / 'envoy.log'}")

    @property
    def rest(self) -> str:
        return f"http://127.0.0.1:{self.envoy_port}"

    def stop(self) -> None:
        if self.envoy is not None and self.envoy.poll() is None:
            self.envoy.terminate()
            try:
                self.envoy.wait(10)
            except subprocess.TimeoutExpired:
                self.envoy.kill()
        for proc in (self.bare_proxy, self.gateway):
            if proc is not None:
                proc.stop()
        for proc in self.services.values():
            proc.stop()
