"""An eval job's documents in the state store, next to its job record: the input rows it
read (a snapshot, so a resumed job evaluates the same rows however the dataset changed) and
one document per finished row (its generation and scores), written once: a resumed job
skips the rows that have one, so nothing is generated twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from services.common.state import Conflict, Doc, StateStore, list_all
from services.eval.types import Row

__all__ = ["EvalRecords"]

_INPUTS, _ROWS = "eval.inputs", "eval.rows"
_CHUNK = 500


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class EvalRecords:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    async def _all(self, collection: str, job_id: str) -> list[Doc]:
        return await list_all(self.store, collection, parent=job_id, batch=500)

    async def save_inputs(self, job_id: str, rows: Sequence[Row]) -> None:
        for n, start in enumerate(range(0, len(rows), _CHUNK)):
            chunk = list(rows[start : start + _CHUNK])
            key = f"{n:06d}"
            await self.store.put(_INPUTS, f"{job_id}#{key}", _dumps(chunk), parent=job_id, sort=key)

    async def inputs(self, job_id: str) -> list[Row]:
        return [row for doc in await self._all(_INPUTS, job_id) for row in json.loads(doc.data)]

    async def save_row(self, job_id: str, index: int, record: dict[str, Any]) -> bool:
        """Store a finished row; False when it was stored already (by an earlier run)."""
        key = f"{index:08d}"
        try:
            await self.store.put(
                _ROWS, f"{job_id}#{key}", _dumps(record), parent=job_id, sort=key, expect=0
            )
        except Conflict:
            return False
        return True

    async def rows(self, job_id: str) -> dict[int, dict[str, Any]]:
        """Finished rows by index."""
        return {int(doc.sort): json.loads(doc.data) for doc in await self._all(_ROWS, job_id)}
