"""Spans, events and points as JSON-able rows (what both stores keep)."""

from __future__ import annotations

import json
from typing import Any

from services.telemetry.types import MetricKind, MetricPoint, SpanEvent, SpanRecord, Status

__all__ = [
    "dump_events",
    "dump_json",
    "load_events",
    "point_from_row",
    "point_row",
    "span_from_row",
    "span_row",
]


def dump_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def dump_events(events: list[SpanEvent]) -> str:
    return dump_json([[e.name, e.time_ns, e.attributes] for e in events])


def load_events(text: str | bytes | None) -> list[SpanEvent]:
    return [SpanEvent(n, t, a) for n, t, a in json.loads(text or "[]")]


#: Span columns, in order.
SPAN_FIELDS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "service",
    "kind",
    "start_ns",
    "end_ns",
    "status",
    "status_message",
    "attributes",
    "expires_ns",
)


def span_row(s: SpanRecord) -> tuple[Any, ...]:
    return (
        s.trace_id,
        s.span_id,
        s.parent_span_id,
        s.name,
        s.service,
        s.kind,
        s.start_ns,
        s.end_ns,
        str(s.status),
        s.status_message,
        dump_json(s.attributes),
        s.expires_ns,
    )


def span_from_row(row: Any, events: list[SpanEvent] | None = None) -> SpanRecord:
    (
        trace_id,
        span_id,
        parent,
        name,
        service,
        kind,
        start,
        end,
        status,
        message,
        attrs,
        expires,
    ) = row
    return SpanRecord(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent,
        name=name,
        service=service,
        kind=kind,
        start_ns=int(start),
        end_ns=int(end),
        status=Status(status),
        status_message=message,
        attributes=json.loads(attrs),
        events=events or [],
        expires_ns=int(expires),
    )


def point_row(p: MetricPoint) -> dict[str, Any]:
    """A point without its series identity (name, labels, kind, unit)."""
    row: dict[str, Any] = {"t": p.time_ns, "v": p.value}
    if p.kind is MetricKind.HISTOGRAM:
        row.update(c=p.count, lo=p.min, hi=p.max, b=p.bounds, n=p.counts)
    return row


def point_from_row(
    name: str, labels: dict[str, str], kind: str, unit: str, row: dict[str, Any]
) -> MetricPoint:
    return MetricPoint(
        name=name,
        labels=labels,
        kind=MetricKind(kind),
        unit=unit,
        time_ns=int(row["t"]),
        value=float(row["v"]),
        count=int(row.get("c", 0)),
        min=row.get("lo"),
        max=row.get("hi"),
        bounds=list(row.get("b", [])),
        counts=list(row.get("n", [])),
    )
