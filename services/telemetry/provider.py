"""What a telemetry provider is: a store of spans, span events and metric points, with a
retention limit. The query logic (`service.py`) runs on any store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from services.telemetry.types import MetricPoint, SpanEvent, SpanRecord, TraceRecord

__all__ = ["TelemetryStore"]


@runtime_checkable
class TelemetryStore(Protocol):
    """Stores never block the event loop; writes are idempotent by (trace_id, span_id)."""

    async def add_spans(self, spans: Sequence[SpanRecord]) -> None:
        """Insert or replace spans (their events included) and update their traces."""
        ...

    async def add_events(
        self, trace_id: str, span_id: str, events: Sequence[SpanEvent], expires_ns: int
    ) -> None:
        """Attach events to a span (which may arrive later)."""
        ...

    async def add_points(self, points: Sequence[MetricPoint]) -> None: ...

    async def get_trace(self, trace_id: str) -> TraceRecord | None: ...

    async def trace_spans(self, trace_id: str, events: bool = True) -> list[SpanRecord]:
        """Every span of a trace, with its events (`events=False`: a store may leave them
        out, for callers that need only the spans' ids and parents)."""
        ...

    async def find_span(self, span_id: str, trace_id: str = "") -> SpanRecord | None:
        """A span with its events (the newest with that id when no trace is given)."""
        ...

    async def traces(
        self, order: str, descending: bool, offset: int, count: int
    ) -> list[TraceRecord]:
        """A page of traces with their root spans' attributes, by `start_time`/`end_time`."""
        ...

    async def spans(self, offset: int, count: int, having: Sequence[str]) -> list[SpanRecord]:
        """A page of spans, newest first, that have every attribute in `having` (a store may
        return more; the caller checks)."""
        ...

    async def points(self, name: str, start_ns: int, end_ns: int) -> list[MetricPoint]:
        """The points of a metric in [start_ns, end_ns), oldest first."""
        ...

    async def prune(
        self, now_ns: int, points_before_ns: int, max_traces: int, max_points: int
    ) -> None:
        """Drop spans and events that expired and points older than `points_before_ns`,
        then the oldest traces and points beyond the limits."""
        ...

    async def close(self) -> None: ...
