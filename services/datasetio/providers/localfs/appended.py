"""Rows appended to datasets that have no file of their own (inline rows, `data:` URIs), kept
in the distribution's state store so they outlive the process and every replica sees them.

Each append is one document (its rows, in order) under the dataset; a counter orders the
appends, so concurrent appends never overwrite each other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from services.common.state import StateStore, list_all
from services.datasetio.types import Row

__all__ = ["AppendedRows"]

_COLLECTION = "datasetio.appended"


class AppendedRows:
    def __init__(self, store: StateStore, provider_id: str) -> None:
        self.store = store
        self.provider_id = provider_id

    def _parent(self, dataset_id: str) -> str:
        return f"{self.provider_id}/{dataset_id}"

    async def add(self, dataset_id: str, rows: Sequence[Row]) -> None:
        parent = self._parent(dataset_id)
        seq = await self.store.incr(f"{_COLLECTION}:{parent}")
        await self.store.put(
            _COLLECTION,
            f"{parent}#{seq:012d}",
            json.dumps(list(rows), separators=(",", ":")).encode(),
            parent=parent,
            sort=f"{seq:012d}",
            expect=0,
        )

    async def all(self, dataset_id: str) -> list[Row]:
        docs = await list_all(self.store, _COLLECTION, parent=self._parent(dataset_id), batch=200)
        return [row for doc in docs for row in json.loads(doc.data)]

    async def clear(self, dataset_id: str) -> None:
        await self.store.delete_children(_COLLECTION, self._parent(dataset_id))
