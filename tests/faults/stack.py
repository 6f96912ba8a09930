"""What the fault tests start and read: a mesh of real processes (services, gateway, Envoy), an
SSE reader that tells a stream's last event, and the suite's figures."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
from grpc_status import rpc_status

from tests.integration.rest.envoy_proc import EnvoyProcess, free_port
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

__all__ = ["FIGURES", "FaultStack", "Sse", "error_info", "figure", "read_sse"]

ECHO = "tests.support.echo_service"

#: (scenario, figures) rows, printed at the end of the run (conftest.py) as the Faults table.
FIGURES: list[tuple[str, str]] = []


def figure(scenario: str, text: str) -> None:
    FIGURES.append((scenario, text))
    print(f"[faults] {scenario}: {text}")


class FaultStack:
    """Services (module per service), a gateway (its port picked first: services call it) and
    optionally Envoy, in `workdir`; every process stopped by PID."""

    def __init__(
        self,
        workdir: Path,
        config: Mapping[str, Any],
        modules: Mapping[str, str | None],
        gateway_env: Mapping[str, str] | None = None,
        service_env: Mapping[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.config = {
            "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
            **config,
        }
        self.run_config = write_config(workdir / "run.yaml", self.config)
        self.modules = dict(modules)
        self.gateway_env = dict(gateway_env or {})
        self.service_env = dict(service_env or {})
        self.services: dict[str, MeshProcess] = {}
        self.gateways: list[MeshProcess] = []
        self.envoy: EnvoyProcess | None = None
        self.gateway_port = free_port()

    def start(self, envoy: bool = True) -> FaultStack:
        env = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{self.gateway_port}", **self.service_env}
        for name, module in self.modules.items():
            self.services[name] = start_service(
                name, self.run_config, self.workdir, module=module, env=env, timeout=180
            )
        self.add_gateway(port=self.gateway_port)
        if envoy:
            self.envoy = EnvoyProcess(self.workdir, self.gateway.address).start()
        return self

    def add_gateway(self, port: int = 0, **env: str) -> MeshProcess:
        gw = start_gateway(
            self.run_config,
            self.workdir,
            self.services,
            name=f"gateway{len(self.gateways) or ''}",
            env={**self.gateway_env, **env},
            port=port,
        )
        self.gateways.append(gw)
        return gw

    @property
    def gateway(self) -> MeshProcess:
        return self.gateways[0]

    @property
    def rest(self) -> str:
        assert self.envoy is not None
        return self.envoy.base_url

    def restart(self, name: str, timeout: float = 180.0) -> None:
        """Start a stopped or killed service again, on its port (as the launcher does)."""
        proc = self.services[name]
        if proc.popen is not None:
            proc.popen.wait(30)
        proc.start(timeout)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.services[name]
        assert proc.popen is not None
        proc.popen.send_signal(sig)

    def stop(self) -> None:
        for proc in (self.envoy, *self.gateways, *self.services.values()):
            if proc is not None:
                if proc.popen is not None and proc.popen.poll() is None:
                    proc.popen.send_signal(signal.SIGCONT)  # a test may have stopped it
                proc.stop()


@dataclass
class Sse:
    """One REST stream as the client saw it."""

    status: int
    events: list[Any] = field(default_factory=list)  # JSON objects, or the raw text
    body: str = ""  # a non-SSE answer (an error before the stream started)
    seconds: float = 0.0

    @property
    def error(self) -> dict | None:
        last = self.events[-1] if self.events else None
        return last.get("error") if isinstance(last, dict) else None

    @property
    def done(self) -> bool:
        return "[DONE]" in self.events

    def json(self) -> dict:
        return json.loads(self.body)


def read_sse(
    client: httpx.Client,
    path: str,
    body: dict,
    headers: Mapping[str, str] | None = None,
    on_event: Callable[[int, Any], None] | None = None,
) -> Sse:
    """POST `body`, read the Server-Sent Events to the end; `on_event(n, event)` after each."""
    t0 = time.monotonic()
    with client.stream("POST", path, json=body, headers=dict(headers or {})) as resp:
        out = Sse(resp.status_code)
        if not resp.headers.get("content-type", "").startswith("text/event-stream"):
            out.body = resp.read().decode()
        else:
            for line in resp.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                out.events.append(data if data == "[DONE]" else json.loads(data))
                if on_event is not None:
                    on_event(len(out.events), out.events[-1])
    out.seconds = time.monotonic() - t0
    return out


def error_info(status: dict | grpc.RpcError) -> dict:
    """The ErrorInfo of a google.rpc.Status (JSON, or a gRPC error's details)."""
    if isinstance(status, grpc.RpcError):
        st = rpc_status.from_call(status)
        if st is None:
            return {}
        from google.protobuf import json_format

        status = json_format.MessageToDict(st)
    for detail in status.get("details", []):
        if detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
            return detail
    return {}
