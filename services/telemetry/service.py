"""The telemetry API's logic over a store: ingest OTLP, log events, query traces, spans and
metrics, and save spans to a dataset (through the gateway's DatasetIO).

Limits (documented in ARCHITECTURE.md): query_traces 100 traces by default, at most 1000 per
page; query_spans 100 spans by default, at most 10000; save_spans_to_dataset 1000 spans by
default, at most 10000, appended 500 rows per call; event ids 1-64 characters of
`A-Z a-z 0-9 _ -`; ttl_seconds at most a year.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
from google.protobuf import struct_pb2

from llamastack.datasetio.v1 import datasetio_service_pb2, datasetio_service_pb2_grpc
from llamastack.inspect.v1 import inspect_service_pb2, inspect_service_pb2_grpc
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ServiceUnavailable,
)
from services.common.gateway_client import GatewayClient
from services.common.providers import ProviderHost
from services.common.structs import to_struct
from services.telemetry import metrics_query
from services.telemetry.filters import Condition, check_keys, matches
from services.telemetry.provider import TelemetryStore
from services.telemetry.types import (
    LogEvent,
    MetricKind,
    MetricPoint,
    SpanEvent,
    SpanRecord,
    Status,
    TraceRecord,
)

__all__ = ["TelemetryLogic"]

DEFAULT_TTL_S = 7 * 24 * 3600
MAX_TTL_S = 365 * 24 * 3600
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ORDERS = ("start_time", "end_time")
_SCAN = 500
APPEND_BATCH = 500


def _limit(value: int, default: int, maximum: int, field: str) -> int:
    if value < 0:
        raise InvalidArgument(f"{field} must be >= 0 (got {value})", field=field)
    if value > maximum:
        raise InvalidArgument(f"{field} is at most {maximum} (got {value})", field=field)
    return value or default


def _depth_ok(max_depth: int | None) -> None:
    if max_depth is not None and max_depth < 0:
        raise InvalidArgument(f"max_depth must be >= 0 (got {max_depth})", field="max_depth")


def _check_id(value: str, field: str) -> None:
    if not _ID.match(value):
        raise InvalidArgument(
            f"{field} {value!r} must be 1 to 64 characters of A-Z a-z 0-9 _ -", field=field
        )


def only(span: SpanRecord, keys: Sequence[str]) -> SpanRecord:
    """The span with just the attributes in `keys` (all of them when `keys` is empty)."""
    if keys:
        span.attributes = {k: span.attributes[k] for k in keys if k in span.attributes}
    return span


class TelemetryLogic:
    def __init__(self, host: ProviderHost[Any], gateway: GatewayClient) -> None:
        self.host = host
        self.gateway = gateway

    def store(self, provider_id: str | None = None) -> TelemetryStore:
        provider: Any = self.host.pick(provider_id)
        return provider.store

    def expires(self, ttl_s: int = 0, provider_id: str | None = None) -> int:
        provider: Any = self.host.pick(provider_id)
        return time.time_ns() + (ttl_s or provider.retention.max_age_s) * 10**9

    # -- ingestion -------------------------------------------------------------------------

    async def log_event(self, provider_id: str | None, event: LogEvent, ttl_s: int) -> None:
        _check_id(event.trace_id, "event.trace_id")
        _check_id(event.span_id, "event.span_id")
        if ttl_s < 0 or ttl_s > MAX_TTL_S:
            raise InvalidArgument(
                f"ttl_seconds must be between 0 and {MAX_TTL_S} (got {ttl_s})",
                field="ttl_seconds",
            )
        store = self.store(provider_id)
        expires = self.expires(ttl_s or DEFAULT_TTL_S, provider_id)
        if event.kind == "log":
            attrs = {**event.attributes, "message": event.message, "severity": event.severity}
            await store.add_events(
                event.trace_id, event.span_id, [SpanEvent("log", event.time_ns, attrs)], expires
            )
        elif event.kind == "metric":
            if not event.metric:
                raise InvalidArgument("event.metric.metric is empty; name the metric")
            labels = {k: str(v) for k, v in event.attributes.items()}
            await store.add_points(
                [
                    MetricPoint(
                        event.metric, labels, MetricKind.SUM, event.unit, event.time_ns, event.value
                    )
                ]
            )
        elif event.kind == "span_start":
            if event.parent_span_id:
                _check_id(event.parent_span_id, "parent_span_id")
            span = SpanRecord(
                trace_id=event.trace_id,
                span_id=event.span_id,
                parent_span_id=event.parent_span_id,
                name=event.name or "span",
                start_ns=event.time_ns,
                service=str(event.attributes.get("service.name", "log_event")),
                status=Status.UNSET,
                attributes=event.attributes,
                expires_ns=expires,
            )
            await store.add_spans([span])
        else:  # span_end
            found = await store.find_span(event.span_id, event.trace_id)
            if found is None:
                raise NotFound(
                    f"span {event.span_id} of trace {event.trace_id} was never started; log "
                    "its span_start first",
                    spanId=event.span_id,
                )
            found.end_ns = event.time_ns
            found.status = event.status
            found.attributes.update(event.attributes)
            found.events = [e for e in found.events if e.name != "log"]  # kept in their table
            await store.add_spans([found])

    # -- traces and spans ------------------------------------------------------------------

    async def query_traces(
        self, conditions: Sequence[Condition], limit: int, offset: int, order_by: Sequence[str]
    ) -> tuple[list[TraceRecord], bool]:
        limit = _limit(limit, 100, 1000, "limit")
        if offset < 0:
            raise InvalidArgument(f"offset must be >= 0 (got {offset})", field="offset")
        if len(order_by) > 1:
            raise InvalidArgument("order_by takes one key (start_time or end_time)")
        key = order_by[0] if order_by else "-start_time"
        descending = key.startswith("-")
        key = key.lstrip("+-")
        if key not in _ORDERS:
            raise InvalidArgument(
                f"order_by {key!r} is not one of {', '.join(_ORDERS)} (prefix - for newest first)",
                field="order_by",
            )
        store = self.store()
        if not conditions:
            page = await store.traces(key, descending, offset, limit + 1)
            return page[:limit], len(page) > limit
        found: list[TraceRecord] = []
        skipped, scanned = 0, 0
        while len(found) <= limit:
            batch = await store.traces(key, descending, scanned, _SCAN)
            scanned += len(batch)
            for t in batch:
                if matches(t.attribute, conditions):
                    if skipped < offset:
                        skipped += 1
                    else:
                        found.append(t)
            if len(batch) < _SCAN:
                break
        return found[:limit], len(found) > limit

    async def get_trace(self, trace_id: str) -> TraceRecord:
        found = await self.store().get_trace(trace_id)
        if found is None:
            raise NotFound(
                f"trace {trace_id!r} is not stored (unknown or pruned)", traceId=trace_id
            )
        return found

    async def get_span(self, trace_id: str, span_id: str) -> SpanRecord:
        found = await self.store().find_span(span_id, trace_id)
        if found is None:
            raise NotFound(f"span {span_id!r} of trace {trace_id!r} is not stored", spanId=span_id)
        return found

    async def span_tree(
        self, span_id: str, keys: Sequence[str], max_depth: int | None
    ) -> list[SpanRecord]:
        """The span and its descendants down to `max_depth` (0: the span alone)."""
        check_keys(keys, "attributes_to_return")
        _depth_ok(max_depth)
        store = self.store()
        root = await store.find_span(span_id)
        if root is None:
            raise NotFound(f"span {span_id!r} is not stored", spanId=span_id)
        children: dict[str, list[SpanRecord]] = {}
        for s in await store.trace_spans(root.trace_id):
            children.setdefault(s.parent_span_id, []).append(s)
        out, queue = [], deque([(root, 0)])
        seen = {root.span_id}
        while queue:
            span, depth = queue.popleft()
            out.append(only(span, keys))
            if max_depth is not None and depth >= max_depth:
                continue
            for child in children.get(span.span_id, []):
                if child.span_id not in seen:
                    seen.add(child.span_id)
                    queue.append((child, depth + 1))
        return out

    async def query_spans(
        self,
        conditions: Sequence[Condition],
        keys: Sequence[str],
        max_depth: int | None,
        limit: int,
        default_limit: int = 100,
    ) -> list[SpanRecord]:
        """Spans matching every condition and having every attribute in `keys` (which is all
        they are returned with), newest first; `max_depth` keeps spans at most that deep in
        their trace (0: roots)."""
        check_keys(keys, "attributes_to_return")
        check_keys([c.key for c in conditions], "attribute_filters")
        _depth_ok(max_depth)
        limit = _limit(limit, default_limit, 10_000, "limit")
        store = self.store()
        depths: dict[str, dict[str, int]] = {}
        out: list[SpanRecord] = []
        offset = 0
        while len(out) < limit:
            batch = await store.spans(offset, _SCAN, keys)
            offset += len(batch)
            for span in batch:
                if not all(k in span.attributes for k in keys):
                    continue
                if not matches(span.attribute, conditions):
                    continue
                if max_depth is not None:
                    if span.trace_id not in depths:
                        depths[span.trace_id] = _depths(
                            await store.trace_spans(span.trace_id, events=False)
                        )
                    if depths[span.trace_id].get(span.span_id, 0) > max_depth:
                        continue
                out.append(only(span, keys))
                if len(out) == limit:
                    break
            if len(batch) < _SCAN:
                break
        return out

    async def save_spans(
        self,
        conditions: Sequence[Condition],
        keys: Sequence[str],
        dataset_id: str,
        max_depth: int | None,
        limit: int,
        timeout: float,
    ) -> int:
        spans = await self.query_spans(conditions, keys, max_depth, limit, default_limit=1000)
        rows = [_row(s, keys) for s in spans]
        with self._gateway_errors():
            await self._require_datasetio(timeout)
            stub = self.gateway.stub(datasetio_service_pb2_grpc.DatasetIoServiceStub)
            for i in range(0, len(rows), APPEND_BATCH):
                await stub.AppendRows(
                    datasetio_service_pb2.AppendRowsRequest(
                        dataset_id=dataset_id, rows=rows[i : i + APPEND_BATCH]
                    ),
                    timeout=timeout,
                )
        return len(rows)

    @contextlib.contextmanager
    def _gateway_errors(self) -> Iterator[None]:
        """A gateway that cannot be reached, named as such: a bare UNAVAILABLE passed on
        would read as this service being down."""
        try:
            yield
        except grpc.aio.AioRpcError as err:
            if err.code() is grpc.StatusCode.UNAVAILABLE and not err.trailing_metadata():
                raise ServiceUnavailable(
                    f"cannot reach the gateway at {self.gateway.address}: {err.details()}",
                    service="gateway",
                ) from None
            raise

    async def _require_datasetio(self, timeout: float) -> None:
        stub = self.gateway.stub(inspect_service_pb2_grpc.InspectServiceStub)
        token = ""
        while True:
            page = await stub.ListProviders(
                inspect_service_pb2.ListProvidersRequest(page_size=1000, page_token=token),
                timeout=timeout,
            )
            if any(p.api == "datasetio" for p in page.data):
                return
            token = page.next_page_token
            if not token:
                raise FailedPrecondition(
                    "this distribution runs no datasetio service, so spans cannot be saved "
                    "to a dataset; add a datasetio provider and service to its run.yaml"
                )

    # -- metrics ---------------------------------------------------------------------------

    async def query_metrics(
        self,
        name: str,
        start_ns: int,
        end_ns: int | None,
        granularity: str,
        instant: bool,
        matchers: Sequence[metrics_query.LabelMatcher],
    ) -> list[metrics_query.Series]:
        end = end_ns or time.time_ns()
        if end <= start_ns:
            raise InvalidArgument("end_time must be after start_time", field="end_time")
        step = None if instant else metrics_query.parse_granularity(granularity, end - start_ns)
        store = self.store()
        points, stat = await store.points(name, start_ns, end), None
        base, _, last = name.rpartition(".")
        if not points and base and last in metrics_query.AGGREGATIONS:
            # `<histogram>.p99` and friends: a statistic of a histogram.
            candidate = await store.points(base, start_ns, end)
            if candidate and candidate[0].kind is MetricKind.HISTOGRAM:
                points, stat = candidate, last
        return metrics_query.aggregate(points, start_ns, end, step, matchers, stat)


def _depths(spans: Sequence[SpanRecord]) -> dict[str, int]:
    parent = {s.span_id: s.parent_span_id for s in spans}
    out: dict[str, int] = {}
    for span_id in parent:
        chain, node = [], span_id
        while node in parent and node not in out and node not in chain:
            chain.append(node)
            node = parent[node]
        base = out.get(node, -1)
        for i, n in enumerate(reversed(chain)):
            out[n] = base + 1 + i
    return out


def _row(span: SpanRecord, keys: Sequence[str]) -> struct_pb2.Struct:
    return to_struct(
        {
            "trace_id": span.trace_id,
            "span_id": span.span_id,
            "parent_span_id": span.parent_span_id,
            "name": span.name,
            "service_name": span.service,
            "start_time": _iso(span.start_ns),
            "end_time": _iso(span.end_ns) if span.end_ns else None,
            "status": str(span.status),
            **{k: span.attributes.get(k) for k in keys},
        }
    )


def _iso(ns: int) -> str:
    secs, rem = divmod(ns, 10**9)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{rem // 1000:06d}Z"
