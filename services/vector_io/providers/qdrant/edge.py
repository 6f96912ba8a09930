"""`inline::qdrant`: the Qdrant engine in-process (qdrant-edge), one shard per vector DB under
the provider's directory, persistent on disk (write-ahead log, flushed after each write).

Small collections live in plain segments and are searched exactly. Once a collection holds
`index_threshold` vectors not yet indexed, the insert that crossed it builds the HNSW index
before it answers (`optimize()`; it holds the GIL, so other calls wait meanwhile: about 7 s
for 30k x 384); indexed segments are then searched with `hnsw_ef` candidates.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.common.errors import FailedPrecondition
from services.common.state.files import provider_state_dir
from services.vector_io.engine import safe_name
from services.vector_io.provider import VectorIoProvider
from services.vector_io.providers.qdrant.filters import (
    EDGE,
    alive,
    compile_filter,
    delete_filter,
    expired,
    has_key,
    payload_key,
)
from services.vector_io.providers.qdrant.payload import DENSE, SPARSE, hit, payload, point_id
from services.vector_io.types import Filter, Hit, StoredChunk

__all__ = ["QdrantEdgeConfig", "QdrantEdgeProvider"]

log = logging.getLogger(__name__)


class QdrantEdgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Directory of the shards; default `<state_dir>/<image>/vector_io/<provider_id>`.
    path: str | None = None
    #: HNSW candidates per search of indexed segments (higher: better recall, slower).
    hnsw_ef: int = Field(default=128, ge=1, le=4096)
    #: Unindexed vectors that make an insert build the HNSW index.
    index_threshold: int = Field(default=20_000, ge=1000)
    #: HNSW graph degree and build-time candidates.
    hnsw_m: int = Field(default=16, ge=4, le=128)
    hnsw_ef_construct: int = Field(default=100, ge=4, le=4096)


class QdrantEdgeProvider(VectorIoProvider):
    provider_type: ClassVar[str] = "inline::qdrant"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = QdrantEdgeConfig.model_validate(dict(config))
        self.engine = EdgeEngine(
            provider_state_dir("vector_io", provider_id, self.config.path), self.config
        )

    async def shutdown(self) -> None:
        await super().shutdown()
        self.engine.executor.shutdown(wait=True)


class EdgeEngine:
    def __init__(self, root: Path, config: QdrantEdgeConfig) -> None:
        self.root = root
        self.config = config
        # One thread: qdrant-edge calls hold the GIL, and writes must not interleave.
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="qdrant-edge")

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def open(self, name: str, dimension: int) -> EdgeCollection:
        shard = await self._run(self._open, self.root / safe_name(name), dimension)
        collection = EdgeCollection(self, shard, dimension)
        await self._run(collection.check_state)
        return collection

    def _open(self, path: Path, dimension: int) -> Any:
        import qdrant_edge as q

        config = q.EdgeConfig(
            vectors={DENSE: q.EdgeVectorParams(size=dimension, distance=q.Distance.Cosine)},
            sparse_vectors={SPARSE: q.EdgeSparseVectorParams(modifier=q.Modifier.Idf)},
            hnsw_config=q.HnswIndexConfig(
                m=self.config.hnsw_m,
                ef_construct=self.config.hnsw_ef_construct,
                full_scan_threshold=10_000,  # KB, as the Qdrant server defaults
            ),
        )
        if not (path / "edge_config.json").exists() and not any(path.glob("segments*")):
            log.info("creating collection %s (%d dimensions)", path.name, dimension)
            return q.EdgeShard.create(str(path), config)
        try:
            return q.EdgeShard.load(str(path), config)
        except Exception as exc:
            raise FailedPrecondition(
                f"the collection on disk at {path} cannot be opened with {dimension}-dimensional "
                f"vectors ({exc}); it was created for another embedding model: register the "
                "vector DB with that model, or unregister it to drop the old collection"
            ) from None

    async def drop(self, name: str) -> None:
        path = self.root / safe_name(name)
        await asyncio.to_thread(shutil.rmtree, path, True)


class EdgeCollection:
    def __init__(self, engine: EdgeEngine, shard: Any, dimension: int) -> None:
        import qdrant_edge as q

        self.q = q
        self.engine = engine
        self.shard = shard
        self.dimension = dimension
        self.bm25 = q.Bm25()
        self.has_ttl = False
        #: Whether some segment has an HNSW index (else every search is exact).
        self.indexed = False
        self._known_keys: set[str] = set()

    # -- writes --------------------------------------------------------------------------

    async def upsert(self, chunks: list[StoredChunk]) -> None:
        await self.engine._run(self._upsert, chunks)

    def _upsert(self, chunks: list[StoredChunk]) -> None:
        q = self.q
        points = [
            q.Point(
                point_id(c.chunk_id),
                {DENSE: c.vector, SPARSE: self.bm25.embed_document(c.text)},
                payload(c),
            )
            for c in chunks
        ]
        self.shard.update(q.UpdateOperation.upsert_points(points))
        if any(c.expires_at is not None for c in chunks):
            self.has_ttl = True
        if self.has_ttl:
            self.shard.update(
                q.UpdateOperation.delete_points_by_filter(expired(EDGE(), time.time()))
            )
        self.shard.flush()
        info = self.shard.info()
        if info.points_count - info.indexed_vectors_count >= self.engine.config.index_threshold:
            started = time.monotonic()
            self.shard.optimize()
            log.info(
                "built the HNSW index of %d points in %.1fs",
                info.points_count,
                time.monotonic() - started,
            )
            info = self.shard.info()
        self.indexed = info.indexed_vectors_count > 0

    async def delete(
        self, chunk_ids: list[str], document_ids: list[str], keep_chunk_ids: list[str]
    ) -> int:
        return await self.engine._run(self._delete, chunk_ids, document_ids, keep_chunk_ids)

    def _delete(self, chunk_ids: list[str], document_ids: list[str], keep: list[str]) -> int:
        q = self.q
        flt = delete_filter(EDGE(), chunk_ids, document_ids, keep)
        if flt is None:
            return 0
        n = self.shard.count(q.CountRequest(filter=flt, exact=True))
        if n:
            self.shard.update(q.UpdateOperation.delete_points_by_filter(flt))
            self.shard.flush()
        return n

    # -- reads ---------------------------------------------------------------------------

    def _filter(self, flt: Filter | None) -> Any:
        must = [compile_filter(EDGE(), flt)] if flt is not None else []
        if self.has_ttl:
            must.append(alive(EDGE(), time.time()))
        return self.q.Filter(must=must) if must else None

    def _params(self) -> Any:
        if not self.indexed:
            return self.q.SearchParams(exact=True)
        return self.q.SearchParams(hnsw_ef=self.engine.config.hnsw_ef)

    async def search_vector(
        self, vector: list[float], limit: int, flt: Filter | None, threshold: float
    ) -> list[Hit]:
        return await self.engine._run(self._search_vector, vector, limit, flt, threshold)

    def _search_vector(
        self, vector: list[float], limit: int, flt: Filter | None, threshold: float
    ) -> list[Hit]:
        q = self.q
        request = q.QueryRequest(
            limit=limit,
            query=q.Query.Nearest(vector, using=DENSE),
            filter=self._filter(flt),
            score_threshold=threshold if threshold > 0 else None,
            params=self._params(),
            with_payload=True,
        )
        return [hit(p.score, p.payload) for p in self.shard.query(request)]

    async def search_keyword(self, text: str, limit: int, flt: Filter | None) -> list[Hit]:
        return await self.engine._run(self._search_keyword, text, limit, flt)

    def _search_keyword(self, text: str, limit: int, flt: Filter | None) -> list[Hit]:
        q = self.q
        sparse = self.bm25.embed_query(text)
        if not sparse.indices:
            return []  # only stopwords
        request = q.QueryRequest(
            limit=limit,
            query=q.Query.Nearest(sparse, using=SPARSE),
            filter=self._filter(flt),
            with_payload=True,
        )
        return [hit(p.score, p.payload) for p in self.shard.query(request)]

    async def has_metadata_key(self, key: str) -> bool:
        if key in self._known_keys:
            return True
        found = await self.engine._run(self._count_with, payload_key(key)) > 0
        if found:
            self._known_keys.add(key)
        return found

    def _count_with(self, key: str) -> int:
        return self.shard.count(self.q.CountRequest(filter=has_key(EDGE(), key), exact=True))

    def check_state(self) -> None:
        self.has_ttl = self._count_with("expires_at") > 0
        self.indexed = self.shard.info().indexed_vectors_count > 0

    async def count(self) -> int:
        return await self.engine._run(lambda: self.shard.count(self.q.CountRequest(exact=True)))

    async def close(self) -> None:
        await self.engine._run(self.shard.close)
