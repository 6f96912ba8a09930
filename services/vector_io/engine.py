"""What a vector engine implements: a collection per vector database.

Calls are async; engines run blocking library calls in their own worker threads. Scores are
"higher is better": cosine similarity for vectors, BM25 for keywords.
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol, runtime_checkable

from services.vector_io.types import Filter, Hit, StoredChunk

__all__ = ["Collection", "Engine", "safe_name"]


@runtime_checkable
class Collection(Protocol):
    """The chunks of one vector database."""

    dimension: int

    async def upsert(self, chunks: list[StoredChunk]) -> None:
        """Store every chunk (replacing chunks with the same id), all or none."""
        ...

    async def search_vector(
        self, vector: list[float], limit: int, flt: Filter | None, threshold: float
    ) -> list[Hit]: ...

    async def search_keyword(self, text: str, limit: int, flt: Filter | None) -> list[Hit]: ...

    async def delete(
        self, chunk_ids: list[str], document_ids: list[str], keep_chunk_ids: list[str]
    ) -> int:
        """Delete chunks by id, and chunks of documents except those kept; how many went."""
        ...

    async def has_metadata_key(self, key: str) -> bool:
        """Whether some chunk's metadata has the (possibly nested) key."""
        ...

    async def count(self) -> int: ...

    async def close(self) -> None: ...


@runtime_checkable
class Engine(Protocol):
    """Opens, creates and drops collections."""

    async def open(self, name: str, dimension: int) -> Collection:
        """The collection `name`, created when missing, reopened when it exists (FAILED_PRECONDITION
        when it exists with another dimension)."""
        ...

    async def drop(self, name: str) -> None:
        """Delete the collection and its data (unknown names are not an error)."""
        ...


_SAFE = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def safe_name(name: str) -> str:
    """A file and collection name for a provider id: itself when plain, else a slug plus a
    hash (so `a/b` and `a_b` never collide)."""
    if _SAFE.fullmatch(name) and name not in (".", ".."):
        return name
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80].strip("._") or "db"
    return f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"
