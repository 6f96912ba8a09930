"""Providers and the ProviderService every API service serves for the gateway.

A provider is one configured instance (`provider_id`) of a provider type
(`inline::llama-cpp`, `remote::vllm`) hosted by an API service process. Each API defines a
Protocol for its data-plane methods; this module holds what all providers share: identity,
lifecycle, health, and accepting or refusing the resources the gateway registers.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import grpc
from google.protobuf import struct_pb2

from llamastack.provider.v1 import provider_pb2, provider_service_pb2, provider_service_pb2_grpc
from llamastack.registry.v1 import resources_pb2
from services.common import pagination
from services.common.config import ConfigError, ProviderSpec
from services.common.errors import FailedPrecondition, InvalidArgument, ProviderNotFound

__all__ = [
    "PROVIDER_ID_METADATA",
    "RESOURCE_ID_METADATA",
    "Health",
    "Provider",
    "ProviderHost",
    "ProviderServicer",
    "Registered",
    "build_providers",
    "redact",
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


@dataclass
class Registered:
    """A resource as the provider accepted it (and, for tool groups, its tools)."""

    resource: provider_service_pb2.AnyResource
    tools: list[resources_pb2.Tool] = field(default_factory=list)


class Provider:
    """Base of every provider: identity, lifecycle, health and resource hooks.

    Subclasses set `api`, `provider_type` and `resource_kinds`, and override the hooks they
    need; the defaults accept every resource and report healthy.
    """

    api: ClassVar[str] = ""
    provider_type: ClassVar[str] = ""
    resource_kinds: ClassVar[tuple[int, ...]] = ()

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        self.provider_id = provider_id
        self.raw_config = dict(config)

    async def initialize(self) -> None:
        """Load models, open connections. Health reports NOT_SERVING until it returns."""

    async def shutdown(self) -> None:
        """Release what initialize() acquired."""

    async def health(self) -> Health:
        return Health()

    async def register_resource(self, resource: provider_service_pb2.AnyResource) -> Registered:
        """Accept (possibly normalised) or refuse (raise) a resource."""
        return Registered(resource)

    async def unregister_resource(self, resource: provider_service_pb2.AnyResource) -> None:
        """Forget a resource (e.g. drop its collection)."""

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
    """Instantiate the configured providers; unknown types are a config error."""
    out = []
    for spec in specs:
        factory = factories.get(spec.provider_type)
        if factory is None:
            raise ConfigError(
                f"provider {spec.provider_id}: unknown provider_type {spec.provider_type!r}; "
                f"known: {sorted(factories)}"
            )
        out.append(factory(spec.provider_id, spec.config))
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

    def for_call(self, context: grpc.aio.ServicerContext) -> P:
        """The provider a call is for: the gateway names it in metadata."""
        for key, value in context.invocation_metadata() or ():
            if key == PROVIDER_ID_METADATA:
                return self.get(str(value))
        if len(self.providers) == 1:
            return next(iter(self.providers.values()))
        raise FailedPrecondition(
            f"this {self.api} service hosts several providers {sorted(self.providers)}; "
            f"call it through the gateway or set the {PROVIDER_ID_METADATA} metadata"
        )

    async def start(self) -> None:
        """Initialise every provider at once (start-up takes the slowest one, not the sum)."""

        async def one(p: P) -> None:
            log.info("initialising provider %s (%s)", p.provider_id, p.provider_type)
            await p.initialize()

        await asyncio.gather(*(one(p) for p in self.providers.values()))
        self.ready = True

    async def stop(self) -> None:
        await asyncio.gather(
            *(p.shutdown() for p in self.providers.values()), return_exceptions=True
        )


def resource_message(resource: provider_service_pb2.AnyResource) -> Any:
    kind = resource.WhichOneof("resource")
    if kind is None:
        raise InvalidArgument("resource is empty; set one of its kinds")
    return getattr(resource, kind)


class ProviderServicer(provider_service_pb2_grpc.ProviderServiceServicer):
    """ProviderService over a ProviderHost (the same for every API service)."""

    def __init__(self, host: ProviderHost[Any], service_names: Callable[[], Sequence[str]]):
        self._host = host
        self._service_names = service_names
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
        public = [n for n in self._service_names() if not n.startswith("llamastack.provider.")]
        return provider_service_pb2.DescribeProvidersResponse(
            api=self._host.api, providers=infos, services=public, instance_id=self._instance_id
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
