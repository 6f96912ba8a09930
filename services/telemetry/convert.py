"""The only module that knows both the telemetry protobuf messages and the domain values."""

from __future__ import annotations

import time
from collections.abc import Sequence

from google.protobuf import json_format, timestamp_pb2

from llamastack.telemetry.v1 import telemetry_pb2 as tpb
from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from services.common.errors import InvalidArgument
from services.common.structs import to_struct
from services.telemetry.filters import Condition, Op
from services.telemetry.metrics_query import LabelMatcher, MatchOp, Series
from services.telemetry.types import LogEvent, SpanRecord, Status, TraceRecord

__all__ = [
    "conditions",
    "log_event",
    "matchers",
    "series",
    "span",
    "time_ns",
    "trace",
]

_OPS = {
    tpb.QUERY_CONDITION_OP_EQ: Op.EQ,
    tpb.QUERY_CONDITION_OP_NE: Op.NE,
    tpb.QUERY_CONDITION_OP_GT: Op.GT,
    tpb.QUERY_CONDITION_OP_LT: Op.LT,
}
_MATCH = {
    tpb.METRIC_LABEL_OPERATOR_EQUALS: MatchOp.EQ,
    tpb.METRIC_LABEL_OPERATOR_NOT_EQUALS: MatchOp.NE,
    tpb.METRIC_LABEL_OPERATOR_REGEX_MATCH: MatchOp.RE,
    tpb.METRIC_LABEL_OPERATOR_REGEX_NOT_MATCH: MatchOp.NRE,
}
_KINDS = {
    "internal": tpb.SPAN_KIND_INTERNAL,
    "server": tpb.SPAN_KIND_SERVER,
    "client": tpb.SPAN_KIND_CLIENT,
    "producer": tpb.SPAN_KIND_PRODUCER,
    "consumer": tpb.SPAN_KIND_CONSUMER,
}
_SEVERITY = {v: k.removeprefix("LOG_SEVERITY_").lower() for k, v in tpb.LogSeverity.items()}


def time_ns(ts: timestamp_pb2.Timestamp) -> int:
    return ts.seconds * 10**9 + ts.nanos


def _timestamp(ns: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=ns // 10**9, nanos=ns % 10**9)


def conditions(items: Sequence[tpb.QueryCondition]) -> list[Condition]:
    out = []
    for i, c in enumerate(items):
        op = _OPS.get(c.op)
        if op is None:
            raise InvalidArgument(
                f"attribute_filters[{i}].op must be one of QUERY_CONDITION_OP_EQ, _NE, _GT, _LT",
                field="attribute_filters",
            )
        if not c.HasField("value"):
            raise InvalidArgument(f"attribute_filters[{i}] has no value to compare with")
        out.append(Condition(c.key, op, json_format.MessageToDict(c.value)))
    return out


def matchers(items: Sequence[tpb.MetricLabelMatcher]) -> list[LabelMatcher]:
    out = []
    for i, m in enumerate(items):
        op = _MATCH.get(m.operator, MatchOp.EQ if m.operator == 0 else None)
        if op is None:
            raise InvalidArgument(f"label_matchers[{i}].operator is not a known operator")
        out.append(LabelMatcher(m.name, m.value, op))
    return out


def log_event(event: tpb.Event) -> LogEvent:
    kind = event.WhichOneof("event")
    stamp = time_ns(event.timestamp) if event.HasField("timestamp") else time.time_ns()
    attrs = json_format.MessageToDict(event.attributes) if event.HasField("attributes") else {}
    base = {
        "trace_id": event.trace_id,
        "span_id": event.span_id,
        "time_ns": stamp,
        "attributes": attrs,
    }
    if kind == "unstructured_log":
        log = event.unstructured_log
        return LogEvent(
            "log",
            message=log.message,
            severity=_SEVERITY.get(log.severity, "info") or "info",
            **base,
        )
    if kind == "metric":
        m = event.metric
        return LogEvent("metric", metric=m.metric, value=m.value, unit=m.unit, **base)
    if kind == "structured_log":
        payload = event.structured_log.WhichOneof("payload")
        if payload == "span_start":
            start = event.structured_log.span_start
            return LogEvent(
                "span_start", name=start.name, parent_span_id=start.parent_span_id, **base
            )
        if payload == "span_end":
            failed = event.structured_log.span_end.status == tpb.SPAN_STATUS_ERROR
            return LogEvent("span_end", status=Status.ERROR if failed else Status.OK, **base)
        raise InvalidArgument("event.structured_log needs span_start or span_end")
    raise InvalidArgument(
        "event needs one of unstructured_log, metric or structured_log", field="event"
    )


def trace(t: TraceRecord) -> tpb.Trace:
    out = tpb.Trace(
        trace_id=t.trace_id,
        root_span_id=t.root_span_id,
        start_time=_timestamp(t.start_ns),
        root_span_name=t.root_name,
        span_count=t.span_count,
        status=tpb.SPAN_STATUS_ERROR if t.error else tpb.SPAN_STATUS_OK,
        root_service_name=t.root_service,
    )
    if t.end_ns:
        out.end_time.CopyFrom(_timestamp(t.end_ns))
    return out


def span(s: SpanRecord, events: bool = True) -> tpb.Span:
    out = tpb.Span(
        span_id=s.span_id,
        trace_id=s.trace_id,
        parent_span_id=s.parent_span_id,
        name=s.name,
        start_time=_timestamp(s.start_ns),
        attributes=to_struct(s.attributes),
        status=(
            tpb.SPAN_STATUS_UNSPECIFIED
            if s.status is Status.UNSET or not s.end_ns
            else tpb.SPAN_STATUS_ERROR
            if s.status is Status.ERROR
            else tpb.SPAN_STATUS_OK
        ),
        service_name=s.service,
        kind=_KINDS.get(s.kind, tpb.SPAN_KIND_UNSPECIFIED),
        status_message=s.status_message,
    )
    if s.end_ns:
        out.end_time.CopyFrom(_timestamp(s.end_ns))
    if events:
        out.events.extend(
            tpb.SpanEvent(
                name=e.name, timestamp=_timestamp(e.time_ns), attributes=to_struct(e.attributes)
            )
            for e in s.events
        )
    return out


def series(name: str, items: Sequence[Series]) -> pb.QueryMetricsResponse:
    return pb.QueryMetricsResponse(
        data=[
            tpb.MetricSeries(
                metric=name,
                labels=[tpb.MetricLabel(name=k, value=v) for k, v in sorted(s.labels.items())],
                values=[
                    tpb.MetricDataPoint(timestamp=_timestamp(at), value=v, unit=s.unit)
                    for at, v in s.values
                ],
            )
            for s in items
        ]
    )
