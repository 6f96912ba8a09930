"""`inline::sqlite-vec`: one SQLite file per vector DB: chunks and their metadata (JSON) in a
table, vectors in a sqlite-vec `vec0` table (exact cosine search), text in an FTS5 table
(BM25 keyword search, Porter stemming). Inserts are one transaction.

Unfiltered vector queries use vec0's KNN; filtered ones (and collections with expiring chunks)
scan the chunks that match the filter with `vec_distance_cosine`. Python's own sqlite3 often
cannot load extensions, so this uses pysqlite3 (a current SQLite that can).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict

from services.common.errors import FailedPrecondition
from services.common.state.files import provider_state_dir
from services.vector_io.engine import safe_name
from services.vector_io.provider import VectorIoProvider
from services.vector_io.providers.sqlite_vec.sql import fts_query, json_path, where
from services.vector_io.types import Filter, Hit, StoredChunk

__all__ = ["SqliteVecConfig", "SqliteVecProvider"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks(
  id INTEGER PRIMARY KEY,
  chunk_id TEXT UNIQUE NOT NULL,
  document_id TEXT NOT NULL,
  metadata TEXT NOT NULL,
  payload TEXT NOT NULL,
  expires_at REAL
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, tokenize='porter unicode61');
"""


class SqliteVecConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Directory of the database files; default `<state_dir>/<image>/vector_io/<provider_id>`.
    path: str | None = None


class SqliteVecProvider(VectorIoProvider):
    provider_type: ClassVar[str] = "inline::sqlite-vec"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = SqliteVecConfig.model_validate(dict(config))
        self.engine = SqliteEngine(provider_state_dir("vector_io", provider_id, self.config.path))

    async def shutdown(self) -> None:
        await super().shutdown()
        self.engine.executor.shutdown(wait=True)


def _connect(path: Path) -> Any:
    import pysqlite3.dbapi2 as sqlite3
    import sqlite_vec

    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.enable_load_extension(False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class SqliteEngine:
    def __init__(self, root: Path) -> None:
        self.root = root
        # One thread owns every connection: SQLite writes are serial anyway.
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="sqlite-vec")

    async def run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def path(self, name: str) -> Path:
        return self.root / f"{safe_name(name)}.sqlite"

    async def open(self, name: str, dimension: int) -> SqliteCollection:
        conn, has_ttl = await self.run(self._open, self.path(name), dimension)
        return SqliteCollection(self, conn, dimension, has_ttl)

    def _open(self, path: Path, dimension: int) -> tuple[Any, bool]:
        conn = _connect(path)
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchone()
        if row is not None and int(row[0]) != dimension:
            conn.close()
            raise FailedPrecondition(
                f"the database {path} holds {row[0]}-dimensional vectors, not {dimension}; it "
                "was created for another embedding model: register the vector DB with that "
                "model, or unregister it to drop the old data"
            )
        if row is None:
            conn.execute("INSERT INTO meta VALUES ('dimension', ?)", (str(dimension),))
            conn.execute(
                f"CREATE VIRTUAL TABLE vec USING vec0(embedding float[{dimension}] "
                "distance_metric=cosine)"
            )
        has_ttl = (
            conn.execute("SELECT 1 FROM chunks WHERE expires_at IS NOT NULL LIMIT 1").fetchone()
            is not None
        )
        return conn, has_ttl

    async def drop(self, name: str) -> None:
        path = self.path(name)
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{path}{suffix}").unlink, True)


class SqliteCollection:
    def __init__(self, engine: SqliteEngine, conn: Any, dimension: int, has_ttl: bool) -> None:
        self.engine = engine
        self.conn = conn
        self.dimension = dimension
        #: Whether some chunk expires (read in `_open`, on the thread that owns `conn`).
        self.has_ttl = has_ttl

    # -- writes --------------------------------------------------------------------------

    async def upsert(self, chunks: list[StoredChunk]) -> None:
        await self.engine.run(self._upsert, chunks)

    def _upsert(self, chunks: list[StoredChunk]) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            for ch in chunks:
                row = c.execute(
                    "SELECT id FROM chunks WHERE chunk_id = ?", (ch.chunk_id,)
                ).fetchone()
                values = (
                    ch.document_id,
                    json.dumps(ch.payload.get("metadata", {})),
                    json.dumps(
                        {"chunk_id": ch.chunk_id, "document_id": ch.document_id, **ch.payload}
                    ),
                    ch.expires_at,
                )
                if row is None:
                    rowid = c.execute(
                        "INSERT INTO chunks(chunk_id, document_id, metadata, payload, expires_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (ch.chunk_id, *values),
                    ).lastrowid
                else:
                    rowid = row[0]
                    c.execute(
                        "UPDATE chunks SET document_id = ?, metadata = ?, payload = ?, "
                        "expires_at = ? WHERE id = ?",
                        (*values, rowid),
                    )
                    c.execute("DELETE FROM vec WHERE rowid = ?", (rowid,))
                    c.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
                c.execute(
                    "INSERT INTO vec(rowid, embedding) VALUES (?, ?)",
                    (rowid, np.asarray(ch.vector, dtype=np.float32).tobytes()),
                )
                c.execute("INSERT INTO fts(rowid, text) VALUES (?, ?)", (rowid, ch.text))
            if any(ch.expires_at is not None for ch in chunks):
                self.has_ttl = True
            if self.has_ttl:
                self._delete_rows(
                    [r[0] for r in c.execute(
                        "SELECT id FROM chunks WHERE expires_at < ?", (time.time(),)
                    )]
                )  # fmt: skip
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _delete_rows(self, rowids: list[int]) -> None:
        for table, column in (("chunks", "id"), ("vec", "rowid"), ("fts", "rowid")):
            self.conn.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(r,) for r in rowids])

    async def delete(
        self, chunk_ids: list[str], document_ids: list[str], keep_chunk_ids: list[str]
    ) -> int:
        return await self.engine.run(self._delete, chunk_ids, document_ids, keep_chunk_ids)

    def _delete(self, chunk_ids: list[str], document_ids: list[str], keep: list[str]) -> int:
        conds, params = [], []
        if chunk_ids:
            conds.append(f"chunk_id IN ({','.join('?' * len(chunk_ids))})")
            params.extend(chunk_ids)
        if document_ids:
            cond = f"document_id IN ({','.join('?' * len(document_ids))})"
            params.extend(document_ids)
            if keep:
                cond += f" AND chunk_id NOT IN ({','.join('?' * len(keep))})"
                params.extend(keep)
            conds.append(f"({cond})")
        if not conds:
            return 0
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            rows = [
                r[0] for r in c.execute(f"SELECT id FROM chunks WHERE {' OR '.join(conds)}", params)
            ]
            self._delete_rows(rows)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return len(rows)

    # -- reads ---------------------------------------------------------------------------

    def _where(self, flt: Filter | None, params: list[Any]) -> str:
        conds = []
        if flt is not None:
            conds.append(where(flt, params))
        if self.has_ttl:
            conds.append("(c.expires_at IS NULL OR c.expires_at > ?)")
            params.append(time.time())
        return " AND ".join(conds)

    async def search_vector(
        self, vector: list[float], limit: int, flt: Filter | None, threshold: float
    ) -> list[Hit]:
        return await self.engine.run(self._search_vector, vector, limit, flt, threshold)

    def _search_vector(
        self, vector: list[float], limit: int, flt: Filter | None, threshold: float
    ) -> list[Hit]:
        blob = np.asarray(vector, dtype=np.float32).tobytes()
        params: list[Any] = []
        cond = self._where(flt, params)
        if not cond:
            rows = self.conn.execute(
                "SELECT c.payload, 1.0 - v.distance FROM (SELECT rowid, distance FROM vec "
                "WHERE embedding MATCH ? AND k = ?) v JOIN chunks c ON c.id = v.rowid "
                "ORDER BY v.distance",
                (blob, limit),
            ).fetchall()
        else:
            rows = self.conn.execute(
                "SELECT c.payload, 1.0 - vec_distance_cosine(v.embedding, ?) AS s FROM chunks c "
                f"JOIN vec v ON v.rowid = c.id WHERE {cond} ORDER BY s DESC LIMIT ?",
                (blob, *params, limit),
            ).fetchall()
        return [_hit(p, s) for p, s in rows if threshold <= 0 or s >= threshold]

    async def search_keyword(self, text: str, limit: int, flt: Filter | None) -> list[Hit]:
        return await self.engine.run(self._search_keyword, text, limit, flt)

    def _search_keyword(self, text: str, limit: int, flt: Filter | None) -> list[Hit]:
        match = fts_query(text)
        if not match:
            return []
        params: list[Any] = [match]
        cond = self._where(flt, params)
        rows = self.conn.execute(
            "SELECT c.payload, -bm25(fts) AS s FROM fts JOIN chunks c ON c.id = fts.rowid "
            f"WHERE fts MATCH ? {'AND ' + cond if cond else ''} ORDER BY bm25(fts) LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [_hit(p, s) for p, s in rows]

    async def has_metadata_key(self, key: str) -> bool:
        return await self.engine.run(self._has_key, key)

    def _has_key(self, key: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM chunks WHERE json_type(metadata, ?) IS NOT NULL LIMIT 1",
            (json_path(key),),
        ).fetchone()
        return row is not None

    async def count(self) -> int:
        return await self.engine.run(
            lambda: self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        )

    async def close(self) -> None:
        await self.engine.run(self.conn.close)


def _hit(payload: str, score: float) -> Hit:
    data = json.loads(payload)
    return Hit(data["chunk_id"], float(score), data)
