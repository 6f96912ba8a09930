"""Providers and the ProviderService every API service serves for the gateway.

A provider is one configured instance (`provider_id`) of a provider type
(`inline::llama-cpp`, `remote::vllm`) hosted by an API service process. Each API defines
Protocols for its data-plane capabilities; this module holds what all providers share:
identity, lifecycle, health, the resource table they compose (`services.common.resources`),
and, in `ProviderHost`, the one way a call picks its provider.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import grpc
from google.protobuf import struct_pb2
from pydantic import ValidationError

from llamastack.provider.v1 import provider_pb2, provider_service_pb2, provider_service_pb2_grpc
from llamastack.registry.v1 import resources_pb2
from services.common import pagination
from services.common.config import ConfigError, ProviderSpec
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ProviderNotFound,
    ServiceUnavailable,
)
from services.common.resources import Registered, ResourceTable

__all__ = [
    "PROVIDER_ID_METADATA",
    "RESOURCE_ID_METADATA",
    "Health",
    "Provider",
    "ProviderHost",
    "ProviderServicer",
    "Registered",
    "build_providers",
    "provider_id_of",
    "redact",
    "resource_id_of",
]

log = logging.getLogger(__name__)

#: Metadata the gateway sets on forwarded calls: the provider the call is for, and the
#: identifier the caller used (the request carries the provider's own id instead).
PROVIDER_ID_METADATA = "x-llamastack-provider-id"
RESOURCE_ID_METADATA = "x-llamastack-resource-id"
HealthStatus = provider_pb2.HealthStatus
_SECRET = re.compile(r"(key|token|secret|password|credential)", re.IGNORECASE)


@dataclass(frozen=True)
class Health:
    status: int = HealthStatus.HEALTH_STATUS_OK
    message: str = ""


class Provider:
    """Base of every provider: identity, lifecycle, health and its resource table.

    Subclasses set `api` and `provider_type`, and compose a `ResourceTable` as `self.table`
    when they own resources (registrations then go through it); they override the lifecycle
    hooks they need. `ready` is set by the host once `initialize()` returned.
    """

    api: ClassVar[str] = ""
    provider_type: ClassVar[str] = ""

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        self.provider_id = provider_id
        self.raw_config = dict(config)
        self.ready = asyncio.Event()
        self.table: ResourceTable[Any] | None = None

    @property
    def label(self) -> str:
        """How messages name this provider: `provider llama-cpp (inline::llama-cpp)`."""
        return f"provider {self.provider_id} ({self.provider_type})"

    @property
    def resource_kinds(self) -> tuple[int, ...]:
        return (self.table.kind.value,) if self.table is not None else ()

    def knows(self, resource_id: str) -> bool:
        """Whether this provider serves the resource (for calls that bypass the gateway)."""
        return self.table is not None and resource_id in self.table

    async def initialize(self) -> None:
        """Load models, open connections. Health reports NOT_SERVING until it returns."""

    async def shutdown(self) -> None:
        """Release what initialize() acquired."""

    async def health(self) -> Health:
        return Health()

    async def register_resource(self, resource: provider_service_pb2.AnyResource) -> Registered:
        """Accept (possibly normalised) or refuse (raise) a resource."""
        if self.table is None:
            raise InvalidArgument(f"{self.label} owns no resources")
        return await self.table.register(resource)

    async def unregister_resource(self, resource: provider_service_pb2.AnyResource) -> None:
        """Forget a resource (e.g. drop its collection)."""
        if self.table is not None:
            await self.table.unregister(resource)

    async def list_models(self) -> list[resources_pb2.Model]:
        """Models this provider can serve, for registration."""
        return []

    def info(self) -> provider_pb2.ProviderInfo:
        config = struct_pb2.Struct()
        config.update(redact(self.raw_config))
        return provider_pb2.ProviderInfo(
            api=self.api,
            provider_id=self.provider_id,
            provider_type=self.provider_type,
            config=config,
            resource_kinds=self.resource_kinds,
        )


def redact(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config with secrets replaced by `********` (for inspection)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, Mapping):
            out[key] = redact(value)
        elif _SECRET.search(key) and value:
            out[key] = "********"
        else:
            out[key] = value
    return out


P = TypeVar("P", bound=Provider)
ProviderFactory = Callable[[str, Mapping[str, Any]], P]


def build_providers(
    specs: Sequence[ProviderSpec], factories: Mapping[str, ProviderFactory[P]]
) -> list[P]:
    """Instantiate the configured providers; unknown types and invalid provider configs
    (pydantic validation) are config errors naming the provider."""
    out = []
    for spec in specs:
        factory = factories.get(spec.provider_type)
        if factory is None:
            raise ConfigError(
                f"provider {spec.provider_id}: unknown provider_type {spec.provider_type!r}; "
                f"known: {sorted(factories)}"
            )
        try:
            out.append(factory(spec.provider_id, spec.config))
        except ValidationError as exc:
            raise ConfigError(
                f"provider {spec.provider_id} ({spec.provider_type}): invalid config: {exc}"
            ) from None
    return out


class ProviderHost(Generic[P]):
    """The providers of one service process, and which one a call is for."""

    def __init__(self, api: str, providers: Sequence[P]) -> None:
        self.api = api
        self.providers: dict[str, P] = {p.provider_id: p for p in providers}
        self.ready = False

    def get(self, provider_id: str) -> P:
        try:
            return self.providers[provider_id]
        except KeyError:
            raise ProviderNotFound(
                f"provider {provider_id!r} is not hosted by the {self.api} service "
                f"(hosted: {sorted(self.providers)})",
                providerId=provider_id,
            ) from None

    def for_call(self, context: grpc.aio.ServicerContext, resource_id: str = "") -> P:
        """The provider a call is for (see `pick`)."""
        return self.pick(provider_id_of(context), resource_id)

    def pick(self, provider_id: str | None, resource_id: str = "") -> P:
        """The provider a call is for: the one the gateway named in metadata, else the only
        one, else the one that knows the resource. UNAVAILABLE while providers load."""
        if not self.ready:
            raise ServiceUnavailable(
                f"the {self.api} service is still starting (loading its providers); "
                "retry in a moment"
            )
        if provider_id:
            return self.get(provider_id)
        if len(self.providers) == 1:
            return next(iter(self.providers.values()))
        knowing = [p for p in self.providers.values() if resource_id and p.knows(resource_id)]
        if len(knowing) == 1:
            return knowing[0]
        if not knowing:
            raise NotFound(
                f"{resource_id!r} is not served by any provider of this {self.api} service "
                f"({sorted(self.providers)}); register it through the gateway",
                identifier=resource_id,
            )
        raise FailedPrecondition(
            f"{resource_id!r} is served by several providers "
            f"{sorted(p.provider_id for p in knowing)}; call through the gateway or set the "
            f"{PROVIDER_ID_METADATA} metadata"
        )

    async def start(self) -> None:
        """Initialise every provider at once (start-up takes the slowest one, not the sum)."""

        async def one(p: P) -> None:
            log.info("initialising provider %s (%s)", p.provider_id, p.provider_type)
            await p.initialize()
            p.ready.set()

        await asyncio.gather(*(one(p) for p in self.providers.values()))
        self.ready = True

    async def stop(self) -> None:
        await asyncio.gather(
            *(p.shutdown() for p in self.providers.values()), return_exceptions=True
        )


def provider_id_of(context: grpc.aio.ServicerContext) -> str | None:
    """The provider the gateway routed the call to (None for a direct call)."""
    for key, value in context.invocation_metadata() or ():
        if key == PROVIDER_ID_METADATA and value:
            return str(value)
    return None


def resource_id_of(context: grpc.aio.ServicerContext) -> str | None:
    """The identifier the caller used for the routed resource (the request carries the
    provider's own id instead); None for a direct call."""
    for key, value in context.invocation_metadata() or ():
        if key == RESOURCE_ID_METADATA and value:
            return str(value)
    return None


def resource_message(resource: provider_service_pb2.AnyResource) -> Any:
    kind = resource.WhichOneof("resource")
    if kind is None:
        raise InvalidArgument("resource is empty; set one of its kinds")
    return getattr(resource, kind)


class ProviderServicer(provider_service_pb2_grpc.ProviderServiceServicer):
    """ProviderService over a ProviderHost (the same for every API service)."""

    def __init__(self, host: ProviderHost[Any], service_names: Sequence[str]):
        self._host = host
        self._public = [n for n in service_names if not n.startswith("llamastack.provider.")]
        self._instance_id = uuid.uuid4().hex

    async def DescribeProviders(self, request, context):
        infos = []
        for p in self._host.providers.values():
            info = p.info()
            health = (
                await p.health()
                if self._host.ready
                else Health(HealthStatus.HEALTH_STATUS_ERROR, "starting")
            )
            info.health.status, info.health.message = health.status, health.message
            infos.append(info)
        return provider_service_pb2.DescribeProvidersResponse(
            api=self._host.api,
            providers=infos,
            services=self._public,
            instance_id=self._instance_id,
        )

    async def RegisterResource(self, request, context):
        provider = self._host.get(resource_message(request.resource).provider_id)
        done = await provider.register_resource(request.resource)
        return provider_service_pb2.RegisterResourceResponse(
            resource=done.resource, tools=done.tools
        )

    async def UnregisterResource(self, request, context):
        provider = self._host.get(resource_message(request.resource).provider_id)
        await provider.unregister_resource(request.resource)
        return provider_service_pb2.UnregisterResourceResponse()

    async def ListProviderModels(self, request, context):
        provider = self._host.get(request.provider_id)
        models = await provider.list_models()
        page, token = pagination.paginate(
            models, lambda m: m.provider_resource_id, request.page_size, request.page_token
        )
        return provider_service_pb2.ListProviderModelsResponse(data=page, next_page_token=token)
