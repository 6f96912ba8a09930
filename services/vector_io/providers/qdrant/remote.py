"""`remote::qdrant`: a Qdrant server through qdrant-client (gRPC preferred, API key, TLS).

One Qdrant collection per vector DB, laid out like `inline::qdrant` (a `dense` cosine vector
and a `bm25` sparse vector with the IDF modifier; BM25 query and document vectors come from
qdrant-edge's BM25 model, so keyword search works against any Qdrant server without server
side inference). `path` (or `location: ":memory:"`) runs qdrant-client's local mode instead
of a server: the same client API, used by the tests because no Qdrant server runs here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.errors import FailedPrecondition, UpstreamUnavailable
from services.common.providers import Health, HealthStatus
from services.vector_io.engine import safe_name
from services.vector_io.provider import VectorIoProvider
from services.vector_io.providers.qdrant.filters import (
    CLIENT,
    alive,
    compile_filter,
    delete_filter,
    expired,
    has_key,
    payload_key,
)
from services.vector_io.providers.qdrant.payload import DENSE, SPARSE, hit, payload, point_id
from services.vector_io.types import Filter, Hit, StoredChunk

__all__ = ["QdrantRemoteConfig", "QdrantRemoteProvider"]


class QdrantRemoteConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The server, e.g. `http://qdrant:6333` (gRPC on `grpc_port` when `prefer_grpc`).
    url: str | None = None
    api_key: str | None = None
    prefer_grpc: bool = True
    grpc_port: int = 6334
    #: Force TLS on or off (default: from the URL's scheme).
    https: bool | None = None
    timeout: int = Field(default=30, ge=1)
    #: qdrant-client local mode: a directory, or ":memory:" (no server).
    path: str | None = None
    location: str | None = None
    #: Prepended to collection names (several stacks can share one server).
    collection_prefix: str = ""

    @model_validator(mode="after")
    def _one_target(self) -> QdrantRemoteConfig:
        targets = [t for t in (self.url, self.path, self.location) if t]
        if len(targets) != 1:
            raise ValueError("set exactly one of url (a server), path or location (local mode)")
        return self


class QdrantRemoteProvider(VectorIoProvider):
    provider_type: ClassVar[str] = "remote::qdrant"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = QdrantRemoteConfig.model_validate(dict(config))
        self.client: Any = None

    @property
    def where(self) -> str:
        return self.config.url or f"local mode ({self.config.path or self.config.location})"

    async def initialize(self) -> None:
        from qdrant_client import AsyncQdrantClient

        c = self.config
        if c.url:
            self.client = AsyncQdrantClient(
                url=c.url, api_key=c.api_key or None, prefer_grpc=c.prefer_grpc,
                grpc_port=c.grpc_port, https=c.https, timeout=c.timeout,
            )  # fmt: skip
        else:
            self.client = AsyncQdrantClient(path=c.path, location=c.location)
        self.engine = RemoteEngine(self)

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.client is not None:
            await self.client.close()

    async def health(self) -> Health:
        try:
            await self.client.get_collections()
        except Exception as exc:
            return Health(HealthStatus.HEALTH_STATUS_ERROR, f"Qdrant at {self.where}: {exc}")
        return Health()

    async def call(self, what: str, coro: Any) -> Any:
        """Await a client call; connection failures become UNAVAILABLE naming the server."""
        try:
            return await coro
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise UpstreamUnavailable(
                f"{self.label}: Qdrant at {self.where} cannot be reached ({what}): {exc}",
                provider=self.provider_id,
            ) from None
        except Exception as exc:
            if type(exc).__name__ in ("AioRpcError", "ResponseHandlingException", "ConnectError"):
                raise UpstreamUnavailable(
                    f"{self.label}: Qdrant at {self.where} failed ({what}): {exc}",
                    provider=self.provider_id,
                ) from None
            raise


class RemoteEngine:
    def __init__(self, provider: QdrantRemoteProvider) -> None:
        self.p = provider

    def name(self, name: str) -> str:
        return self.p.config.collection_prefix + safe_name(name)

    async def open(self, name: str, dimension: int) -> RemoteCollection:
        from qdrant_client import models as m

        client, collection = self.p.client, self.name(name)
        if await self.p.call("collection_exists", client.collection_exists(collection)):
            info = await self.p.call("get_collection", client.get_collection(collection))
            vectors = info.config.params.vectors
            size = vectors[DENSE].size if isinstance(vectors, dict) and DENSE in vectors else None
            if size != dimension:
                raise FailedPrecondition(
                    f"Qdrant collection {collection!r} at {self.p.where} exists with "
                    f"{size}-dimensional vectors, not {dimension}; register the vector DB with "
                    "its embedding model, use another provider_vector_db_id, or drop the "
                    "collection"
                )
        else:
            await self.p.call(
                "create_collection",
                client.create_collection(
                    collection,
                    vectors_config={
                        DENSE: m.VectorParams(size=dimension, distance=m.Distance.COSINE)
                    },
                    sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
                ),
            )
            if self.p.config.url:  # local mode has no payload indexes
                await self.p.call(
                    "create_payload_index",
                    client.create_payload_index(
                        collection, "document_id", m.PayloadSchemaType.KEYWORD
                    ),
                )
        out = RemoteCollection(self.p, collection, dimension)
        out.has_ttl = await out.count_with("expires_at") > 0
        return out

    async def drop(self, name: str) -> None:
        await self.p.call("delete_collection", self.p.client.delete_collection(self.name(name)))


class RemoteCollection:
    def __init__(self, provider: QdrantRemoteProvider, name: str, dimension: int) -> None:
        from qdrant_client import models
        from qdrant_edge import Bm25

        self.m = models
        self.p = provider
        self.name = name
        self.dimension = dimension
        self.bm25 = Bm25()
        self.has_ttl = False
        self._known_keys: set[str] = set()

    def _sparse(self, vector: Any) -> Any:
        return self.m.SparseVector(indices=list(vector.indices), values=list(vector.values))

    async def upsert(self, chunks: list[StoredChunk]) -> None:
        m = self.m
        points = [
            m.PointStruct(
                id=point_id(c.chunk_id),
                vector={DENSE: c.vector, SPARSE: self._sparse(self.bm25.embed_document(c.text))},
                payload=payload(c),
            )
            for c in chunks
        ]
        client = self.p.client
        await self.p.call("upsert", client.upsert(self.name, points=points, wait=True))
        if any(c.expires_at is not None for c in chunks):
            self.has_ttl = True
        if self.has_ttl:
            gone = expired(CLIENT(), time.time())
            await self.p.call("delete", client.delete(self.name, points_selector=gone))

    async def delete(
        self, chunk_ids: list[str], document_ids: list[str], keep_chunk_ids: list[str]
    ) -> int:
        flt = delete_filter(CLIENT(), chunk_ids, document_ids, keep_chunk_ids)
        if flt is None:
            return 0
        client = self.p.client
        n = (
            await self.p.call("count", client.count(self.name, count_filter=flt, exact=True))
        ).count
        if n:
            await self.p.call("delete", client.delete(self.name, points_selector=flt, wait=True))
        return n

    def _filter(self, flt: Filter | None) -> Any:
        must = [compile_filter(CLIENT(), flt)] if flt is not None else []
        if self.has_ttl:
            must.append(alive(CLIENT(), time.time()))
        return self.m.Filter(must=must) if must else None

    async def _query(self, query: Any, using: str, limit: int, flt: Any, threshold: Any) -> list:
        result = await self.p.call(
            "query_points",
            self.p.client.query_points(
                self.name, query=query, using=using, limit=limit, query_filter=flt,
                score_threshold=threshold, with_payload=True,
            ),
        )  # fmt: skip
        return [hit(p.score, p.payload) for p in result.points]

    async def search_vector(
        self, vector: list[float], limit: int, flt: Filter | None, threshold: float
    ) -> list[Hit]:
        threshold_or_none = threshold if threshold > 0 else None
        return await self._query(vector, DENSE, limit, self._filter(flt), threshold_or_none)

    async def search_keyword(self, text: str, limit: int, flt: Filter | None) -> list[Hit]:
        sparse = self.bm25.embed_query(text)
        if not sparse.indices:
            return []
        return await self._query(self._sparse(sparse), SPARSE, limit, self._filter(flt), None)

    async def count_with(self, key: str) -> int:
        flt = has_key(CLIENT(), key)
        client = self.p.client
        return (
            await self.p.call("count", client.count(self.name, count_filter=flt, exact=True))
        ).count

    async def has_metadata_key(self, key: str) -> bool:
        if key in self._known_keys:
            return True
        found = await self.count_with(payload_key(key)) > 0
        if found:
            self._known_keys.add(key)
        return found

    async def count(self) -> int:
        client = self.p.client
        return (await self.p.call("count", client.count(self.name, exact=True))).count

    async def close(self) -> None:
        return None
