"""The embedded store: one SQLite file (WAL), written by one thread, read by another, so the
event loop never waits for the disk.

Tables (versioned names): `spans_v1` (one row per span, its OTLP events inline),
`span_events_v1` (events logged through `log_event`, attached on read), `traces_v1` (one row
per trace, refreshed from its spans on every write: start, end, span count, error, root),
`metric_series_v1` (name + labels) and `metric_points_v1`.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from services.common.state.sqlite import connect
from services.telemetry.providers.meta_reference.codec import (
    SPAN_FIELDS,
    dump_events,
    dump_json,
    load_events,
    point_from_row,
    point_row,
    span_from_row,
    span_row,
)
from services.telemetry.types import MetricPoint, SpanEvent, SpanRecord, TraceRecord

__all__ = ["SqliteTelemetryStore"]

T = TypeVar("T")
_COLS = ", ".join(SPAN_FIELDS)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS spans_v1 (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL,
  name TEXT NOT NULL, service TEXT NOT NULL, kind TEXT NOT NULL,
  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL, status TEXT NOT NULL,
  status_message TEXT NOT NULL, attributes TEXT NOT NULL, expires_ns INTEGER NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX IF NOT EXISTS spans_v1_span ON spans_v1 (span_id);
CREATE INDEX IF NOT EXISTS spans_v1_start ON spans_v1 (start_ns);
CREATE TABLE IF NOT EXISTS span_events_v1 (
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, events TEXT NOT NULL,
  expires_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS span_events_v1_span ON span_events_v1 (trace_id, span_id);
CREATE TABLE IF NOT EXISTS traces_v1 (
  trace_id TEXT PRIMARY KEY, root_span_id TEXT NOT NULL, root_name TEXT NOT NULL,
  root_service TEXT NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,
  span_count INTEGER NOT NULL, error INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_v1_start ON traces_v1 (start_ns);
CREATE INDEX IF NOT EXISTS traces_v1_end ON traces_v1 (end_ns);
CREATE TABLE IF NOT EXISTS metric_series_v1 (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, kind TEXT NOT NULL,
  unit TEXT NOT NULL, UNIQUE (name, labels)
);
CREATE TABLE IF NOT EXISTS metric_points_v1 (
  series_id INTEGER NOT NULL, time_ns INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS metric_points_v1_series ON metric_points_v1 (series_id, time_ns);
CREATE INDEX IF NOT EXISTS metric_points_v1_time ON metric_points_v1 (time_ns);
"""

# The root: the span without a parent, else the earliest span whose parent is not stored
# (a trace that began in a caller that does not export to us).
_REFRESH_TRACE = """
INSERT INTO traces_v1 (trace_id, root_span_id, root_name, root_service, start_ns, end_ns,
                       span_count, error)
SELECT :t, COALESCE(r.span_id, ''), COALESCE(r.name, ''), COALESCE(r.service, ''),
       a.s, a.e, a.n, a.err
FROM (SELECT MIN(start_ns) AS s, MAX(end_ns) AS e, COUNT(*) AS n,
             MAX(status = 'error') AS err FROM spans_v1 WHERE trace_id = :t) AS a
LEFT JOIN (SELECT span_id, name, service FROM spans_v1 AS c
           WHERE c.trace_id = :t AND (c.parent_span_id = '' OR NOT EXISTS (
             SELECT 1 FROM spans_v1 AS p WHERE p.trace_id = :t AND p.span_id = c.parent_span_id))
           ORDER BY c.parent_span_id = '' DESC, c.start_ns LIMIT 1) AS r ON 1
WHERE a.n > 0
ON CONFLICT (trace_id) DO UPDATE SET
  root_span_id = excluded.root_span_id, root_name = excluded.root_name,
  root_service = excluded.root_service, start_ns = excluded.start_ns,
  end_ns = excluded.end_ns, span_count = excluded.span_count, error = excluded.error
"""

_TRACE_ORDER = {"start_time": "t.start_ns", "end_time": "t.end_ns"}


def _json_path(key: str) -> str | None:
    """`$."key"` for SQLite's json_extract, or None when the key cannot be quoted there."""
    return None if '"' in key or "\\" in key else f'$."{key}"'


class SqliteTelemetryStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = connect(self.path)
        self._writer.executescript(_SCHEMA)
        self._reader = connect(self.path)
        self._write_pool = ThreadPoolExecutor(1, thread_name_prefix="telemetry-write")
        self._read_pool = ThreadPoolExecutor(1, thread_name_prefix="telemetry-read")
        self._series: dict[tuple[str, str], int] = {}

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._write_pool, fn, *args)

    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._read_pool, fn, *args)

    # -- writes ----------------------------------------------------------------------------

    async def add_spans(self, spans: Sequence[SpanRecord]) -> None:
        rows = [(*span_row(s), dump_events(s.events)) for s in spans]
        await self._write(self._add_spans, rows, sorted({s.trace_id for s in spans}))

    def _add_spans(self, rows: list[tuple[Any, ...]], traces: list[str]) -> None:
        with self._transaction() as c:
            c.executemany(
                f"INSERT OR REPLACE INTO spans_v1 ({_COLS}, events) "
                f"VALUES ({', '.join('?' * (len(SPAN_FIELDS) + 1))})",
                rows,
            )
            c.executemany(_REFRESH_TRACE, [{"t": t} for t in traces])

    async def add_events(
        self, trace_id: str, span_id: str, events: Sequence[SpanEvent], expires_ns: int
    ) -> None:
        row = (trace_id, span_id, dump_events(list(events)), expires_ns)
        await self._write(
            lambda: self._writer.execute("INSERT INTO span_events_v1 VALUES (?, ?, ?, ?)", row)
        )

    async def add_points(self, points: Sequence[MetricPoint]) -> None:
        try:
            await self._write(self._add_points, list(points))
        except Exception:
            self._series.clear()  # ids cached inside a rolled back transaction
            raise

    def _add_points(self, points: list[MetricPoint]) -> None:
        with self._transaction() as c:
            rows = []
            for p in points:
                labels = dump_json(p.labels)
                sid = self._series.get((p.name, labels))
                if sid is None:
                    c.execute(
                        "INSERT OR IGNORE INTO metric_series_v1 (name, labels, kind, unit) "
                        "VALUES (?, ?, ?, ?)",
                        (p.name, labels, str(p.kind), p.unit),
                    )
                    sid = c.execute(
                        "SELECT id FROM metric_series_v1 WHERE name = ? AND labels = ?",
                        (p.name, labels),
                    ).fetchone()[0]
                    self._series[(p.name, labels)] = sid
                rows.append((sid, p.time_ns, dump_json(point_row(p))))
            c.executemany("INSERT INTO metric_points_v1 VALUES (?, ?, ?)", rows)

    def _transaction(self) -> _Tx:
        return _Tx(self._writer)

    async def prune(
        self, now_ns: int, points_before_ns: int, max_traces: int, max_points: int
    ) -> None:
        await self._write(self._prune, now_ns, points_before_ns, max_traces, max_points)

    def _prune(self, now: int, points_before: int, max_traces: int, max_points: int) -> None:
        over = "SELECT trace_id FROM traces_v1 ORDER BY start_ns DESC LIMIT -1 OFFSET :max"
        with self._transaction() as c:
            args = {"now": now, "max": max_traces}
            c.execute("DELETE FROM spans_v1 WHERE expires_ns < :now", args)
            c.execute("DELETE FROM span_events_v1 WHERE expires_ns < :now", args)
            c.execute("DELETE FROM traces_v1 WHERE trace_id NOT IN (SELECT trace_id FROM spans_v1)")
            c.execute(f"DELETE FROM span_events_v1 WHERE trace_id IN ({over})", args)
            c.execute(f"DELETE FROM spans_v1 WHERE trace_id IN ({over})", args)
            c.execute(f"DELETE FROM traces_v1 WHERE trace_id IN ({over})", args)
            c.execute("DELETE FROM metric_points_v1 WHERE time_ns < ?", (points_before,))
            c.execute(
                "DELETE FROM metric_points_v1 WHERE rowid IN (SELECT rowid FROM "
                "metric_points_v1 ORDER BY time_ns DESC LIMIT -1 OFFSET :max)",
                {"max": max_points},
            )
            c.execute(
                "DELETE FROM metric_series_v1 WHERE id NOT IN "
                "(SELECT series_id FROM metric_points_v1)"
            )
        self._series.clear()

    # -- reads -----------------------------------------------------------------------------

    def _logged(self, trace_id: str, span_id: str) -> list[SpanEvent]:
        rows = self._reader.execute(
            "SELECT events FROM span_events_v1 WHERE trace_id = ? AND span_id = ?",
            (trace_id, span_id),
        ).fetchall()
        return [e for (text,) in rows for e in load_events(text)]

    def _span(self, row: tuple[Any, ...]) -> SpanRecord:
        events = load_events(row[-1]) + self._logged(row[0], row[1])
        events.sort(key=lambda e: e.time_ns)
        return span_from_row(row[:-1], events)

    async def get_trace(self, trace_id: str) -> TraceRecord | None:
        rows = await self._read(self._traces, "WHERE t.trace_id = ?", (trace_id,))
        return rows[0] if rows else None

    def _traces(self, where: str, args: tuple[Any, ...]) -> list[TraceRecord]:
        rows = self._reader.execute(
            "SELECT t.trace_id, t.root_span_id, t.root_name, t.start_ns, t.end_ns, "
            "t.span_count, t.error, s.attributes, t.root_service FROM traces_v1 AS t "
            "LEFT JOIN spans_v1 AS s ON s.trace_id = t.trace_id AND s.span_id = t.root_span_id "
            + where,
            args,
        ).fetchall()
        return [
            TraceRecord(
                tid,
                root,
                name,
                int(start),
                int(end),
                int(n),
                bool(err),
                json.loads(attrs or "{}"),
                service,
            )
            for tid, root, name, start, end, n, err, attrs, service in rows
        ]

    async def traces(
        self, order: str, descending: bool, offset: int, count: int
    ) -> list[TraceRecord]:
        column = _TRACE_ORDER[order]
        direction = "DESC" if descending else "ASC"
        return await self._read(
            self._traces,
            f"ORDER BY {column} {direction}, t.trace_id LIMIT ? OFFSET ?",
            (count, offset),
        )

    async def trace_spans(self, trace_id: str, events: bool = True) -> list[SpanRecord]:
        def read() -> list[SpanRecord]:
            cols = f"{_COLS}, events" if events else _COLS
            rows = self._reader.execute(
                f"SELECT {cols} FROM spans_v1 WHERE trace_id = ? ORDER BY start_ns",
                (trace_id,),
            ).fetchall()
            return [self._span(r) if events else span_from_row(r) for r in rows]

        return await self._read(read)

    async def find_span(self, span_id: str, trace_id: str = "") -> SpanRecord | None:
        def read() -> SpanRecord | None:
            where, args = "span_id = ?", [span_id]
            if trace_id:
                where, args = "trace_id = ? AND span_id = ?", [trace_id, span_id]
            row = self._reader.execute(
                f"SELECT {_COLS}, events FROM spans_v1 WHERE {where} "
                "ORDER BY start_ns DESC LIMIT 1",
                args,
            ).fetchone()
            return self._span(row) if row else None

        return await self._read(read)

    async def spans(self, offset: int, count: int, having: Sequence[str]) -> list[SpanRecord]:
        paths = [p for p in map(_json_path, having) if p is not None]
        where = " AND ".join("json_extract(attributes, ?) IS NOT NULL" for _ in paths)

        def read() -> list[SpanRecord]:
            rows = self._reader.execute(
                f"SELECT {_COLS} FROM spans_v1 {'WHERE ' + where if where else ''} "
                "ORDER BY start_ns DESC LIMIT ? OFFSET ?",
                (*paths, count, offset),
            ).fetchall()
            return [span_from_row(r) for r in rows]

        return await self._read(read)

    async def points(self, name: str, start_ns: int, end_ns: int) -> list[MetricPoint]:
        def read() -> list[MetricPoint]:
            rows = self._reader.execute(
                "SELECT s.labels, s.kind, s.unit, p.data FROM metric_points_v1 AS p "
                "JOIN metric_series_v1 AS s ON s.id = p.series_id "
                "WHERE s.name = ? AND p.time_ns >= ? AND p.time_ns < ? ORDER BY p.time_ns",
                (name, start_ns, end_ns),
            ).fetchall()
            return [
                point_from_row(name, json.loads(labels), kind, unit, json.loads(data))
                for labels, kind, unit, data in rows
            ]

        return await self._read(read)

    async def close(self) -> None:
        for pool in (self._write_pool, self._read_pool):
            pool.shutdown(wait=True)
        self._writer.close()
        self._reader.close()


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on the writer connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
