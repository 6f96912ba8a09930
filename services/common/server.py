"""`serve()`: how every mesh process runs.

Health (NOT_SERVING until the component is ready), reflection, the error interceptor,
request ids in logs, the bound port written to `LLS_PORT_FILE`, and a graceful drain on
SIGTERM / SIGINT.
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

from services.common.channels import SERVER_OPTIONS
from services.common.interceptors import ErrorInterceptor
from services.common.logs import setup_logging
from services.common.settings import Settings

__all__ = ["Component", "run", "serve"]

log = logging.getLogger(__name__)

AddServicer = Callable[[Any, Any], None]


@dataclass
class Component:
    """What a process serves and how it becomes ready."""

    name: str
    #: (add_XServicer_to_server, servicer) pairs of typed services.
    servicers: Sequence[tuple[AddServicer, Any]] = ()
    #: Extra (service, {method: handler}) tables, e.g. the gateway's byte-level forwarders;
    #: registered as pre-registered methods, which grpc matches without a Python lookup.
    method_handlers: Sequence[tuple[str, dict[str, grpc.RpcMethodHandler]]] = ()
    #: Makes the component ready (load models, discover peers); health is SERVING after it.
    start: Callable[[], Awaitable[None]] | None = None
    #: Releases resources after the server stopped.
    stop: Callable[[], Awaitable[None]] | None = None
    #: Full names of the services this process serves (filled in by serve()).
    service_names: list[str] = field(default_factory=list)


class _Recorder:
    """Stands in for the server while generated add_* functions register their service."""

    def __init__(self, server: grpc.aio.Server, names: list[str]) -> None:
        self._server, self._names = server, names

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        for h in handlers:
            name = h.service_name() if hasattr(h, "service_name") else None
            if name and name not in self._names:
                self._names.append(name)
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, name: str, handlers: dict[str, Any]) -> None:
        self._server.add_registered_method_handlers(name, handlers)


async def serve(component: Component, settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT, then drain in-flight calls and stop."""
    server = grpc.aio.server(interceptors=[ErrorInterceptor()], options=SERVER_OPTIONS)
    recorder = _Recorder(server, component.service_names)
    for add, servicer in component.servicers:
        add(servicer, recorder)
    for service, handlers in component.method_handlers:
        recorder.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(service, handlers)])
        recorder.add_registered_method_handlers(service, handlers)

    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = list(component.service_names)
    reflection.enable_server_reflection(
        [*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)

    address = f"{settings.grpc_host}:{settings.port_for(component.name)}"
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as exc:
        raise SystemExit(f"{component.name}: cannot listen on {address}: {exc}") from exc
    if port == 0:
        raise SystemExit(f"{component.name}: cannot listen on {address} (port in use?)")
    await server.start()
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
    starter.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await starter
    await health_servicer.enter_graceful_shutdown()
    await server.stop(settings.drain_seconds)
    if component.stop is not None:
        await component.stop()
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
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("%s ready", component.name)


def _write_port_file(path: Path | None, port: int) -> None:
    if path is None:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(str(port))
    os.replace(tmp, path)


def run(build: Callable[[Settings], Component | Awaitable[Component]]) -> None:
    """Entry point of a process: settings, logging, uvloop, then serve()."""
    settings = Settings()
    name = settings.service_name or getattr(build, "__module__", "llamastack").split(".")[-2]
    setup_logging(name, settings.log_level)

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
