"""Start mesh processes for tests: real processes on port 0, stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import grpc
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc

REPO = Path(__file__).resolve().parents[2]

__all__ = ["REPO", "MeshProcess", "start_gateway", "start_service", "wait_healthy", "write_config"]


def stop_process(popen: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL when it has not exited after `timeout` seconds."""
    if popen.poll() is not None:
        return
    popen.send_signal(signal.SIGTERM)
    try:
        popen.wait(timeout)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait(10)


class MeshProcess:
    """One process of the mesh, with its log file and bound port."""

    def __init__(
        self,
        name: str,
        args: list[str],
        env: Mapping[str, str],
        workdir: Path,
        port: int = 0,
    ) -> None:
        self.name = name
        self.args = args
        self.workdir = workdir
        self.port_file = workdir / f"{name}.port"
        self.log_path = workdir / f"{name}.log"
        self.env = {**os.environ, **env, "LLS_PORT_FILE": str(self.port_file)}
        self.requested_port = port
        self.port = 0
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0, healthy: bool = True) -> MeshProcess:
        self.port_file.unlink(missing_ok=True)
        env = {**self.env, "LLS_GRPC_PORT": str(self.requested_port)}
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.args,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.port_file.exists():
            self._check_alive()
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"{self.name} did not listen within {timeout}s:\n{self.tail()}")
            time.sleep(0.02)
        self.port = int(self.port_file.read_text())
        self.requested_port = self.port  # a restart comes back on the same port
        if healthy:
            try:
                wait_healthy(self.address, deadline - time.monotonic(), alive=self._check_alive)
            except Exception:
                self.stop()
                raise
        return self

    def _check_alive(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen is not None:
            stop_process(self.popen, timeout)

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def wait_healthy(address: str, timeout: float, service: str = "", alive=None) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                resp = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=1)
                if resp.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            if alive is not None:
                alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{address} not SERVING within {timeout:.0f}s")
            time.sleep(0.05)


def write_config(path: Path, config: Mapping[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(dict(config), sort_keys=False))
    return path


def start_service(
    service: str,
    run_config: Path,
    workdir: Path,
    *,
    module: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
    healthy: bool = True,
) -> MeshProcess:
    """`python -m services.<api>` for the service named `service` in the run config."""
    config = yaml.safe_load(run_config.read_text())
    api = ((config.get("services") or {}).get(service) or {}).get("api") or service
    proc = MeshProcess(
        service,
        [sys.executable, "-m", module or f"services.{api}"],
        {
            "LLS_SERVICE_NAME": service,
            "LLS_RUN_CONFIG": str(run_config),
            "LLS_STATE_DIR": str(workdir / "state"),
            **(env or {}),
        },
        workdir,
    )
    return proc.start(timeout, healthy)


def start_gateway(
    run_config: Path,
    workdir: Path,
    services: Mapping[str, MeshProcess],
    *,
    name: str = "gateway",
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    healthy: bool = True,
    port: int = 0,
) -> MeshProcess:
    """`python -m gateway` pointed at already started services (on `port`, picked up front
    when the services need `LLS_GATEWAY_ADDR` before the gateway starts)."""
    addrs = {f"LLS_{n.upper()}_ADDR": p.address for n, p in services.items()}
    proc = MeshProcess(
        name,
        [sys.executable, "-m", "gateway"],
        {
            "LLS_SERVICE_NAME": "gateway",
            "LLS_RUN_CONFIG": str(run_config),
            "LLS_STATE_DIR": str(workdir / "state"),
            **addrs,
            **(env or {}),
        },
        workdir,
        port,
    )
    return proc.start(timeout, healthy)
