"""State that must outlive a process: one interface, two backends (SQLite, Redis).

Services keep their durable objects here (agent sessions and turns, jobs, API keys,
counters), in the store the run.yaml's `metadata_store` names — the same place as the
registry: a SQLite file on one machine, a Redis server shared by replicas in a cluster.
Nothing is cached per process, so replicas always agree.

A document is bytes under (collection, key), with a `parent` (to list children: the turns of
a session) and a `sort` string (list order within a parent; ties by key). Every write bumps
its `version`; `expect=` makes a write conditional (compare-and-set): `expect=0` creates only
if absent, `expect=n` updates only if the stored version is n, else `Conflict`. Counters are
atomic increments with an optional time to live (rate limits and quotas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Conflict", "Doc", "StateStore", "list_all"]


class Conflict(Exception):
    """A conditional write found another version (someone else wrote first)."""


@dataclass(frozen=True, slots=True)
class Doc:
    collection: str
    key: str
    data: bytes
    version: int
    parent: str = ""
    sort: str = ""
    #: Unix time of the last write.
    updated: float = 0.0


class StateStore(Protocol):
    async def get(self, collection: str, key: str) -> Doc | None: ...

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
        """Write a document (conditionally with `expect`); raise Conflict on a mismatch."""

    async def delete(self, collection: str, key: str, *, expect: int | None = None) -> bool:
        """Delete a document; False when absent; Conflict when `expect` does not match."""

    async def list(
        self, collection: str, *, parent: str = "", after: str = "", limit: int = 100
    ) -> list[Doc]:
        """Documents of a parent ordered by (sort, key), after the cursor `after` (the
        `cursor(doc)` of the last document of the previous page)."""

    async def delete_children(self, collection: str, parent: str) -> int:
        """Delete every document of a parent; the number deleted."""

    async def incr(self, counter: str, amount: int = 1, ttl_s: float | None = None) -> int:
        """Add to a counter atomically and return its value; a new counter expires after
        `ttl_s` seconds (a fixed window)."""

    async def close(self) -> None: ...


def cursor(doc: Doc) -> str:
    """The `after` cursor that continues a listing after `doc`."""
    return f"{doc.sort}\x00{doc.key}"


async def list_all(
    store: StateStore, collection: str, *, parent: str = "", batch: int = 200
) -> list[Doc]:
    """Every document of a parent, ordered by (sort, key), read `batch` at a time."""
    out: list[Doc] = []
    after = ""
    while True:
        docs = await store.list(collection, parent=parent, after=after, limit=batch)
        out.extend(docs)
        if len(docs) < batch:
            return out
        after = cursor(docs[-1])
