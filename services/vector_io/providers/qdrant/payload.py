"""How both Qdrant providers store a chunk: one point per chunk, a dense vector `dense`, a
BM25 sparse vector `bm25` (qdrant-edge's BM25 model: English tokenizer, stemmer, stopwords;
IDF applied by the engine), and the payload below."""

from __future__ import annotations

import uuid
from typing import Any

from services.vector_io.types import Hit, StoredChunk

__all__ = ["DENSE", "SPARSE", "hit", "payload", "point_id"]

DENSE = "dense"
SPARSE = "bm25"
_NAMESPACE = uuid.UUID("6f1c1b8e-3d5a-4c1e-9a59-1f3e0c8b7a42")


def point_id(chunk_id: str) -> str:
    """Qdrant ids are integers or UUIDs; chunk ids are any string."""
    return str(uuid.uuid5(_NAMESPACE, chunk_id))


def payload(chunk: StoredChunk) -> dict[str, Any]:
    out = {
        "chunk_id": chunk.chunk_id,
        "document_id": chunk.document_id,
        **chunk.payload,
    }
    if chunk.expires_at is not None:
        out["expires_at"] = chunk.expires_at
    return out


def hit(score: float, data: dict[str, Any] | None) -> Hit:
    data = dict(data or {})
    return Hit(str(data.get("chunk_id", "")), float(score), data)
