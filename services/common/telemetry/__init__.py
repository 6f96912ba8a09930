"""OpenTelemetry for every mesh process, switched on by `services.common.server.run`.

- `setup(name, settings)`: once per process, before any channel or server exists. Reads the
  run.yaml `telemetry:` section and the `OTEL_*` variables (`config.plan`); when telemetry is
  off nothing is imported or installed and the functions below return empty lists and no-op
  objects, so it costs nothing.
- `server_interceptors()`: the interceptor `serve()` puts first (spans, request metrics).
- `outgoing(path, metadata)`: the metadata of a call forwarded by hand (the gateway's
  byte-level router) with the current trace context, and its CLIENT span (`grpc_client.py`).
- `client_interceptors()`: the same for typed stubs (`GatewayClient` adds them).
- `http_trace_configs()`: CLIENT spans for an aiohttp session's requests (`http_client.py`);
  httpx clients are instrumented when traces are on.
- `operation(...)`: a model call's GenAI span and metrics (`genai.py`).
- `shutdown()`: flush off the event loop, with a short deadline.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from services.common.providers import Provider
    from services.common.settings import Settings
    from services.common.telemetry.genai import GenAIInstruments
    from services.common.telemetry.sdk import Sdk

__all__ = [
    "active",
    "client_interceptors",
    "http_trace_configs",
    "operation",
    "outgoing",
    "server_interceptors",
    "setup",
    "shutdown",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class _State:
    sdk: Sdk
    server: list[Any]
    client: list[Any]
    genai: GenAIInstruments
    #: `grpc_client.hop` bound to the tracer (None when traces are off).
    hop: Any
    #: aiohttp TraceConfigs for new HTTP sessions (empty when traces are off).
    http: list[Any]
    #: This process is the collector it exports to (the telemetry service).
    to_itself: bool


_state: _State | None = None


def active() -> bool:
    return _state is not None


def setup(name: str, settings: Settings) -> None:
    """Install telemetry for this process as its distribution says (or not at all)."""
    global _state
    if _state is not None or settings.run_config is None:
        return
    from services.common.config import ConfigError, load_run_config
    from services.common.telemetry.config import plan

    try:
        config = load_run_config(settings.run_config)
    except ConfigError:
        return  # the component reports its config error itself
    # A process that binds a port of the system's choice cannot be reached at the run.yaml's
    # (the telemetry service itself, in tests): it does not export to itself then.
    ports = {name: settings.grpc_port} if settings.grpc_port is not None else None
    try:
        resolved = plan(config, os.environ, ports)
    except ValueError as exc:
        raise SystemExit(f"{name}: {exc}") from None
    if resolved is None:
        log.info("telemetry off")
        return

    from opentelemetry import metrics, trace

    from services.common.telemetry import w3c
    from services.common.telemetry.genai import GenAIInstruments
    from services.common.telemetry.grpc_client import client_interceptors as make_client
    from services.common.telemetry.grpc_client import hop
    from services.common.telemetry.grpc_server import ServerTelemetry
    from services.common.telemetry.sdk import build_sdk

    # The distribution's own telemetry service sits in the closed internal network (when the
    # mesh credential is set): exports to it carry the credential; other collectors never see it.
    mesh = None
    if resolved.collector_service is not None:
        from services.common.security.mesh import mesh_credentials

        mesh = mesh_credentials()
    sdk = build_sdk(name, config.image_name, resolved, mesh)
    tracer = trace.get_tracer("llamastack") if resolved.traces else None
    meter = metrics.get_meter("llamastack") if resolved.metrics else None
    http: list[Any] = []
    if tracer is not None:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        from services.common.telemetry.http_client import trace_config

        HTTPXClientInstrumentor().instrument(tracer_provider=sdk.tracer_provider)
        http.append(trace_config(tracer))
    _state = _State(
        sdk=sdk,
        server=[ServerTelemetry(tracer, sdk.rpc_stats, sdk.sampler)],
        client=make_client(tracer) if tracer is not None else [],
        genai=GenAIInstruments(tracer, meter),
        hop=functools.partial(hop, tracer, fast=w3c.default()) if tracer is not None else None,
        http=http,
        to_itself=resolved.collector_service == name,
    )
    ratio = "from OTEL_TRACES_SAMPLER" if resolved.sample_ratio is None else resolved.sample_ratio
    log.info(
        "telemetry on: traces %s, metrics %s, to %s (sampling %s)",
        "on" if resolved.traces else "off",
        "on" if resolved.metrics else "off",
        resolved.source,
        ratio,
    )


def server_interceptors() -> list[Any]:
    return _state.server if _state is not None else []


def client_interceptors() -> list[Any]:
    return _state.client if _state is not None else []


def http_trace_configs() -> list[Any]:
    return list(_state.http) if _state is not None else []


class _Untouched:
    """A forwarded call's metadata when there is no trace context to add."""

    __slots__ = ("metadata",)
    span = None

    def __init__(self, metadata: Any) -> None:
        self.metadata = metadata

    def __enter__(self) -> _Untouched:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def outgoing(path: str, metadata: Any) -> Any:
    """`with telemetry.outgoing(path, metadata) as hop: call(..., metadata=hop.metadata)`:
    the trace context replaces the caller's in `metadata`; when the request is recorded the
    call gets a CLIENT span that ends, with its status, when the block does."""
    if _state is None or _state.hop is None:
        return _Untouched(metadata)
    return _state.hop(path, metadata)


class _NoOperation:
    """What `operation()` gives when telemetry is off: every method does nothing."""

    def __enter__(self) -> _NoOperation:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def stream(self, items: T) -> T:
        return items

    def usage(self, *args: object, **kwargs: object) -> None:
        return None

    def end(self, error: BaseException | None = None) -> None:
        return None


_NOOP = _NoOperation()


def operation(operation: str, model: str, provider: Provider, **request: Any) -> Any:
    """A model call's span and metrics (`genai.GenAIOperation`); `request` adds
    `gen_ai.request.*` attributes (e.g. `max_tokens=64`) when they are set."""
    if _state is None:
        return _NOOP
    from services.common.telemetry import genai

    return genai.GenAIOperation(
        _state.genai,
        operation,
        model,
        provider.provider_id,
        provider.provider_type,
        {f"gen_ai.request.{k}": v for k, v in request.items()},
    )


async def shutdown() -> None:
    """Flush what is left (off the event loop) and stop exporting."""
    global _state
    if _state is not None:
        state, _state = _state, None
        # The telemetry service has stopped listening by now: its last export cannot land.
        await state.sdk.shutdown(flush=not state.to_itself)
