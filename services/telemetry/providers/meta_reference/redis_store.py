"""The shared store: Redis (for several telemetry replicas, or a cluster distribution).

Layout under `<ns>:telemetry:v1:`:
- `s:<trace>:<span>`   the span as JSON (its OTLP events inline)
- `e:<trace>:<span>`   list of event batches logged through `log_event`
- `ts:<trace>`         set of the trace's span ids
- `sid:<span>`         set of trace ids having a span with that id
- `t:<trace>`          hash: the trace's root, start, end, span count, error
- `traces:start`, `traces:end`   sorted sets of trace ids by start / end time
- `spans:start`        sorted set of `<trace>:<span>` by start time
- `spans:expires`      the same members by expiry time
- `m:<name>`           sorted set of a metric's points (JSON with labels), by time
- `metrics`            set of metric names
A trace's row is recomputed from its spans after every write, so writers in several
replicas converge.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis

from services.telemetry.providers.meta_reference.codec import (
    dump_events,
    dump_json,
    load_events,
    point_from_row,
    point_row,
    span_from_row,
    span_row,
)
from services.telemetry.types import MetricPoint, SpanEvent, SpanRecord, Status, TraceRecord

__all__ = ["RedisTelemetryStore"]

_ORDER = {"start_time": "traces:start", "end_time": "traces:end"}


def _span_json(s: SpanRecord) -> str:
    return dump_json([*span_row(s), dump_events(s.events)])


def _span_load(raw: bytes | str) -> SpanRecord:
    row = json.loads(raw)
    return span_from_row(row[:-1], load_events(row[-1]))


def _trace(trace_id: str, spans: list[SpanRecord]) -> TraceRecord:
    ids = {s.span_id for s in spans}
    roots = sorted(
        (s for s in spans if not s.parent_span_id or s.parent_span_id not in ids),
        key=lambda s: (s.parent_span_id != "", s.start_ns),
    )
    root = roots[0] if roots else None
    return TraceRecord(
        trace_id=trace_id,
        root_span_id=root.span_id if root else "",
        root_name=root.name if root else "",
        start_ns=min(s.start_ns for s in spans),
        end_ns=max(s.end_ns for s in spans),
        span_count=len(spans),
        error=any(s.status is Status.ERROR for s in spans),
        root_attributes=root.attributes if root else {},
        root_service=root.service if root else "",
    )


class RedisTelemetryStore:
    def __init__(self, url: str, namespace: str = "llamastack") -> None:
        self._redis = aioredis.Redis.from_url(url, decode_responses=True)
        self._p = f"{namespace}:telemetry:v1:"

    async def ping(self) -> None:
        await self._redis.ping()

    # -- writes ----------------------------------------------------------------------------

    async def add_spans(self, spans: Sequence[SpanRecord]) -> None:
        p = self._p
        pipe = self._redis.pipeline(transaction=False)
        for s in spans:
            pipe.set(f"{p}s:{s.trace_id}:{s.span_id}", _span_json(s))
            pipe.sadd(f"{p}ts:{s.trace_id}", s.span_id)
            pipe.sadd(f"{p}sid:{s.span_id}", s.trace_id)
            pipe.zadd(f"{p}spans:start", {f"{s.trace_id}:{s.span_id}": s.start_ns})
            pipe.zadd(f"{p}spans:expires", {f"{s.trace_id}:{s.span_id}": s.expires_ns})
        await pipe.execute()
        for trace_id in {s.trace_id for s in spans}:
            await self._refresh(trace_id)

    async def _refresh(self, trace_id: str) -> None:
        spans = await self._spans_of(trace_id, events=False)
        p = self._p
        if not spans:
            await self._redis.delete(f"{p}t:{trace_id}")
            await self._redis.zrem(f"{p}traces:start", trace_id)
            await self._redis.zrem(f"{p}traces:end", trace_id)
            return
        t = _trace(trace_id, spans)
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(
            f"{p}t:{trace_id}",
            mapping={
                "root_span_id": t.root_span_id,
                "root_name": t.root_name,
                "root_service": t.root_service,
                "start_ns": t.start_ns,
                "end_ns": t.end_ns,
                "span_count": t.span_count,
                "error": int(t.error),
            },
        )
        pipe.zadd(f"{p}traces:start", {trace_id: t.start_ns})
        pipe.zadd(f"{p}traces:end", {trace_id: t.end_ns})
        await pipe.execute()

    async def add_events(
        self, trace_id: str, span_id: str, events: Sequence[SpanEvent], expires_ns: int
    ) -> None:
        key = f"{self._p}e:{trace_id}:{span_id}"
        pipe = self._redis.pipeline(transaction=False)
        pipe.rpush(key, dump_events(list(events)))
        pipe.pexpireat(key, max(1, expires_ns // 1_000_000), gt=True)
        pipe.pexpireat(key, max(1, expires_ns // 1_000_000), nx=True)
        await pipe.execute()

    async def add_points(self, points: Sequence[MetricPoint]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for pt in points:
            member = dump_json(
                {
                    "l": pt.labels,
                    "k": str(pt.kind),
                    "u": pt.unit,
                    "d": point_row(pt),
                    "id": uuid.uuid4().hex[:8],
                }
            )
            pipe.zadd(f"{self._p}m:{pt.name}", {member: pt.time_ns})
            pipe.sadd(f"{self._p}metrics", pt.name)
        await pipe.execute()

    async def prune(
        self, now_ns: int, points_before_ns: int, max_traces: int, max_points: int
    ) -> None:
        p = self._p
        doomed: set[str] = set()
        for member in await self._redis.zrangebyscore(f"{p}spans:expires", "-inf", f"({now_ns}"):
            trace_id, _, span_id = member.partition(":")
            await self._drop_span(trace_id, span_id)
            doomed.add(trace_id)
        extra = await self._redis.zcard(f"{p}traces:start") - max_traces
        if extra > 0:
            for trace_id in await self._redis.zrange(f"{p}traces:start", 0, extra - 1):
                for span_id in await self._redis.smembers(f"{p}ts:{trace_id}"):
                    await self._drop_span(trace_id, span_id)
                doomed.add(trace_id)
        for trace_id in doomed:
            await self._refresh(trace_id)
        await self._prune_points(points_before_ns, max_points)

    async def _drop_span(self, trace_id: str, span_id: str) -> None:
        p = self._p
        pipe = self._redis.pipeline(transaction=False)
        pipe.delete(f"{p}s:{trace_id}:{span_id}", f"{p}e:{trace_id}:{span_id}")
        pipe.srem(f"{p}ts:{trace_id}", span_id)
        pipe.srem(f"{p}sid:{span_id}", trace_id)
        pipe.zrem(f"{p}spans:start", f"{trace_id}:{span_id}")
        pipe.zrem(f"{p}spans:expires", f"{trace_id}:{span_id}")
        await pipe.execute()

    async def _prune_points(self, before_ns: int, max_points: int) -> None:
        p = self._p
        names = sorted(await self._redis.smembers(f"{p}metrics"))
        total = 0
        for name in names:
            key = f"{p}m:{name}"
            await self._redis.zremrangebyscore(key, "-inf", f"({before_ns}")
            total += await self._redis.zcard(key)
        # Beyond the limit: trim every metric by the same share, oldest points first.
        if total > max_points:
            keep = max_points / total
            for name in names:
                key = f"{p}m:{name}"
                n = await self._redis.zcard(key)
                drop = n - int(n * keep)
                if drop > 0:
                    await self._redis.zremrangebyrank(key, 0, drop - 1)
        for name in names:
            if not await self._redis.exists(f"{p}m:{name}"):
                await self._redis.srem(f"{p}metrics", name)

    # -- reads -----------------------------------------------------------------------------

    async def _spans_of(self, trace_id: str, events: bool = True) -> list[SpanRecord]:
        ids = sorted(await self._redis.smembers(f"{self._p}ts:{trace_id}"))
        return await self._load([(trace_id, s) for s in ids], events)

    async def _load(self, keys: list[tuple[str, str]], events: bool) -> list[SpanRecord]:
        if not keys:
            return []
        p = self._p
        raws = await self._redis.mget([f"{p}s:{t}:{s}" for t, s in keys])
        spans = [_span_load(r) for r in raws if r is not None]
        if events:
            for span in spans:
                for raw in await self._redis.lrange(f"{p}e:{span.trace_id}:{span.span_id}", 0, -1):
                    span.events += load_events(raw)
                span.events.sort(key=lambda e: e.time_ns)
        return spans

    async def get_trace(self, trace_id: str) -> TraceRecord | None:
        found = await self._traces([trace_id])
        return found[0] if found else None

    async def _traces(self, ids: list[str]) -> list[TraceRecord]:
        out = []
        for trace_id in ids:
            row: dict[str, Any] = await self._redis.hgetall(f"{self._p}t:{trace_id}")
            if not row:
                continue
            root = await self._load([(trace_id, row["root_span_id"])], events=False)
            out.append(
                TraceRecord(
                    trace_id=trace_id,
                    root_span_id=row["root_span_id"],
                    root_name=row["root_name"],
                    start_ns=int(row["start_ns"]),
                    end_ns=int(row["end_ns"]),
                    span_count=int(row["span_count"]),
                    error=row["error"] == "1",
                    root_attributes=root[0].attributes if root else {},
                    root_service=row["root_service"],
                )
            )
        return out

    async def traces(
        self, order: str, descending: bool, offset: int, count: int
    ) -> list[TraceRecord]:
        key = f"{self._p}{_ORDER[order]}"
        end = offset + count - 1
        ids = await (
            self._redis.zrevrange(key, offset, end)
            if descending
            else self._redis.zrange(key, offset, end)
        )
        return await self._traces(list(ids))

    async def trace_spans(self, trace_id: str, events: bool = True) -> list[SpanRecord]:
        return sorted(await self._spans_of(trace_id, events), key=lambda s: s.start_ns)

    async def find_span(self, span_id: str, trace_id: str = "") -> SpanRecord | None:
        traces = [trace_id] if trace_id else await self._redis.smembers(f"{self._p}sid:{span_id}")
        spans = await self._load([(t, span_id) for t in traces], events=True)
        return max(spans, key=lambda s: s.start_ns) if spans else None

    async def spans(self, offset: int, count: int, having: Sequence[str]) -> list[SpanRecord]:
        members = await self._redis.zrevrange(f"{self._p}spans:start", offset, offset + count - 1)
        keys = [tuple(m.split(":", 1)) for m in members]
        return await self._load(keys, events=False)  # type: ignore[arg-type]

    async def points(self, name: str, start_ns: int, end_ns: int) -> list[MetricPoint]:
        raws = await self._redis.zrangebyscore(f"{self._p}m:{name}", start_ns, f"({end_ns}")
        out = []
        for raw in raws:
            m = json.loads(raw)
            out.append(point_from_row(name, m["l"], m["k"], m["u"], m["d"]))
        return out

    async def close(self) -> None:
        await self._redis.aclose()
