"""CLIENT spans for aiohttp requests (the remote inference adapters' HTTP client).

An `aiohttp.TraceConfig` that opens a span when a request starts, writes the span's
`traceparent` into the request headers (so a traced remote server joins our trace), and ends
it when the response headers arrive (for a stream: its time to first byte) or the request
fails. Installed on a session only when traces are on (`telemetry.http_trace_configs()`), so
it costs nothing otherwise. Written here rather than taken from
`opentelemetry-instrumentation-aiohttp-client`, whose releases pin other versions of the
OpenTelemetry packages than the SDK this project uses.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

__all__ = ["trace_config"]


def trace_config(tracer: trace.Tracer) -> aiohttp.TraceConfig:
    """A TraceConfig giving every request of the session its CLIENT span."""

    async def start(_session: Any, ctx: SimpleNamespace, params: Any) -> None:
        url = params.url
        span = tracer.start_span(
            params.method,
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": params.method,
                "url.full": str(url.with_query(None)),
                "server.address": url.host or "",
                "server.port": url.port or 0,
            },
        )
        propagate.inject(params.headers, context=trace.set_span_in_context(span))
        ctx.llamastack_span = span

    async def end(_session: Any, ctx: SimpleNamespace, params: Any) -> None:
        span = getattr(ctx, "llamastack_span", None)
        if span is None:
            return
        status = params.response.status
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
        span.end()

    async def failed(_session: Any, ctx: SimpleNamespace, params: Any) -> None:
        span = getattr(ctx, "llamastack_span", None)
        if span is None:
            return
        span.record_exception(params.exception)
        span.set_status(Status(StatusCode.ERROR, type(params.exception).__name__))
        span.end()

    config = aiohttp.TraceConfig()
    config.on_request_start.append(start)
    config.on_request_end.append(end)
    config.on_request_exception.append(failed)
    return config
