"""The server side of every process: one span per RPC (child of the caller's `traceparent`)
and request metrics (count, errors, duration by API, method and status).

What is not traced: health checks, reflection, OTLP ingestion (the telemetry service must not
trace the spans it receives), and queries of the telemetry API (reading traces must not make
new ones; they are still counted). The internal ProviderService is traced and counted only
inside a trace (the gateway's discovery polls it every few seconds).

Every non-OK status marks the span as an error (`rpc.grpc.status_code` says which: a caller's
mistake or a server fault), so a failed call is visible where it failed.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from services.common import descriptors
from services.common.telemetry import w3c
from services.common.telemetry.rpc_metrics import RpcStats
from services.common.telemetry.sdk import RootSampler, unsampled_root

__all__ = ["ServerTelemetry"]

_NOT_TRACED = ("grpc.health.", "grpc.reflection.", "opentelemetry.proto.collector.")
_UNTRACED_API = ("llamastack.telemetry.v1.TelemetryService",)
_ONLY_IN_TRACE = ("llamastack.provider.v1.ProviderService",)
_PROPAGATED = frozenset({"traceparent", "tracestate", "baggage"})


@dataclass(slots=True)
class _Method:
    name: str
    attributes: dict[str, Any]
    traced: bool
    #: May start a trace (otherwise only continues one).
    root: bool
    #: Metric labels by status.
    keys: dict[grpc.StatusCode, tuple[str, str, str]] = field(default_factory=dict)

    def key(self, code: grpc.StatusCode) -> tuple[str, str, str]:
        out = self.keys.get(code)
        if out is None:
            service = self.attributes["rpc.service"]
            package = service.rpartition(".")[0]
            api = descriptors.api_of(package) if package.startswith("llamastack.") else service
            out = self.keys[code] = (api, self.attributes["rpc.method"], code.name)
        return out


class _Call:
    """One traced RPC in progress."""

    __slots__ = ("method", "span", "start", "token")

    def __init__(self, method: _Method, span: trace.Span, token: object) -> None:
        self.method, self.span, self.token = method, span, token
        self.start = time.perf_counter()


class ServerTelemetry(grpc.aio.ServerInterceptor):
    def __init__(
        self,
        tracer: trace.Tracer | None,
        stats: RpcStats | None,
        sampler: RootSampler | None = None,
    ) -> None:
        self._tracer = tracer
        self._stats = stats
        #: Our parent-based sampler, when it is the one in use (the fast paths need it).
        self._sampler = sampler
        self._w3c = w3c.default()
        self._methods: dict[str, _Method | None] = {}

    def _method(self, path: str) -> _Method | None:
        if path in self._methods:
            return self._methods[path]
        service, _, name = path.lstrip("/").partition("/")
        method = None
        if name and not service.startswith(_NOT_TRACED):
            attributes = {"rpc.system": "grpc", "rpc.service": service, "rpc.method": name}
            method = _Method(
                name=f"{service}/{name}",
                attributes=attributes,
                traced=self._tracer is not None and service not in _UNTRACED_API,
                root=service not in _ONLY_IN_TRACE,
            )
        self._methods[path] = method
        return method

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(details)
        method = self._method(details.method) if handler is not None else None
        if method is None or handler.request_streaming:
            return handler
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(handler.unary_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream and inspect.isasyncgenfunction(handler.unary_stream):
            return grpc.unary_stream_rpc_method_handler(
                self._stream(handler.unary_stream, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _begin(self, method: _Method, context: grpc.aio.ServicerContext) -> _Call | None:
        metadata = context.invocation_metadata() or ()
        if self._w3c:
            carrier = {k: v for k, v in metadata if k in _PROPAGATED}
        else:
            carrier = {k: v for k, v in metadata if isinstance(v, str)}
        if not carrier and not method.root:
            return None
        if not method.traced:
            return _Call(method, trace.INVALID_SPAN, None)
        parent = self._parent(carrier)
        span = self._span(method, parent)
        if span is None:
            return None
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        return _Call(method, span, token)

    def _parent(self, carrier: dict[str, str]) -> otel_context.Context:
        if not carrier:
            return otel_context.Context()
        return w3c.extract(carrier) if self._w3c else propagate.extract(carrier)

    def _span(self, method: _Method, parent: otel_context.Context) -> trace.Span | None:
        """This call's span (non-recording when not sampled); None when it is not traced."""
        caller = trace.get_current_span(parent)
        remote = caller.get_span_context()
        if self._sampler is not None:
            # The SDK's decision, without the SDK's cost when nothing is recorded.
            if remote.is_valid and not remote.trace_flags.sampled:
                return caller if method.root else None  # the caller's decision goes on
            if not remote.is_valid and self._sampler.draw() is None:
                return unsampled_root() if method.root else None
        assert self._tracer is not None
        span = self._tracer.start_span(
            method.name, context=parent, kind=SpanKind.SERVER, attributes=method.attributes
        )
        if not method.root and not span.is_recording():
            return None
        return span

    def _end(
        self,
        call: _Call,
        code: grpc.StatusCode,
        message: str = "",
        exc: BaseException | None = None,
    ) -> None:
        if call.token is not None:
            otel_context.detach(call.token)
        span = call.span
        if span.is_recording():
            span.set_attribute("rpc.grpc.status_code", code.value[0])
            if code is not grpc.StatusCode.OK:
                span.set_status(Status(StatusCode.ERROR, f"{code.name}: {message}".rstrip(": ")))
                if exc is not None and code is grpc.StatusCode.UNKNOWN:
                    span.record_exception(exc)
            span.end()
        if self._stats is not None:
            self._stats.record(call.method.key(code), time.perf_counter() - call.start)

    def _fail(self, call: _Call, exc: BaseException, context: grpc.aio.ServicerContext) -> None:
        code = context.code() if hasattr(context, "code") else None
        if isinstance(code, grpc.StatusCode) and code is not grpc.StatusCode.OK:
            details = context.details() or ""
            self._end(call, code, details.decode() if isinstance(details, bytes) else details)
        elif isinstance(exc, BaseException) and not isinstance(exc, Exception):
            self._end(call, grpc.StatusCode.CANCELLED, "the caller went away")
        else:
            self._end(call, grpc.StatusCode.UNKNOWN, f"{type(exc).__name__}: {exc}", exc)

    def _unary(self, behavior: Callable[..., Any], method: _Method) -> Callable[..., Any]:
        async def handler(request: Any, context: grpc.aio.ServicerContext) -> Any:
            call = self._begin(method, context)
            if call is None:
                return await behavior(request, context)
            try:
                response = await behavior(request, context)
            except BaseException as exc:
                self._fail(call, exc, context)
                raise
            self._end(call, grpc.StatusCode.OK)
            return response

        return handler

    def _stream(self, behavior: Callable[..., Any], method: _Method) -> Callable[..., Any]:
        async def handler(request: Any, context: grpc.aio.ServicerContext) -> Any:
            call = self._begin(method, context)
            if call is None:
                async for item in behavior(request, context):
                    yield item
                return
            try:
                async for item in behavior(request, context):
                    yield item
            except BaseException as exc:
                self._fail(call, exc, context)
                raise
            self._end(call, grpc.StatusCode.OK)

        return handler
