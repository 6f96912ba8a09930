"""SQLite registry store: the embedded default.

WAL mode lets several processes share the file (readers never wait for the writer), and a
busy timeout makes concurrent writers queue instead of failing. Reads run on the event loop
thread (primary-key lookups take microseconds); writes run on one worker thread. A write that
finds the file locked by another writer waits up to `busy_timeout_s` (run.yaml
`metadata_store.busy_timeout_s`, 30 s), then fails with UNAVAILABLE having written nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple
from pathlib import Path

from gateway.store import Record
from services.common.errors import ServiceUnavailable
from services.common.state.sqlite import connect

__all__ = ["SqliteStore"]

_TABLE = "registry_v1"
_COLUMNS = "kind, identifier, provider_id, provider_resource_id, resource, requested, parent"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {_TABLE} (
  kind TEXT NOT NULL,
  identifier TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  provider_resource_id TEXT NOT NULL,
  resource BLOB NOT NULL,
  requested BLOB NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, identifier)
);
CREATE INDEX IF NOT EXISTS {_TABLE}_parent ON {_TABLE} (kind, parent);
CREATE INDEX IF NOT EXISTS {_TABLE}_provider ON {_TABLE} (provider_id);
"""


def _record(row: tuple) -> Record:
    return Record(*row)


class SqliteStore:
    def __init__(self, path: str | Path, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_s = busy_timeout_s
        self._writer = connect(self.path, busy_timeout_s)
        self._writer.executescript(_SCHEMA)
        self._reader = connect(self.path, busy_timeout_s)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-sqlite")

    async def _write(self, fn, *args):
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise ServiceUnavailable(
                f"the registry store {self.path} stayed locked by another writer for "
                f"{self.busy_timeout_s:g}s ({exc}); nothing was written, retry",
                service="registry-store",
            ) from exc

    async def get(self, kind: str, identifier: str) -> Record | None:
        row = self._reader.execute(
            f"SELECT {_COLUMNS} FROM {_TABLE} WHERE kind = ? AND identifier = ?",
            (kind, identifier),
        ).fetchone()
        return _record(row) if row else None

    async def put_if_absent(self, record: Record, children: list[Record] = ()) -> Record | None:
        return await self._write(self._put_if_absent, record, list(children))

    def _put_if_absent(self, record: Record, children: list[Record]) -> Record | None:
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM {_TABLE} WHERE kind = ? AND identifier = ?",
                (record.kind, record.identifier),
            ).fetchone()
            if row:
                conn.execute("ROLLBACK")
                return _record(row)
            conn.executemany(
                f"INSERT OR REPLACE INTO {_TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [astuple(r) for r in (record, *children)],
            )
            conn.execute("COMMIT")
            return None
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def delete(self, kind: str, identifier: str, child_kind: str = "") -> bool:
        return await self._write(self._delete, kind, identifier, child_kind)

    def _delete(self, kind: str, identifier: str, child_kind: str) -> bool:
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                f"DELETE FROM {_TABLE} WHERE kind = ? AND identifier = ?", (kind, identifier)
            )
            if child_kind:
                conn.execute(
                    f"DELETE FROM {_TABLE} WHERE kind = ? AND parent = ?", (child_kind, identifier)
                )
            conn.execute("COMMIT")
            return cur.rowcount > 0
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def list(self, kind: str, after: str, limit: int, parent: str = "") -> list[Record]:
        sql = f"SELECT {_COLUMNS} FROM {_TABLE} WHERE kind = ? AND identifier > ?"
        args: list = [kind, after]
        if parent:
            sql += " AND parent = ?"
            args.append(parent)
        sql += " ORDER BY identifier LIMIT ?"
        args.append(limit)
        return [_record(r) for r in self._reader.execute(sql, args).fetchall()]

    async def by_provider(self, provider_id: str) -> list[Record]:
        rows = self._reader.execute(
            f"SELECT {_COLUMNS} FROM {_TABLE} WHERE provider_id = ? ORDER BY kind, identifier",
            (provider_id,),
        ).fetchall()
        return [_record(r) for r in rows]

    async def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._reader.close()
        self._writer.close()
