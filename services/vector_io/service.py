"""The vector IO logic: pick the provider and vector DB, check, embed, store, search, fuse."""

from __future__ import annotations

import logging
import time

from services.common.errors import InvalidArgument
from services.common.providers import ProviderHost
from services.vector_io.chunks import check_chunks, check_vector, stored
from services.vector_io.embedder import Embedder
from services.vector_io.filters import check_filter, keys_of
from services.vector_io.fusion import candidates_for, fuse
from services.vector_io.provider import VectorDb, VectorIoProvider
from services.vector_io.types import Chunk, Hit, Query, SearchMode

__all__ = ["MAX_QUERY_CHUNKS", "MAX_QUERY_TEXT", "VectorIoService"]

log = logging.getLogger(__name__)

MAX_QUERY_CHUNKS = 1000
MAX_QUERY_TEXT = 32 * 1024
MAX_DELETE_IDS = 10_000


class VectorIoService:
    def __init__(self, host: ProviderHost[VectorIoProvider], embedder: Embedder) -> None:
        self.host = host
        self.embedder = embedder

    def db(self, provider_id: str | None, vector_db_id: str) -> VectorDb:
        provider = self.host.pick(provider_id, vector_db_id)
        return provider.dbs.get(vector_db_id)

    async def insert(
        self,
        provider_id: str | None,
        vector_db_id: str,
        chunks: list[Chunk],
        ttl_seconds: int | None,
        timeout: float | None,
    ) -> list[str]:
        """Every chunk stored, or none (checks and embeddings come first)."""
        db = self.db(provider_id, vector_db_id)
        if ttl_seconds is not None and ttl_seconds <= 0:
            raise InvalidArgument("ttl_seconds must be positive when set", field="ttl_seconds")
        check_chunks(chunks, db.dimension, vector_db_id)
        missing = [i for i, c in enumerate(chunks) if c.embedding is None]
        vectors: dict[int, list[float]] = {}
        if missing:
            started = time.monotonic()
            texts = [chunks[i].text for i in missing]
            computed = await self.embedder.embed(db.embedding_model, texts, db.dimension, timeout)
            vectors = dict(zip(missing, computed, strict=True))
            log.info(
                "embedded %d chunks for %s with %s in %.2fs",
                len(missing), vector_db_id, db.embedding_model, time.monotonic() - started,
            )  # fmt: skip
        records = [
            stored(
                c,
                c.embedding if c.embedding is not None else vectors[i],
                db.embedding_model,
                db.dimension,
                ttl_seconds,
            )
            for i, c in enumerate(chunks)
        ]
        await db.collection.upsert(records)
        return [r.chunk_id for r in records]

    async def query(
        self, provider_id: str | None, vector_db_id: str, query: Query, timeout: float | None
    ) -> list[Hit]:
        db = self.db(provider_id, vector_db_id)
        query = await self._checked(db, vector_db_id, query, timeout)
        limit, flt = query.max_chunks, query.filter
        if query.mode is SearchMode.KEYWORD:
            hits = await db.collection.search_keyword(query.text, limit, flt)
        elif query.mode is SearchMode.VECTOR:
            assert query.vector is not None
            return await db.collection.search_vector(
                query.vector, limit, flt, query.score_threshold
            )
        else:
            assert query.vector is not None
            n = candidates_for(limit)
            vector = await db.collection.search_vector(query.vector, n, flt, 0.0)
            keyword = await db.collection.search_keyword(query.text, n, flt)
            hits = fuse(vector, keyword, query.ranker)
        threshold = query.score_threshold
        return [h for h in hits if threshold <= 0 or h.score >= threshold][:limit]

    async def _checked(
        self, db: VectorDb, vector_db_id: str, query: Query, timeout: float | None
    ) -> Query:
        if not 1 <= query.max_chunks <= MAX_QUERY_CHUNKS:
            raise InvalidArgument(
                f"params.max_chunks must be between 1 and {MAX_QUERY_CHUNKS}",
                field="params.max_chunks",
            )
        if len(query.text) > MAX_QUERY_TEXT:
            raise InvalidArgument(
                f"query has {len(query.text)} characters; at most {MAX_QUERY_TEXT}", field="query"
            )
        needs_text = query.mode is not SearchMode.VECTOR or query.vector is None
        if needs_text and not query.text.strip():
            raise InvalidArgument(
                f"query is empty; {query.mode.value} search needs query text"
                + (" (or a query_embedding)" if query.mode is SearchMode.VECTOR else ""),
                field="query",
            )
        if query.filter is not None:
            check_filter(query.filter)
            for key in sorted(keys_of(query.filter)):
                if await db.collection.has_metadata_key(key):
                    continue
                if not await db.collection.count():
                    break  # an empty vector DB has no keys yet: no spelling to check
                raise InvalidArgument(
                    f"params.filter names metadata key {key!r}, which no chunk of vector "
                    f"DB {vector_db_id!r} has; check its spelling",
                    field="params.filter",
                )
        if query.mode is SearchMode.KEYWORD:
            return query
        vector = query.vector
        if vector is not None:
            check_vector(vector, db.dimension, "query_embedding", vector_db_id)
        else:
            vector = (
                await self.embedder.embed(db.embedding_model, [query.text], db.dimension, timeout)
            )[0]
        return Query(
            query.mode, query.text, vector, query.max_chunks, query.score_threshold,
            query.ranker, query.filter,
        )  # fmt: skip

    async def delete(
        self,
        provider_id: str | None,
        vector_db_id: str,
        chunk_ids: list[str],
        document_ids: list[str],
        keep_chunk_ids: list[str],
    ) -> int:
        db = self.db(provider_id, vector_db_id)
        if not chunk_ids and not document_ids:
            raise InvalidArgument(
                "give chunk_ids or document_ids (or both) to delete", field="chunk_ids"
            )
        if keep_chunk_ids and not document_ids:
            raise InvalidArgument(
                "keep_chunk_ids applies to document_ids; give document_ids too",
                field="keep_chunk_ids",
            )
        total = len(chunk_ids) + len(document_ids) + len(keep_chunk_ids)
        if total > MAX_DELETE_IDS:
            raise InvalidArgument(
                f"{total} ids in one delete; at most {MAX_DELETE_IDS}", field="chunk_ids"
            )
        return await db.collection.delete(chunk_ids, document_ids, keep_chunk_ids)
