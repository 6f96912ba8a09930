"""SQLite state store: the embedded default (WAL, so several processes share the file)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from services.common.state import Conflict, Doc

__all__ = ["SqliteStateStore", "connect"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state_v1 (
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  sort TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL,
  updated REAL NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (collection, key)
);
CREATE INDEX IF NOT EXISTS state_v1_order ON state_v1 (collection, parent, sort, key);
CREATE TABLE IF NOT EXISTS counters_v1 (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL,
  expires REAL
);
"""
_COLUMNS = "collection, key, data, version, parent, sort, updated"


def connect(path: Path, busy_timeout_s: float = 30.0) -> sqlite3.Connection:
    """A connection for a file several processes share: WAL (readers never wait for the
    writer), a busy timeout (concurrent writers queue instead of failing), autocommit."""
    conn = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class SqliteStateStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = connect(self.path)
        self._writer.executescript(_SCHEMA)
        self._reader = connect(self.path)
        # One writer thread: writes are serialised here, and SQLite serialises processes.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="state-sqlite")

    async def _write(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _tx(self, fn, *args):
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            out = fn(conn, *args)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return out

    async def get(self, collection: str, key: str) -> Doc | None:
        row = self._reader.execute(
            f"SELECT {_COLUMNS} FROM state_v1 WHERE collection = ? AND key = ?",
            (collection, key),
        ).fetchone()
        return Doc(*row) if row else None

    async def put(
        self,
        collection: str,
        key: str,
        data: bytes,
        *,
        parent: str = "",
        sort: str = "",
        expect: int | None = None,
    ) -> Doc:
        return await self._write(self._tx, _put, collection, key, data, parent, sort, expect)

    async def delete(self, collection: str, key: str, *, expect: int | None = None) -> bool:
        return await self._write(self._tx, _delete, collection, key, expect)

    async def list(
        self, collection: str, *, parent: str = "", after: str = "", limit: int = 100
    ) -> list[Doc]:
        sql = f"SELECT {_COLUMNS} FROM state_v1 WHERE collection = ? AND parent = ?"
        args: list = [collection, parent]
        if after:
            sort, _, key = after.partition("\x00")
            sql += " AND (sort > ? OR (sort = ? AND key > ?))"
            args += [sort, sort, key]
        rows = self._reader.execute(f"{sql} ORDER BY sort, key LIMIT ?", [*args, limit]).fetchall()
        return [Doc(*r) for r in rows]

    async def delete_children(self, collection: str, parent: str) -> int:
        def run(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "DELETE FROM state_v1 WHERE collection = ? AND parent = ?", (collection, parent)
            )
            return cur.rowcount

        return await self._write(self._tx, run)

    async def incr(self, counter: str, amount: int = 1, ttl_s: float | None = None) -> int:
        def run(conn: sqlite3.Connection) -> int:
            now = time.time()
            row = conn.execute(
                "SELECT value, expires FROM counters_v1 WHERE name = ?", (counter,)
            ).fetchone()
            if row is None or (row[1] is not None and row[1] <= now):
                expires = now + ttl_s if ttl_s else None
                conn.execute(
                    "INSERT OR REPLACE INTO counters_v1 (name, value, expires) VALUES (?, ?, ?)",
                    (counter, amount, expires),
                )
                return amount
            conn.execute(
                "UPDATE counters_v1 SET value = value + ? WHERE name = ?", (amount, counter)
            )
            return int(row[0]) + amount

        return await self._write(self._tx, run)

    async def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._reader.close()
        self._writer.close()


def _put(conn, collection, key, data, parent, sort, expect) -> Doc:
    row = conn.execute(
        "SELECT version FROM state_v1 WHERE collection = ? AND key = ?", (collection, key)
    ).fetchone()
    current = row[0] if row else 0
    if expect is not None and expect != current:
        raise Conflict(f"{collection}/{key} is at version {current}, not {expect}")
    doc = Doc(collection, key, bytes(data), current + 1, parent, sort, time.time())
    conn.execute(
        "INSERT OR REPLACE INTO state_v1 (collection, key, data, version, parent, sort, updated)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (collection, key, doc.data, doc.version, parent, sort, doc.updated),
    )
    return doc


def _delete(conn, collection, key, expect) -> bool:
    row = conn.execute(
        "SELECT version FROM state_v1 WHERE collection = ? AND key = ?", (collection, key)
    ).fetchone()
    if row is None:
        if expect:
            raise Conflict(f"{collection}/{key} no longer exists")
        return False
    if expect is not None and expect != row[0]:
        raise Conflict(f"{collection}/{key} is at version {row[0]}, not {expect}")
    conn.execute("DELETE FROM state_v1 WHERE collection = ? AND key = ?", (collection, key))
    return True
