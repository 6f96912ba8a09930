"""The OpenTelemetry SDK of one process: providers, OTLP exporters, sampler, shutdown.

Exporters never block the event loop: spans go through a `BatchSpanProcessor` (a bounded
queue drained by its own thread; when it is full, spans are dropped, never waited for) and
metrics through a `PeriodicExportingMetricReader` thread. Shutdown flushes from a worker
thread with a short deadline, so a process that exports to itself (the telemetry service)
cannot deadlock, and a collector that is gone cannot hold a stopping process.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import grpc
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider, UpDownCounter
from opentelemetry.sdk.metrics.export import AggregationTemporality
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import SpanKind

from services.common.security.mesh import MeshCredentials
from services.common.telemetry.config import TelemetryPlan
from services.common.telemetry.rpc_metrics import RpcMetricsReader, RpcStats

__all__ = ["ChosenIds", "RootSampler", "Sdk", "build_sdk", "unsampled_root"]

log = logging.getLogger(__name__)

#: How long a stopping process waits for its last spans and metrics to leave.
SHUTDOWN_FLUSH_MS = 1500
#: Deltas: each exported point is what happened in its interval, so a store sums points
#: instead of differencing cumulative series (and a restarted process starts clean).
_DELTA = {
    Counter: AggregationTemporality.DELTA,
    Histogram: AggregationTemporality.DELTA,
    UpDownCounter: AggregationTemporality.CUMULATIVE,
}


#: A trace id drawn (and already sampled) before `start_span` generates one: see `draw`.
_CHOSEN: contextvars.ContextVar[int] = contextvars.ContextVar("llamastack_trace_id", default=0)


class ChosenIds(RandomIdGenerator):
    """Random ids, except the trace id `RootSampler.draw` chose for the span being started."""

    def generate_trace_id(self) -> int:
        chosen = _CHOSEN.get()
        if chosen:
            _CHOSEN.set(0)
            return chosen
        return super().generate_trace_id()


class RootSampler(Sampler):
    """Samples new traces by trace id ratio, but never starts one at a client call: a call
    made outside any traced request (health checks, discovery, background jobs) is not
    worth a trace of its own.

    `draw()` lets the server interceptor decide a new trace without the SDK: most are
    dropped at 10%, and the SDK's `start_span` costs 15-30 µs even to drop one.
    """

    def __init__(self, ratio: float) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context,
        trace_id,
        name,
        kind=None,
        attributes=None,
        links=None,
        trace_state=None,
    ) -> SamplingResult:
        if kind is SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self._ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"RootSampler{{{self._ratio.get_description()}, no client roots}}"

    def draw(self) -> int | None:
        """A new trace's id if it is sampled (the next `start_span` of this task uses it),
        else None: the caller makes a non-recording span with `unsampled_root()`."""
        trace_id = random.getrandbits(128) or 1
        if trace_id & TraceIdRatioBased.TRACE_ID_LIMIT < self._ratio.bound:
            _CHOSEN.set(trace_id)
            return trace_id
        return None


#: W3C trace context level 2: the trace id is random (the SDK sets it too).
_RANDOM_ID = 0x02


def unsampled_root() -> trace.Span:
    """A dropped new trace: ids to pass on (so callees follow the decision), nothing recorded."""
    return trace.NonRecordingSpan(
        trace.SpanContext(
            random.getrandbits(128) or 1,
            random.getrandbits(64) or 1,
            is_remote=False,
            trace_flags=trace.TraceFlags(_RANDOM_ID),
        )
    )


@dataclass
class Sdk:
    tracer_provider: TracerProvider | None
    #: The sampler when it is ours (None: `OTEL_TRACES_SAMPLER` chose the SDK's).
    sampler: RootSampler | None
    meter_provider: MeterProvider | None
    span_exporter: OTLPSpanExporter | None
    metric_exporter: OTLPMetricExporter | None
    #: Request metrics of the server interceptor (None when metrics are off).
    rpc_stats: RpcStats | None

    async def shutdown(self, flush: bool = True) -> None:
        """Flush (unless `flush` is False: the collector is this process, which stopped
        listening) and stop, off the event loop, within about SHUTDOWN_FLUSH_MS."""
        await asyncio.get_running_loop().run_in_executor(None, self._shutdown, flush)

    def _shutdown(self, flush: bool) -> None:
        # The exporters retry an unreachable collector for up to their timeout (10 s), which
        # no flush deadline interrupts: flush in a thread, wait a little, then abort.
        if flush:
            flushed = threading.Thread(target=self._flush, name="telemetry-flush", daemon=True)
            flushed.start()
            flushed.join(SHUTDOWN_FLUSH_MS / 1000)
        logging.getLogger("opentelemetry").setLevel(logging.CRITICAL)
        for exporter in (self.span_exporter, self.metric_exporter):
            if exporter is not None:
                exporter.shutdown()
        if self.meter_provider is not None:
            self.meter_provider.shutdown(timeout_millis=100)
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()

    def _flush(self) -> None:
        for provider in (self.tracer_provider, self.meter_provider):
            if provider is not None:
                provider.force_flush(timeout_millis=SHUTDOWN_FLUSH_MS)


class _Sparse(logging.Filter):
    """One record per `every` seconds: an unreachable collector is reported, not repeated at
    every export."""

    def __init__(self, every: float = 60.0) -> None:
        super().__init__()
        self._every, self._next = every, 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self._every
        return True


def _endpoint(value: str | None) -> str | None:
    """`host:port` means plaintext gRPC (the exporter would otherwise try TLS)."""
    if value is None or "://" in value:
        return value
    return f"http://{value}"


def _exporter_args(endpoint: str | None, mesh: MeshCredentials | None) -> dict[str, Any]:
    """How an exporter reaches its collector: as is, or, for the distribution's own telemetry
    service behind the closed internal network, with the mesh token (and certificate)."""
    if mesh is None or not mesh.enabled:
        return {"endpoint": _endpoint(endpoint)}
    args: dict[str, Any] = {"headers": mesh.metadata()}
    if not mesh.mtls:
        return {**args, "endpoint": _endpoint(endpoint)}
    return {
        **args,
        "endpoint": (endpoint or "").split("://", 1)[-1],
        "insecure": False,
        "credentials": grpc.ssl_channel_credentials(
            root_certificates=mesh.ca,
            private_key=mesh.private_key,
            certificate_chain=mesh.cert_chain,
        ),
        "channel_options": (("grpc.ssl_target_name_override", mesh.server_name),),
    }


def build_sdk(
    service_name: str, namespace: str, plan: TelemetryPlan, mesh: MeshCredentials | None = None
) -> Sdk:
    """Install global tracer and meter providers exporting as `plan` says (`mesh`: the
    credential the distribution's telemetry service asks for)."""
    logging.getLogger("opentelemetry.exporter.otlp.proto.grpc.exporter").addFilter(_Sparse())
    attributes = {
        "service.name": service_name,
        "service.namespace": namespace,
        "service.instance.id": uuid.uuid4().hex,
    }
    # OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES, when set, win (Resource.create merges them).
    if os.environ.get("OTEL_SERVICE_NAME"):
        attributes.pop("service.name")
    resource = Resource.create(attributes)

    tracer_provider = span_exporter = root = None
    if plan.traces:
        root = RootSampler(plan.sample_ratio) if plan.sample_ratio is not None else None
        tracer_provider = TracerProvider(
            resource=resource,
            sampler=ParentBased(root) if root is not None else None,
            id_generator=ChosenIds(),
        )
        span_exporter = OTLPSpanExporter(**_exporter_args(plan.traces_endpoint, mesh))
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        trace.set_tracer_provider(tracer_provider)

    meter_provider = metric_exporter = rpc_stats = None
    if plan.metrics:
        metric_exporter = OTLPMetricExporter(
            **_exporter_args(plan.metrics_endpoint, mesh), preferred_temporality=_DELTA
        )
        rpc_stats = RpcStats()
        reader = RpcMetricsReader(metric_exporter, rpc_stats, resource, plan.metric_interval_ms)
        meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
        metrics.set_meter_provider(meter_provider)
    return Sdk(tracer_provider, root, meter_provider, span_exporter, metric_exporter, rpc_stats)
