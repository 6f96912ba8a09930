"""`llamastack health` and `llamastack providers list|get` (InspectService on the gateway)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    all_items,
    connect,
    out,
    print_json,
    print_table,
    to_dict,
)
from llamastack.inspect.v1 import inspect_service_pb2, inspect_service_pb2_grpc
from llamastack.provider.v1 import provider_pb2

__all__ = ["health", "providers_app"]

_STATUS = provider_pb2.HealthStatus


def _status_name(value: int) -> str:
    return (
        _STATUS.Name(value).removeprefix("HEALTH_STATUS_")
        if value in _STATUS.values()
        else str(value)
    )


def health(
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Health and version of the stack (exit status 1 unless OK)."""
    with connect(gateway) as channel:
        stub = inspect_service_pb2_grpc.InspectServiceStub(channel)
        h = stub.GetHealth(inspect_service_pb2.GetHealthRequest(), timeout=timeout)
        v = stub.GetVersion(inspect_service_pb2.GetVersionRequest(), timeout=timeout)
    ok = h.status == _STATUS.HEALTH_STATUS_OK
    if as_json:
        print_json({**to_dict(h), "version": v.version, "gateway": gateway})
    else:
        style = "green" if ok else "red"
        line = (
            f"[{style}]{_status_name(h.status)}[/]  version {v.version or '?'}  gateway {gateway}"
        )
        if h.unhealthy_services:
            line += f"  unhealthy: {', '.join(h.unhealthy_services)}"
        out.print(line)
    if not ok:
        raise typer.Exit(1)


providers_app = typer.Typer(help="Providers of the running stack.", no_args_is_help=True)


@providers_app.command("list")
def providers_list(
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """List every provider of every service, with its health."""
    with connect(gateway) as channel:
        stub = inspect_service_pb2_grpc.InspectServiceStub(channel)
        req = inspect_service_pb2.ListProvidersRequest(page_size=1000)
        items = list(all_items(stub.ListProviders, req, timeout))
    if as_json:
        print_json([to_dict(p) for p in items])
        return
    rows = [
        [
            p.api,
            p.provider_id,
            p.provider_type,
            _status_name(p.health.status) + (f" ({p.health.message})" if p.health.message else ""),
        ]
        for p in items
    ]
    print_table(["API", "PROVIDER ID", "TYPE", "HEALTH"], rows, "no providers")


@providers_app.command("get")
def providers_get(
    provider_id: Annotated[str, typer.Argument(help="The provider id.", show_default=False)],
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Show one provider (JSON, secrets redacted by the service)."""
    with connect(gateway) as channel:
        stub = inspect_service_pb2_grpc.InspectServiceStub(channel)
        resp = stub.GetProvider(
            inspect_service_pb2.GetProviderRequest(provider_id=provider_id), timeout=timeout
        )
    print_json(resp.provider)
