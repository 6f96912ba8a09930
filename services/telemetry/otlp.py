"""OTLP (the standard `opentelemetry.proto` messages any exporter sends) into the telemetry
domain.

Limits applied on the way in (documented in ARCHITECTURE.md): at most 128 attributes and 128
events per span, attribute strings cut at 4096 characters. Metric points keep the process's
`service.name` as a label next to their own attributes. Cumulative sums and histograms (what
most exporters other than ours send) become deltas against the previous point of the same
series; the first point of a series counts from the series' start.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from services.telemetry.types import MetricKind, MetricPoint, SpanEvent, SpanRecord, Status

__all__ = ["MAX_ATTRIBUTES", "MAX_STRING", "DeltaTracker", "points_from_otlp", "spans_from_otlp"]

MAX_ATTRIBUTES = 128
MAX_EVENTS = 128
MAX_STRING = 4096

_KINDS = {
    trace_pb2.Span.SPAN_KIND_INTERNAL: "internal",
    trace_pb2.Span.SPAN_KIND_SERVER: "server",
    trace_pb2.Span.SPAN_KIND_CLIENT: "client",
    trace_pb2.Span.SPAN_KIND_PRODUCER: "producer",
    trace_pb2.Span.SPAN_KIND_CONSUMER: "consumer",
}
_CUMULATIVE = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE


def value_of(v: common_pb2.AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "string_value":
        return v.string_value[:MAX_STRING]
    if kind in ("bool_value", "int_value", "double_value"):
        return getattr(v, kind)
    if kind == "array_value":
        return [value_of(x) for x in v.array_value.values[:MAX_ATTRIBUTES]]
    if kind == "kvlist_value":
        return attributes_of(v.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(v.bytes_value).decode()[:MAX_STRING]
    return None


def attributes_of(kvs: Any) -> dict[str, Any]:
    return {kv.key: value_of(kv.value) for kv in list(kvs)[:MAX_ATTRIBUTES]}


def _service(resource: Any) -> str:
    for kv in resource.attributes:
        if kv.key == "service.name":
            return str(value_of(kv.value))
    return ""


def spans_from_otlp(
    request: trace_service_pb2.ExportTraceServiceRequest, expires_ns: int
) -> list[SpanRecord]:
    out = []
    for rs in request.resource_spans:
        service = _service(rs.resource)
        for ss in rs.scope_spans:
            for s in ss.spans:
                error = s.status.code == trace_pb2.Status.STATUS_CODE_ERROR
                out.append(
                    SpanRecord(
                        trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(),
                        parent_span_id=s.parent_span_id.hex(),
                        name=s.name[:MAX_STRING],
                        start_ns=s.start_time_unix_nano,
                        end_ns=s.end_time_unix_nano,
                        service=service,
                        kind=_KINDS.get(s.kind, "internal"),
                        status=Status.ERROR if error else Status.OK,
                        status_message=s.status.message[:MAX_STRING],
                        attributes=attributes_of(s.attributes),
                        events=[
                            SpanEvent(e.name, e.time_unix_nano, attributes_of(e.attributes))
                            for e in list(s.events)[:MAX_EVENTS]
                        ],
                        expires_ns=expires_ns,
                    )
                )
    return out


class DeltaTracker:
    """Turns cumulative points into deltas: remembers the last point of each series (the
    most recent `capacity` series)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._last: OrderedDict[tuple[Any, ...], tuple[int, float, int, list[int]]] = OrderedDict()
        self._capacity = capacity

    def delta(
        self,
        key: tuple[Any, ...],
        start_ns: int,
        value: float,
        count: int = 0,
        counts: list[int] | None = None,
    ) -> tuple[float, int, list[int]]:
        counts = counts or []
        previous = self._last.pop(key, None)
        self._last[key] = (start_ns, value, count, counts)
        if len(self._last) > self._capacity:
            self._last.popitem(last=False)
        if previous is None or previous[0] != start_ns or count < previous[2]:
            return value, count, counts  # a new series (or one that restarted)
        _, v0, c0, n0 = previous
        if len(n0) != len(counts):
            n0 = [0] * len(counts)
        return value - v0, count - c0, [a - b for a, b in zip(counts, n0, strict=True)]


def points_from_otlp(
    request: metrics_service_pb2.ExportMetricsServiceRequest, tracker: DeltaTracker
) -> list[MetricPoint]:
    out: list[MetricPoint] = []
    for rm in request.resource_metrics:
        service = _service(rm.resource)
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                out.extend(_points(metric, service, tracker))
    return out


def _labels(attrs: Any, service: str) -> dict[str, str]:
    labels = {k: str(v) for k, v in attributes_of(attrs).items()}
    if service:
        labels.setdefault("service.name", service)
    return labels


def _number(p: metrics_pb2.NumberDataPoint) -> float:
    return float(p.as_double if p.WhichOneof("value") == "as_double" else p.as_int)


def _points(
    metric: metrics_pb2.Metric, service: str, tracker: DeltaTracker
) -> Iterator[MetricPoint]:
    name, unit = metric.name, metric.unit
    kind = metric.WhichOneof("data")
    if kind == "gauge" or (
        kind == "sum"
        and not metric.sum.is_monotonic
        and metric.sum.aggregation_temporality == _CUMULATIVE
    ):
        data = metric.gauge.data_points if kind == "gauge" else metric.sum.data_points
        for p in data:
            yield MetricPoint(
                name,
                _labels(p.attributes, service),
                MetricKind.GAUGE,
                unit,
                p.time_unix_nano,
                _number(p),
            )
    elif kind == "sum":
        cumulative = metric.sum.aggregation_temporality == _CUMULATIVE
        for p in metric.sum.data_points:
            labels = _labels(p.attributes, service)
            value = _number(p)
            if cumulative:
                key = (name, tuple(sorted(labels.items())))
                value, _, _ = tracker.delta(key, p.start_time_unix_nano, value)
            yield MetricPoint(name, labels, MetricKind.SUM, unit, p.time_unix_nano, value)
    elif kind == "histogram":
        cumulative = metric.histogram.aggregation_temporality == _CUMULATIVE
        for h in metric.histogram.data_points:
            labels = _labels(h.attributes, service)
            total, count, counts = h.sum, h.count, list(h.bucket_counts)
            if cumulative:
                key = (name, tuple(sorted(labels.items())))
                total, count, counts = tracker.delta(
                    key, h.start_time_unix_nano, total, count, counts
                )
            if count <= 0:
                continue
            yield MetricPoint(
                name,
                labels,
                MetricKind.HISTOGRAM,
                unit,
                h.time_unix_nano,
                total,
                count,
                h.min if h.HasField("min") and not cumulative else None,
                h.max if h.HasField("max") and not cumulative else None,
                list(h.explicit_bounds),
                counts,
            )
    elif kind in ("exponential_histogram", "summary"):
        # Kept as count and sum (mean, rate); their buckets/quantiles are not stored.
        data = getattr(metric, kind)
        cumulative = kind == "summary" or data.aggregation_temporality == _CUMULATIVE
        for h in data.data_points:
            labels = _labels(h.attributes, service)
            total, count = h.sum, h.count
            if cumulative:
                key = (name, tuple(sorted(labels.items())))
                total, count, _ = tracker.delta(key, h.start_time_unix_nano, total, count)
            if count > 0:
                yield MetricPoint(
                    name, labels, MetricKind.HISTOGRAM, unit, h.time_unix_nano, total, count
                )
