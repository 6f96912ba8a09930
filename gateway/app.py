"""Wiring: store, directory, registry, router and servicers become one Component."""

from __future__ import annotations

import logging

from gateway.auth import build_security
from gateway.declared import register_declared
from gateway.directory import Directory
from gateway.registry import Registry
from gateway.router import Router, build_handlers
from gateway.servicers.inspect import InspectServicer, StartupState
from gateway.servicers.registry import registry_servicers
from gateway.store.open import open_store
from gateway.streams import StreamGuard
from gateway.workers import WorkerGroup, die_with_parent
from llamastack.inspect.v1 import inspect_service_pb2_grpc
from services.common.config import ConfigError, RunConfig, load_run_config
from services.common.reuseport import PortInUse, reserve
from services.common.security.mesh import mesh_credentials
from services.common.server import Component
from services.common.settings import Settings, peer_addresses
from services.common.state.open import open_state_store

__all__ = ["GATEWAY_PACKAGES", "build", "service_addresses"]

log = logging.getLogger(__name__)

#: Packages whose services the gateway answers itself; everything else is forwarded.
GATEWAY_PACKAGES = frozenset(
    {"llamastack.registry.v1", "llamastack.inspect.v1", "llamastack.admin.v1"}
)


def service_addresses(config: RunConfig) -> dict[str, str]:
    """Address of every API service: `LLS_<SERVICE>_ADDR`, else localhost and its port."""
    env = peer_addresses()
    out = {}
    for name in config.api_services():
        out[name] = env.get(name) or f"localhost:{config.port_of(name)}"
    return out


async def build(settings: Settings) -> Component:
    if settings.run_config is None:
        raise ConfigError(
            "LLS_RUN_CONFIG is not set: the gateway needs the distribution's run.yaml"
        )
    config = load_run_config(settings.run_config)
    store = await open_store(config, settings)
    state = await open_state_store(config, settings)  # API keys, quota counters
    security = build_security(config, state, mesh_credentials())
    directory = Directory(service_addresses(config))
    registry = Registry(store, directory, access=security.access)
    streams = StreamGuard(settings.stream_idle_timeout_s)
    router = Router(
        registry, directory, settings.default_timeout_s, hooks=security, streams=streams
    )

    startup = StartupState()
    if settings.worker_index:  # a worker started by worker 0: it did the start-up work
        die_with_parent(settings.worker_parent)
        await security.start()
        await directory.discover()
        directory.start_watching()

    async def start() -> None:
        await security.start()
        startup.phase = "waiting for the API services to be ready"
        await directory.discover()
        startup.phase = "re-registering stored resources with their services"
        for entry in directory.entries.values():
            await registry.resync(entry)
        startup.phase = "registering the resources declared in the run config"
        await register_declared(registry, config)
        startup.phase = ""
        directory.on_new_instance = registry.resync
        directory.start_watching()
        log.info(
            "gateway routes to %s",
            ", ".join(f"{e.name}@{e.address}" for e in directory.entries.values()) or "no service",
        )

    async def stop() -> None:
        await directory.close()
        await security.stop()
        await state.close()
        await store.close()

    component = Component(
        name=f"gateway-{settings.worker_index}" if settings.worker_index else "gateway",
        servicers=[
            *registry_servicers(registry),
            (
                inspect_service_pb2_grpc.add_InspectServiceServicer_to_server,
                InspectServicer(directory, startup),
            ),
            *security.servicers,
        ],
        method_handlers=build_handlers(router, skip_packages=GATEWAY_PACKAGES),
        start=None if settings.worker_index else start,
        stop=stop,
        drain=streams.drain,
        port=settings.grpc_port if settings.grpc_port is not None else config.port_of("gateway"),
        interceptors=[security.interceptor] if security.interceptor is not None else [],
        shared_port=bool(settings.worker_index),
    )
    startup.ready = component.ready
    workers = config.workers_of("gateway")
    if workers > 1 and not settings.worker_index:
        _lead_workers(component, workers, settings)
    return component


def _lead_workers(component: Component, workers: int, settings: Settings) -> None:
    """Worker 0 of `workers` (gateway/workers.py): reserve the port for the group, listen on
    it, and start the others once the start-up work is done."""
    try:
        reservation = reserve(settings.grpc_host, component.port or 0)
    except PortInUse as exc:
        raise SystemExit(f"gateway: {exc}") from None
    component.port = reservation.getsockname()[1]
    component.shared_port = True
    group = WorkerGroup(workers - 1, component.port)
    start, stop = component.start, component.stop
    assert start is not None and stop is not None

    async def start_all() -> None:
        await start()
        await group.start()

    async def stop_all() -> None:
        await group.stop()
        reservation.close()
        await stop()

    component.start, component.stop, component.stopping = start_all, stop_all, group.terminate
