"""The telemetry domain: spans, traces and metric points as plain values.

`convert.py` turns OTLP and the Llama Stack telemetry messages into these and back; the
stores and the query logic never see protobuf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "LogEvent",
    "MetricKind",
    "MetricPoint",
    "SpanEvent",
    "SpanRecord",
    "Status",
    "TraceRecord",
]


class Status(StrEnum):
    UNSET = "unset"  # not ended yet (a span_start event without its span_end)
    OK = "ok"
    ERROR = "error"


class MetricKind(StrEnum):
    #: Each point is what was added in its interval (counters, delta temporality).
    SUM = "sum"
    #: Each point is a value at a time.
    GAUGE = "gauge"
    #: Each point is a distribution of what was recorded in its interval.
    HISTOGRAM = "histogram"


def _attribute(attributes: dict[str, Any], service: str, name: str, key: str) -> Any:
    """`key` in `attributes`, else the service (`service.name`) or the name (`name`); None
    when absent."""
    if key in attributes:
        return attributes[key]
    if key == "service.name":
        return service or None
    if key == "name":
        return name
    return None


@dataclass
class SpanEvent:
    name: str
    time_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class SpanRecord:
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    start_ns: int
    #: 0 while the span is open.
    end_ns: int = 0
    #: `service.name` of the process that recorded it.
    service: str = ""
    #: server, client, internal, producer, consumer.
    kind: str = "internal"
    status: Status = Status.OK
    status_message: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[SpanEvent] = field(default_factory=list)
    #: When retention removes it (unix ns).
    expires_ns: int = 0

    def attribute(self, key: str) -> Any:
        """An attribute, or the span's service (`service.name`) and name (`name`) when no
        attribute has that key; None when absent."""
        return _attribute(self.attributes, self.service, self.name, key)


@dataclass
class TraceRecord:
    trace_id: str
    root_span_id: str
    root_name: str
    start_ns: int
    end_ns: int
    span_count: int
    error: bool
    #: The root span's attributes (what trace filters look at).
    root_attributes: dict[str, Any] = field(default_factory=dict)
    root_service: str = ""

    def attribute(self, key: str) -> Any:
        """As `SpanRecord.attribute`, of the root span."""
        return _attribute(self.root_attributes, self.root_service, self.root_name, key)


@dataclass
class MetricPoint:
    name: str
    labels: dict[str, str]
    kind: MetricKind
    unit: str
    time_ns: int
    #: SUM: the amount added; GAUGE: the value; HISTOGRAM: the sum of what was recorded.
    value: float
    #: HISTOGRAM: how many values were recorded, their min and max, and the bucket counts
    #: for `bounds` (len(counts) == len(bounds) + 1).
    count: int = 0
    min: float | None = None
    max: float | None = None
    bounds: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


@dataclass
class LogEvent:
    """An event recorded through `log_event` (the reference's Event union, flattened)."""

    #: `log` (unstructured), `metric`, `span_start` or `span_end`.
    kind: str
    trace_id: str
    span_id: str
    time_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    # log
    message: str = ""
    severity: str = ""
    # metric
    metric: str = ""
    value: float = 0.0
    unit: str = ""
    # span_start / span_end
    name: str = ""
    parent_span_id: str = ""
    status: Status = Status.OK
