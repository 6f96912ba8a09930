"""A vector IO provider: an engine plus the table of vector databases it serves.

Registering a vector DB (through the gateway, or again after this service restarted) opens
its collection: created when new, reopened from disk / the server when it exists, refused
when it exists with another dimension. Unregistering drops the collection and its chunks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument
from services.common.providers import Provider
from services.common.resources import Accepted, Entry, ResourceTable
from services.vector_io.engine import Collection, Engine

__all__ = ["MAX_DIMENSION", "VectorDb", "VectorIoProvider"]

MAX_DIMENSION = 65536


@dataclass
class VectorDb:
    """A vector database this provider serves."""

    name: str  # the provider's own id
    embedding_model: str
    dimension: int
    collection: Collection


class VectorIoProvider(Provider):
    """Subclasses set `provider_type` and build `self.engine` (in `initialize` when it needs
    I/O)."""

    api: ClassVar[str] = "vector_io"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.engine: Engine | None = None
        self.dbs: ResourceTable[VectorDb] = ResourceTable(
            "vector_db", self.label, self.ready, accept=self._accept, release=self._release
        )
        self.table = self.dbs

    async def _accept(self, db: resources_pb2.VectorDb) -> Accepted[VectorDb]:
        name = db.provider_resource_id or db.identifier
        if not db.embedding_model:
            raise InvalidArgument(
                f"vector DB {db.identifier!r} names no embedding_model; register it with a "
                "registered embedding model",
                field="embedding_model",
            )
        if not 0 < db.embedding_dimension <= MAX_DIMENSION:
            raise InvalidArgument(
                f"vector DB {db.identifier!r} has embedding_dimension "
                f"{db.embedding_dimension}; it must be between 1 and {MAX_DIMENSION} (the "
                "gateway fills it from the embedding model)",
                field="embedding_dimension",
            )
        existing = self.dbs.find(name)
        if existing is not None and existing.dimension == db.embedding_dimension:
            collection = existing.collection  # registered again (gateway resync): same handle
        else:
            assert self.engine is not None
            collection = await self.engine.open(name, db.embedding_dimension)
        value = VectorDb(name, db.embedding_model, db.embedding_dimension, collection)
        return Accepted(db, value)

    async def _release(self, entry: Entry[VectorDb]) -> None:
        await entry.value.collection.close()
        assert self.engine is not None
        await self.engine.drop(entry.id)

    async def shutdown(self) -> None:
        for entry in self.dbs:
            await entry.value.collection.close()
