"""The client side: calls made inside a traced request carry its context (`traceparent`,
`tracestate`, `baggage`) and, when the request is recorded, get a CLIENT span of their own.

The caller's own trace headers in the outgoing metadata (the gateway forwards its caller's
metadata) are replaced by the current context, whose trace id, trace state and baggage came
from them: the trace continues and the hop in between is not skipped. Calls outside any
request (health checks, discovery) are sent untouched.

Two ways in: `hop()` for code that builds its own metadata (the gateway's byte-level
forwarding: no interceptor on its hot path, whose grpc.aio machinery costs a task per call),
and `client_interceptors()` for typed stubs (cross-API calls through `GatewayClient`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
from grpc.aio import ClientCallDetails
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from services.common.telemetry import w3c

__all__ = ["Hop", "client_interceptors", "hop"]

Metadata = Sequence[tuple[str, str]]


class Hop:
    """One outgoing call: the metadata to send and, when recorded, its span (ended by
    leaving the `with` block, with the call's status)."""

    __slots__ = ("metadata", "span")

    def __init__(self, metadata: Metadata, span: trace.Span | None = None) -> None:
        self.metadata, self.span = metadata, span

    def __enter__(self) -> Hop:
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if self.span is not None:
            if exc is None:
                _finish(self.span, grpc.StatusCode.OK)
            else:
                _fail(self.span, exc)


def hop(tracer: trace.Tracer, path: str | bytes, metadata: Metadata, fast: bool = True) -> Hop:
    """`metadata` with the current trace context in place of the caller's, and a CLIENT
    span when the current request is recorded (`fast`: the default W3C propagators)."""
    current = trace.get_current_span()
    sent = current.get_span_context()
    if not sent.is_valid:
        return Hop(metadata)
    span = context = None
    if current.is_recording():
        name = (path.decode() if isinstance(path, bytes) else path).lstrip("/")
        service, _, method = name.partition("/")
        span = tracer.start_span(
            name,
            kind=SpanKind.CLIENT,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": method},
        )
        context = trace.set_span_in_context(span)
        sent = span.get_span_context()
    carrier: dict[str, str] = {}
    if fast:
        carrier = w3c.inject(sent, context)
    else:
        propagate.inject(carrier, context=context)
    out = [(k, v) for k, v in metadata if k not in carrier]
    out.extend(carrier.items())
    return Hop(tuple(out), span)


def _finish(span: trace.Span, code: grpc.StatusCode, message: str = "") -> None:
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    if code is not grpc.StatusCode.OK:
        span.set_status(Status(StatusCode.ERROR, f"{code.name}: {message}".rstrip(": ")))
    span.end()


def _fail(span: trace.Span, exc: BaseException) -> None:
    if isinstance(exc, grpc.aio.AioRpcError):
        _finish(span, exc.code(), exc.details() or "")
    else:
        _finish(span, grpc.StatusCode.CANCELLED, type(exc).__name__)


def _details(details: ClientCallDetails, metadata: Metadata) -> ClientCallDetails:
    return ClientCallDetails(
        details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
    )


class _UnaryUnary(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer
        self._fast = w3c.default()

    async def intercept_unary_unary(self, continuation, client_call_details, request) -> Any:
        metadata = tuple(client_call_details.metadata or ())
        h = hop(self._tracer, client_call_details.method, metadata, self._fast)
        with h:
            call = await continuation(_details(client_call_details, h.metadata), request)
            if h.span is not None:
                await call  # the span ends with the call
            return call


class _UnaryStream(grpc.aio.UnaryStreamClientInterceptor):
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer
        self._fast = w3c.default()

    async def intercept_unary_stream(self, continuation, client_call_details, request) -> Any:
        metadata = tuple(client_call_details.metadata or ())
        h = hop(self._tracer, client_call_details.method, metadata, self._fast)
        call = await continuation(_details(client_call_details, h.metadata), request)
        return call if h.span is None else _watch(h, call)


async def _watch(h: Hop, call: Any) -> Any:
    with h:
        async for item in call:
            yield item


def client_interceptors(tracer: trace.Tracer) -> list[grpc.aio.ClientInterceptor]:
    return [_UnaryUnary(tracer), _UnaryStream(tracer)]
