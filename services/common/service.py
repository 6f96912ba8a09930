"""The API service skeleton: what a service declares, and everything else done once.

A service's `__main__.py` is its declaration:

    SERVICE = ServiceDef(api="safety", providers=PROVIDERS, servicers=servicers)
    if __name__ == "__main__":
        main(SERVICE)

`build_component()` does the rest for every service: reads the run.yaml (`LLS_RUN_CONFIG`)
and this process's entry in it (`LLS_SERVICE_NAME`, default the API name), turns config
mistakes into one clear line and exit code 1, picks the port, builds the configured
providers from `PROVIDERS` (factories import their provider module only when called, so an
unconfigured provider costs nothing), hosts them in a `ProviderHost`, and serves the
service's own servicers plus the internal ProviderService, with health NOT_SERVING until every
provider initialised (`services.common.server.serve`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from llamastack.provider.v1 import provider_service_pb2_grpc
from services.common.config import ConfigError, RunConfig, load_run_config
from services.common.providers import (
    Provider,
    ProviderFactory,
    ProviderHost,
    ProviderServicer,
    build_providers,
)
from services.common.security.mesh import mesh_credentials
from services.common.server import AddServicer, Component, run, service_names
from services.common.settings import Settings

__all__ = ["ServiceDef", "build_component", "main"]

P = TypeVar("P", bound=Provider)
Servicers = Sequence[tuple[AddServicer, Any]]


@dataclass(frozen=True)
class ServiceDef(Generic[P]):
    """An API service: its API, the provider types it can host, and its servicers."""

    #: The API (`inference`, `safety`...); None: the API of the run.yaml service entry
    #: (test doubles that can stand in for any API).
    api: str | None
    #: provider_type -> factory(provider_id, config mapping).
    providers: Mapping[str, ProviderFactory[P]]
    #: The service's own (add_XServicer_to_server, servicer) pairs, given its providers.
    servicers: Callable[[ProviderHost[P]], Servicers]
    #: Extra start-up work after the providers initialised (health waits for it too).
    on_start: Callable[[ProviderHost[P]], Awaitable[None]] | None = None


def build_component(definition: ServiceDef[P], settings: Settings) -> Component:
    """The process for one run.yaml service entry; config mistakes raise SystemExit."""
    if settings.run_config is None:
        raise SystemExit(
            f"{definition.api or 'service'}: LLS_RUN_CONFIG is not set (the distribution's "
            "run.yaml)"
        )
    try:
        config = load_run_config(settings.run_config)
        name = settings.service_name or definition.api or ""
        api = definition.api or config.api_of(name)
        providers = _providers(definition, config, name, api)
    except ConfigError as exc:
        raise SystemExit(f"{settings.service_name or definition.api}: {exc}") from None
    host: ProviderHost[P] = ProviderHost(api, providers)
    typed = list(definition.servicers(host))
    provider_servicer = ProviderServicer(host, service_names(typed))
    port = settings.grpc_port
    if port is None and name in config.services:
        port = config.port_of(name)

    async def start() -> None:
        await host.start()
        if definition.on_start is not None:
            await definition.on_start(host)

    mesh = mesh_credentials()  # only the gateway may call a service (health stays open)
    return Component(
        name=name,
        servicers=[
            *typed,
            (provider_service_pb2_grpc.add_ProviderServiceServicer_to_server, provider_servicer),
        ],
        start=start,
        stop=host.stop,
        port=port,
        interceptors=mesh.server_interceptors(),
        listener=mesh.listener(),
    )


def _providers(definition: ServiceDef[P], config: RunConfig, name: str, api: str) -> list[P]:
    specs = config.providers_of(name)
    if not specs:
        raise ConfigError(
            f"service {name!r} hosts no providers: add some under providers.{api} "
            f"(known types: {', '.join(sorted(definition.providers))})"
        )
    return build_providers(specs, definition.providers)


def main(definition: ServiceDef[Any]) -> None:
    """Run one API service process until SIGTERM."""
    run(lambda settings: build_component(definition, settings), definition.api or "service")
