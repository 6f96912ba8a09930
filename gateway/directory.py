"""The services of the distribution and the providers they host, discovered at run time.

The gateway is configured with service addresses only (`LLS_<SERVICE>_ADDR`, or the run.yaml
ports). It asks each service's ProviderService which providers it hosts and which proto
services it serves, keeps one channel per service, and watches each one: when a service
comes back as a new process (a new `instance_id`), the registry re-registers that
service's resources with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llamastack.provider.v1 import provider_pb2, provider_service_pb2, provider_service_pb2_grpc
from services.common.errors import (
    FailedPrecondition,
    ProviderNotFound,
    ServiceUnavailable,
    Unsupported,
)
from services.common.security.mesh import mesh_credentials

__all__ = ["Directory", "ServiceEntry"]

log = logging.getLogger(__name__)

OnNewInstance = Callable[["ServiceEntry"], Awaitable[None]]
_DETAILS = "grpc-status-details-bin"


@dataclass
class ServiceEntry:
    """One API service process (or a load-balanced set of them behind one address)."""

    name: str
    address: str
    channel: grpc.aio.Channel
    stub: provider_service_pb2_grpc.ProviderServiceStub
    api: str = ""
    services: tuple[str, ...] = ()
    providers: dict[str, provider_pb2.ProviderInfo] = field(default_factory=dict)
    instance_id: str = ""
    reachable: bool = False
    last_error: str = ""

    def unavailable(self, detail: str = "") -> ServiceUnavailable:
        why = f": {detail}" if detail else ""
        return ServiceUnavailable(
            f"the {self.name} service at {self.address} is unavailable{why}",
            service=self.name,
            address=self.address,
        )

    def upstream_error(self, err: grpc.aio.AioRpcError) -> Exception:
        """An error from this service: its own errors pass unchanged; a dead link (UNAVAILABLE
        without details) names the service."""
        has_details = any(k == _DETAILS for k, _ in (err.trailing_metadata() or ()))
        if err.code() == grpc.StatusCode.UNAVAILABLE and not has_details:
            return self.unavailable(err.details() or "")
        return err


class Directory:
    def __init__(self, addresses: dict[str, str], watch_interval: float = 2.0) -> None:
        self.entries = {name: _entry(name, addr) for name, addr in sorted(addresses.items())}
        self._by_provider: dict[str, ServiceEntry] = {}
        self._by_proto_service: dict[str, list[ServiceEntry]] = {}
        self._watch_interval = watch_interval
        self._watcher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        #: Called (as a task) when a watched service comes back as a new process.
        self.on_new_instance: OnNewInstance | None = None

    # -- lookups (hot path: plain dict reads) -------------------------------------------

    def service_of_provider(self, provider_id: str) -> ServiceEntry:
        entry = self._by_provider.get(provider_id)
        if entry is None:
            raise ProviderNotFound(
                f"provider {provider_id!r} is not hosted by any service of this distribution "
                f"(providers: {sorted(self._by_provider)})",
                providerId=provider_id,
            )
        return entry

    def hosts(self, provider_id: str) -> bool:
        return provider_id in self._by_provider

    def providers(self) -> list[tuple[ServiceEntry, provider_pb2.ProviderInfo]]:
        return [(e, p) for e in self.entries.values() for p in e.providers.values()]

    def providers_for_kind(self, kind: int) -> list[provider_pb2.ProviderInfo]:
        return [p for _, p in self.providers() if kind in p.resource_kinds]

    def service_for(self, proto_service: str) -> ServiceEntry:
        """The service hosting an API whose RPCs are not routed by resource."""
        entries = self._by_proto_service.get(proto_service)
        if not entries:
            api = proto_service.split(".")[1] if proto_service.count(".") >= 2 else proto_service
            raise Unsupported(
                f"the {api} API is not part of this distribution "
                f"(no service serves {proto_service})",
                service=proto_service,
            )
        if len(entries) > 1:
            raise FailedPrecondition(
                f"{proto_service} is served by several services "
                f"({', '.join(e.name for e in entries)}); its RPCs must be routed by resource"
            )
        return entries[0]

    def provider_types(self, api: str) -> list[str]:
        return sorted({p.provider_type for _, p in self.providers() if p.api == api})

    # -- discovery ------------------------------------------------------------------------

    async def describe(
        self, entry: ServiceEntry, timeout: float = 2.0
    ) -> provider_service_pb2.DescribeProvidersResponse | None:
        """Ask a service what it hosts; update the tables; None when it is unreachable."""
        try:
            resp = await entry.stub.DescribeProviders(
                provider_service_pb2.DescribeProvidersRequest(), timeout=timeout
            )
        except grpc.aio.AioRpcError as err:
            entry.reachable, entry.last_error = False, err.details() or err.code().name
            return None
        new_instance = resp.instance_id != entry.instance_id
        entry.api, entry.services = resp.api, tuple(resp.services)
        entry.providers = {p.provider_id: p for p in resp.providers}
        entry.instance_id, entry.reachable, entry.last_error = resp.instance_id, True, ""
        self._reindex()
        if new_instance and self.on_new_instance is not None and self._watcher is not None:
            log.info("%s is a new process (instance %s)", entry.name, resp.instance_id[:8])
            task = asyncio.create_task(self.on_new_instance(entry))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return resp

    def _reindex(self) -> None:
        by_provider: dict[str, ServiceEntry] = {}
        by_service: dict[str, list[ServiceEntry]] = {}
        for entry in self.entries.values():
            for pid in entry.providers:
                other = by_provider.get(pid)
                if other is not None and other is not entry:
                    log.error(
                        "provider %s is hosted by both %s and %s", pid, other.name, entry.name
                    )
                by_provider[pid] = entry
            for svc in entry.services:
                by_service.setdefault(svc, []).append(entry)
        self._by_provider, self._by_proto_service = by_provider, by_service

    async def serving(self, entry: ServiceEntry, timeout: float = 2.0) -> bool:
        """Whether the service reports SERVING (its providers are initialised)."""
        try:
            resp = await health_pb2_grpc.HealthStub(entry.channel).Check(
                health_pb2.HealthCheckRequest(), timeout=timeout
            )
        except grpc.aio.AioRpcError:
            return False
        return resp.status == health_pb2.HealthCheckResponse.SERVING

    async def wait_serving(self, entry: ServiceEntry, timeout: float | None = None) -> bool:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not await self.serving(entry):
            if deadline is not None and loop.time() > deadline:
                return False
            await asyncio.sleep(0.2)
        return True

    async def discover(self, log_every: float = 10.0) -> None:
        """Wait until every configured service is SERVING and has described its providers."""
        pending = sorted(self.entries)
        loop = asyncio.get_running_loop()
        next_log = loop.time() + log_every
        while pending:
            ok = await asyncio.gather(*(self._ready(self.entries[n]) for n in pending))
            pending = [n for n, good in zip(pending, ok, strict=True) if not good]
            if pending:
                if loop.time() > next_log:
                    next_log = loop.time() + log_every
                    log.info(
                        "waiting for services: %s",
                        ", ".join(f"{n} ({self.entries[n].address})" for n in pending),
                    )
                await asyncio.sleep(0.2)

    async def _ready(self, entry: ServiceEntry) -> bool:
        return await self.serving(entry) and await self.describe(entry) is not None

    def start_watching(self) -> None:
        self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._watch_interval)
            await asyncio.gather(*(self.describe(e) for e in self.entries.values()))

    async def close(self) -> None:
        for task in [self._watcher, *self._tasks]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await asyncio.gather(*(e.channel.close() for e in self.entries.values()))


def _entry(name: str, address: str) -> ServiceEntry:
    # With the mesh credential (services refuse other callers): TLS under mTLS, and the
    # token on the stub's calls (the router adds it to forwarded calls itself).
    mesh = mesh_credentials()
    channel = mesh.channel(address)
    return ServiceEntry(
        name, address, channel, mesh.stub(provider_service_pb2_grpc.ProviderServiceStub(channel))
    )
