"""Meshes for the telemetry tests: a telemetry service (SQLite) receiving OTLP from every
process, a gateway and Envoy (tracing as the run.yaml says), and an inference service (echo,
or the real SmolLM2 model)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as pb_grpc
from services.common.config import load_run_config
from services.common.telemetry.config import envoy_tracing
from tests.integration.rest.conftest import run_config as model_run_config
from tests.integration.rest.envoy_proc import EnvoyProcess, free_port
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

ECHO = "tests.support.echo_service"
ROWS = "tests.integration.telemetry.rows_service"
CHAT_MODEL = "llama-cpp/SmolLM2-135M-Instruct"
#: Spans and metrics leave every process quickly (tests poll for them).
FAST_EXPORT = {"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "300"}


def _telemetry_provider(workdir: Path) -> dict[str, Any]:
    return {
        "provider_id": "meta-reference",
        "provider_type": "inline::meta-reference",
        "config": {"store": {"type": "sqlite", "db_path": str(workdir / "telemetry.db")}},
    }


def echo_config(workdir: Path, *, datasetio: bool = True) -> dict[str, Any]:
    config: dict[str, Any] = {
        "version": 2,
        "image_name": "telemetry-test",
        "providers": {
            "inference": [
                {
                    "provider_id": "echo-llm",
                    "provider_type": "test::echo",
                    "config": {"models": ["m1"]},
                },
            ],
            "telemetry": [_telemetry_provider(workdir)],
        },
        "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
        "services": {"inference": {}, "telemetry": {}},
        "models": [{"model_id": "m1", "provider_id": "echo-llm"}],
    }
    if datasetio:
        config["providers"]["datasetio"] = [{"provider_id": "rows", "provider_type": "test::rows"}]
        config["services"]["datasetio"] = {}
    return config


def model_config(workdir: Path) -> dict[str, Any]:
    config = model_run_config(workdir / "state")
    # This mesh runs inference and telemetry only: no safety service, so no shields.
    config["apis"] = ["inference", "telemetry"]
    config["providers"].pop("safety")
    config["services"].pop("safety")
    config.pop("shields")
    config["providers"]["telemetry"] = [_telemetry_provider(workdir)]
    config["services"]["telemetry"] = {"port": 0}
    return config


class TelemetryMesh:
    """telemetry → services → gateway → Envoy, all exporting to the telemetry service."""

    def __init__(
        self,
        workdir: Path,
        config: dict[str, Any],
        modules: dict[str, str],
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        #: Given to every process (e.g. the mesh credential).
        self.env = {**FAST_EXPORT, **(env or {})}
        (workdir / "state").mkdir(exist_ok=True)
        self.run_config = write_config(workdir / "run.yaml", config)
        self.modules = modules
        self.procs: list[MeshProcess] = []
        self.services: dict[str, MeshProcess] = {}
        self.telemetry: MeshProcess | None = None
        self.gateway: MeshProcess | None = None
        self.envoy: EnvoyProcess | None = None

    def start(self) -> TelemetryMesh:
        try:
            # Services call the gateway (saving spans to a dataset): its port comes first.
            gateway_port = free_port()
            gateway_addr = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{gateway_port}"}
            self.telemetry = start_service(
                "telemetry", self.run_config, self.workdir, env={**self.env, **gateway_addr}
            )
            self.procs.append(self.telemetry)
            env = {**self.env, **gateway_addr, "LLS_TELEMETRY_ADDR": self.telemetry.address}
            for name, module in self.modules.items():
                proc = start_service(name, self.run_config, self.workdir, module=module, env=env)
                self.services[name] = proc
                self.procs.append(proc)
            self.gateway = start_gateway(
                self.run_config,
                self.workdir,
                {**self.services, "telemetry": self.telemetry},
                env=env,
                port=gateway_port,
            )
            self.procs.append(self.gateway)
            # Envoy's tracer as the launcher sets it up, from the run.yaml's telemetry section.
            tracing = envoy_tracing(load_run_config(self.run_config), env)
            self.envoy = EnvoyProcess(self.workdir, self.gateway.address, tracing=tracing).start()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.envoy is not None:
            self.envoy.stop()
        for proc in reversed(self.procs):
            proc.stop()


def telemetry_stub(channel: grpc.Channel) -> pb_grpc.TelemetryServiceStub:
    return pb_grpc.TelemetryServiceStub(channel)


def wait_for(fetch: Callable[[], Any], ready: Callable[[Any], bool], timeout: float = 20.0) -> Any:
    """Poll `fetch()` until `ready(result)` (spans arrive in batches, a little later)."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if ready(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not ready after {timeout}s: {result}")
        time.sleep(0.1)


def trace_spans(
    stub: pb_grpc.TelemetryServiceStub, trace_id: str, count: int, timeout: float = 20.0
) -> dict[str, Any]:
    """The trace's spans by id, once it has at least `count` of them below its root."""

    def fetch() -> dict[str, Any]:
        try:
            trace = stub.GetTrace(pb.GetTraceRequest(trace_id=trace_id), timeout=5).trace
        except grpc.RpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                return {}
            raise
        tree = stub.GetSpanTree(pb.GetSpanTreeRequest(span_id=trace.root_span_id), timeout=5)
        return dict(tree.data)

    return wait_for(fetch, lambda spans: len(spans) >= count, timeout)
