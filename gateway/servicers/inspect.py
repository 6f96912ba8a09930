"""InspectService: routes, health, version and providers of the running stack."""

from __future__ import annotations

import asyncio
import importlib.metadata
from dataclasses import dataclass, field

import grpc

from gateway.directory import Directory, ServiceEntry
from llamastack.inspect.v1 import inspect_service_pb2 as pb
from llamastack.inspect.v1 import inspect_service_pb2_grpc
from llamastack.provider.v1 import provider_pb2, provider_service_pb2
from services.common import descriptors, pagination
from services.common.errors import ProviderNotFound, ServiceUnavailable

__all__ = ["InspectServicer", "StartupState", "version"]

HealthStatus = provider_pb2.HealthStatus


def version() -> str:
    try:
        return importlib.metadata.version("llamastack-mesh")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from source
        return "0.0.0"


@dataclass
class StartupState:
    """Where the gateway's start-up is (readiness for `/v1/health`)."""

    phase: str = "starting"
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class InspectServicer(inspect_service_pb2_grpc.InspectServiceServicer):
    def __init__(self, directory: Directory, startup: StartupState) -> None:
        self._directory = directory
        self._startup = startup

    async def ListRoutes(self, request, context):
        routes = []
        for m in descriptors.methods():
            api = descriptors.api_of(m.package)
            types = self._directory.provider_types(api)
            for b in m.http:
                routes.append(
                    pb.RouteInfo(route=b.path, method=b.method, provider_types=types,
                                 grpc_method=m.path)
                )  # fmt: skip
        page, token = pagination.paginate(
            routes, lambda r: f"{r.route} {r.method}", request.page_size, request.page_token
        )
        return pb.ListRoutesResponse(data=page, next_page_token=token)

    async def GetHealth(self, request, context):
        """Readiness: UNAVAILABLE (HTTP 503) until the stack can serve what its run config
        declares; then OK, or ERROR listing the services that stopped serving."""
        if not self._startup.ready.is_set():
            raise ServiceUnavailable(
                f"the stack is starting ({self._startup.phase or 'finishing'}); retry shortly",
                phase=self._startup.phase,
            )
        entries = list(self._directory.entries.values())
        ok = await asyncio.gather(*(self._directory.serving(e, timeout=1.0) for e in entries))
        down = [e.name for e, good in zip(entries, ok, strict=True) if not good]
        status = HealthStatus.HEALTH_STATUS_ERROR if down else HealthStatus.HEALTH_STATUS_OK
        return pb.GetHealthResponse(status=status, unhealthy_services=down)

    async def GetLiveness(self, request, context):
        return pb.GetLivenessResponse(status=HealthStatus.HEALTH_STATUS_OK)

    async def GetVersion(self, request, context):
        return pb.GetVersionResponse(version=version())

    async def ListProviders(self, request, context):
        infos = await self._live_providers()
        page, token = pagination.paginate(
            infos, lambda p: p.provider_id, request.page_size, request.page_token
        )
        return pb.ListProvidersResponse(data=page, next_page_token=token)

    async def GetProvider(self, request, context):
        for info in await self._live_providers():
            if info.provider_id == request.provider_id:
                return pb.GetProviderResponse(provider=info)
        raise ProviderNotFound(
            f"provider {request.provider_id!r} is not configured; list the providers to see "
            f"what exists",
            providerId=request.provider_id,
        )

    async def ListProviderModels(self, request, context):
        entry = self._directory.service_of_provider(request.provider_id)
        try:
            resp = await entry.stub.ListProviderModels(
                provider_service_pb2.ListProviderModelsRequest(
                    provider_id=request.provider_id,
                    page_size=request.page_size,
                    page_token=request.page_token,
                ),
                timeout=context.time_remaining() or 60,
            )
        except grpc.aio.AioRpcError as err:
            raise entry.upstream_error(err) from None
        for model in resp.data:
            model.identifier = (
                model.identifier or f"{model.provider_id}/{model.provider_resource_id}"
            )
        return pb.ListProviderModelsResponse(data=resp.data, next_page_token=resp.next_page_token)

    async def _live_providers(self) -> list[provider_pb2.ProviderInfo]:
        entries = list(self._directory.entries.values())
        await asyncio.gather(*(self._directory.describe(e, timeout=2.0) for e in entries))
        out = []
        for entry in entries:
            out.extend(_with_reachability(entry))
        return out


def _with_reachability(entry: ServiceEntry) -> list[provider_pb2.ProviderInfo]:
    out = []
    for info in entry.providers.values():
        copy = provider_pb2.ProviderInfo()
        copy.CopyFrom(info)
        if not entry.reachable:
            copy.health.status = HealthStatus.HEALTH_STATUS_ERROR
            copy.health.message = f"the {entry.name} service is unreachable: {entry.last_error}"
        out.append(copy)
    return out
