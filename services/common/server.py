"""`serve()`: how every mesh process runs.

Health, reflection, the error interceptor, request ids in logs, the bound port written to
`LLS_PORT_FILE`, and a graceful drain on SIGTERM / SIGINT.

Health has two meanings, as Kubernetes probes do (grpc.health.v1 service names):
- `liveness`: SERVING as soon as the process listens, until it drains. A process that stops
  answering it is stuck and should be restarted.
- `readiness` (and `""`, the overall status, and each served proto service): SERVING only once
  the component's `start()` finished, i.e. it can serve what it declared (a service's
  providers are loaded; the gateway found its services and registered the run.yaml
  resources). Route traffic only to ready processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common import telemetry
from services.common.channels import SERVER_OPTIONS
from services.common.interceptors import ErrorInterceptor
from services.common.logs import setup_logging
from services.common.reuseport import SHARED_SERVER_OPTIONS
from services.common.settings import Settings

__all__ = ["LIVENESS", "READINESS", "Component", "run", "serve", "service_names"]

log = logging.getLogger(__name__)

AddServicer = Callable[[Any, Any], None]
#: grpc.health.v1 service names of the two probes.
LIVENESS = "liveness"
READINESS = "readiness"


@dataclass
class Component:
    """What a process serves and how it becomes ready."""

    name: str
    #: (add_XServicer_to_server, servicer) pairs of typed services.
    servicers: Sequence[tuple[AddServicer, Any]] = ()
    #: Extra (service, {method: handler}) tables, e.g. the gateway's byte-level forwarders,
    #: served from one table ahead of the servicers (see `_Methods`).
    method_handlers: Sequence[tuple[str, dict[str, grpc.RpcMethodHandler]]] = ()
    #: Makes the component ready (load models, discover peers); health is SERVING after it.
    start: Callable[[], Awaitable[None]] | None = None
    #: Releases resources after the server stopped.
    stop: Callable[[], Awaitable[None]] | None = None
    #: Called with the drain period when a drain starts, while in-flight calls still run
    #: (the gateway ends the streams still open before the period is over).
    drain: Callable[[float], Awaitable[None]] | None = None
    #: Called as soon as the process is told to stop, before it drains (tell helpers).
    stopping: Callable[[], None] | None = None
    #: Port to listen on; None: `LLS_GRPC_PORT`, else the port table's default.
    port: int | None = None
    #: Set once `start()` finished (readiness); components read it (the gateway's health).
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    #: Interceptors that run before the error interceptor (authentication: the gateway's
    #: `gateway.auth`, the services' mesh credential check).
    interceptors: Sequence[grpc.aio.ServerInterceptor] = ()
    #: Binds the port with credentials and serves extra ports (mTLS services:
    #: `services.common.security.mesh.MeshListener`); None: plaintext.
    listener: Any = None
    #: Bind with SO_REUSEPORT: one of several workers serving a port reserved for their group
    #: (`services.common.reuseport`); never for a port that was not reserved.
    shared_port: bool = False


class _Recorder:
    """Stands in for the server while generated add_* functions register their service."""

    def __init__(self, server: grpc.aio.Server | None, names: list[str]) -> None:
        self._server, self._names = server, names

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        for h in handlers:
            name = h.service_name() if hasattr(h, "service_name") else None
            if name and name not in self._names:
                self._names.append(name)
        if self._server is not None:
            self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, name: str, handlers: dict[str, Any]) -> None:
        """Not passed on: grpc.aio's server loop keeps one pending request per registered
        method and waits on all of them (`asyncio.wait`) for every call it accepts, so each
        call cost O(registered methods): about half of the gateway's instructions per call
        with its 114 forwarded methods (bench/RESULTS.md "Hot path"). The generic handlers
        serve the same methods with one dictionary lookup."""


class _Methods(grpc.GenericRpcHandler):
    """Many services' handlers in one table: one dictionary lookup per call, where grpc would
    ask a generic handler per service in turn."""

    def __init__(self, tables: Sequence[tuple[str, dict[str, grpc.RpcMethodHandler]]]) -> None:
        self._by_path = {f"/{svc}/{m}": h for svc, handlers in tables for m, h in handlers.items()}

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        return self._by_path.get(details.method)


def service_names(servicers: Sequence[tuple[AddServicer, Any]]) -> list[str]:
    """Full names of the proto services a list of (add_XServicer_to_server, servicer) serves."""
    names: list[str] = []
    recorder = _Recorder(None, names)
    for add, servicer in servicers:
        add(servicer, recorder)
    return names


async def serve(component: Component, settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT, then drain in-flight calls and stop."""
    server = grpc.aio.server(
        interceptors=[
            *telemetry.server_interceptors(),
            *component.interceptors,
            ErrorInterceptor(),
        ],
        options=SHARED_SERVER_OPTIONS if component.shared_port else SERVER_OPTIONS,
    )
    names: list[str] = []
    recorder = _Recorder(server, names)
    if component.method_handlers:  # first: they take most calls (the gateway's forwarders)
        server.add_generic_rpc_handlers([_Methods(component.method_handlers)])
        names.extend(service for service, _ in component.method_handlers)
    for add, servicer in component.servicers:
        add(servicer, recorder)

    health_servicer = health.aio.HealthServicer()
    unnamed = _Recorder(server, [])  # health and reflection: generic handlers only, too
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, unnamed)
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], unnamed
    )
    for name in ("", READINESS, *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    await health_servicer.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)

    port = component.port if component.port is not None else settings.port_for(component.name)
    address = f"{settings.grpc_host}:{port}"
    try:
        listener = component.listener
        port = listener.bind(server, address) if listener else server.add_insecure_port(address)
    except RuntimeError as exc:
        raise SystemExit(f"{component.name}: cannot listen on {address}: {exc}") from exc
    if port == 0:
        raise SystemExit(f"{component.name}: cannot listen on {address} (port in use?)")
    await server.start()
    if listener is not None:
        health_port = await listener.start(health_servicer)
        if settings.port_file is not None:
            _write_port_file(settings.port_file.with_name(settings.port_file.name + ".health"),
                             health_port)  # fmt: skip
    _write_port_file(settings.port_file, port)
    log.info("%s listening on port %d", component.name, port)

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    starter = asyncio.create_task(_start(component, health_servicer, names, stopping))
    await stopping.wait()
    failed = starter.done() and not starter.cancelled() and starter.exception() is not None
    if failed:
        # Nothing was served: no drain, and no waiting for work still running in threads.
        await server.stop(0)
        logging.shutdown()
        os._exit(1)
    log.info("%s stopping: draining for up to %.0fs", component.name, settings.drain_seconds)
    if component.stopping is not None:
        component.stopping()
    starter.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await starter
    await health_servicer.enter_graceful_shutdown()
    drainer = None
    if component.drain is not None:
        drainer = asyncio.create_task(component.drain(settings.drain_seconds))
    await server.stop(settings.drain_seconds)
    if drainer is not None:
        drainer.cancel()
    if listener is not None:
        await listener.stop()
    if component.stop is not None:
        await component.stop()
    await telemetry.shutdown()
    log.info("%s stopped", component.name)


async def _start(
    component: Component,
    health_servicer: health.aio.HealthServicer,
    names: list[str],
    stopping: asyncio.Event,
) -> None:
    try:
        if component.start is not None:
            await component.start()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s failed to start", component.name)
        stopping.set()
        raise
    component.ready.set()  # before the health checks say so: whoever sees SERVING sees ready
    for name in ("", READINESS, *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("%s ready", component.name)


def _write_port_file(path: Path | None, port: int) -> None:
    if path is None:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(str(port))
    os.replace(tmp, path)


def run(
    build: Callable[[Settings], Component | Awaitable[Component]], default_name: str = ""
) -> None:
    """Entry point of a process: settings, logging, uvloop, then serve()."""
    settings = Settings()
    name = settings.service_name or default_name or "llamastack"
    setup_logging(name, settings.log_level)
    telemetry.setup(name, settings)

    async def main() -> None:
        built = build(settings)
        component = await built if asyncio.iscoroutine(built) else built
        await serve(component, settings)

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:  # pragma: no cover - uvloop is a dependency
        asyncio.run(main())
    except SystemExit as exc:
        log.error("%s", exc)
        sys.exit(1)
