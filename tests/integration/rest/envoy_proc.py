"""A real Envoy in front of a gateway, for tests: free ports, started in its own session,
stopped by PID."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from deploy.envoy import config as envoy_config
from deploy.envoy.tls import ListenerTls
from services.common.telemetry.config import EnvoyTracing

__all__ = ["EnvoyProcess", "free_port", "validate_config"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def validate_config(path: Path) -> subprocess.CompletedProcess[str]:
    """`envoy --mode validate -c path` (checks every typed config, loads the descriptors)."""
    argv = envoy_config.envoy_command(path, log_level="error")
    return subprocess.run(
        [*argv, "--mode", "validate"], capture_output=True, text=True, timeout=60, check=False
    )


class EnvoyProcess:
    """Envoy rendered by `deploy.envoy.config`, listening on 127.0.0.1 on free ports."""

    def __init__(
        self,
        workdir: Path,
        gateway_address: str,
        *,
        name: str = "envoy",
        cors: bool | dict = False,
        max_request_bytes: int = 16 << 20,
        descriptor_path: Path | None = None,
        tracing: EnvoyTracing | None = None,
        tls: ListenerTls | None = None,
    ) -> None:
        self.workdir = workdir
        self.name = name
        self.gateway_address = gateway_address
        self.cors = cors
        self.max_request_bytes = max_request_bytes
        self.tls = tls
        self.descriptor_path = descriptor_path or envoy_config.default_descriptor_path()
        self.tracing = tracing
        self.config_path = workdir / f"{name}.yaml"
        self.log_path = workdir / f"{name}.log"
        self.port = 0
        self.admin_port = 0
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """host:port for gRPC clients (Envoy proxies native gRPC too)."""
        return f"127.0.0.1:{self.port}"

    def render(self) -> str:
        return envoy_config.render_config(
            listen_port=self.port,
            admin_port=self.admin_port,
            gateway_address=self.gateway_address,
            descriptor_path=self.descriptor_path,
            services=envoy_config.public_services(),
            cors=self.cors,
            max_request_bytes=self.max_request_bytes,
            listen_host="127.0.0.1",
            tracing=self.tracing,
            tls=self.tls,
        )

    def start(self, timeout: float = 30.0, attempts: int = 3) -> EnvoyProcess:
        """Start on free ports; pick new ports when another process took one meanwhile."""
        for attempt in range(attempts):
            self.port, self.admin_port = free_port(), free_port()
            self.config_path.write_text(self.render())
            log = self.log_path.open("ab")
            self.popen = subprocess.Popen(
                envoy_config.envoy_command(self.config_path, log_level="warn"),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            try:
                self._wait_ready(timeout)
                return self
            except _PortTaken:
                self.stop()
                if attempt == attempts - 1:
                    raise
            except Exception:
                self.stop()
                raise
        raise AssertionError("unreachable")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0, verify=False) as client:
            while True:
                if self.popen is not None and self.popen.poll() is not None:
                    tail = self.tail()
                    if "Address already in use" in tail or "cannot bind" in tail:
                        raise _PortTaken(tail)
                    raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{tail}")
                try:
                    admin = f"http://127.0.0.1:{self.admin_port}"
                    ready = client.get(f"{admin}/ready")
                    if ready.status_code == 200 and ready.text.strip() == "LIVE":
                        # The Envoy that answers must be ours: its config path is ours.
                        info = client.get(f"{admin}/server_info").json()
                        config = info.get("command_line_options", {}).get("config_path")
                        if config != str(self.config_path):
                            raise _PortTaken(f"admin port {self.admin_port} answered by {config}")
                        listen = client.get(f"{self.base_url}/")
                        if listen.headers.get("server") == "envoy":
                            return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.name} not ready within {timeout}s:\n{self.tail()}")
                time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class _PortTaken(RuntimeError):
    pass
