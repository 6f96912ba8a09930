"""Checking chunks and turning them into what engines store: stable ids, document ids,
payloads, expiry."""

from __future__ import annotations

import hashlib
import json
import math
import time
import uuid
from typing import Any

from services.common.errors import InvalidArgument
from services.vector_io.types import Chunk, StoredChunk

__all__ = [
    "MAX_CHUNKS_PER_INSERT",
    "MAX_CHUNK_TEXT",
    "MAX_METADATA_BYTES",
    "check_chunks",
    "check_vector",
    "chunk_id_for",
    "document_id_of",
    "stored",
]

MAX_CHUNKS_PER_INSERT = 10_000
MAX_CHUNK_TEXT = 1 << 20  # characters
MAX_METADATA_BYTES = 64 * 1024
_NAMESPACE = uuid.UUID("0d1b6f7e-8a39-4f4e-b2d5-7c0e4a9f3b21")


def document_id_of(chunk: Chunk) -> str:
    """`metadata.document_id` (the reference's convention), else `chunk_metadata.document_id`."""
    value = chunk.metadata.get("document_id") or chunk.chunk_metadata.get("document_id") or ""
    return str(value)


def chunk_id_for(document_id: str, content: list[dict[str, Any]]) -> str:
    """The same document and content always give the same id, so re-inserting is idempotent."""
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return str(uuid.uuid5(_NAMESPACE, f"{document_id}\x00{digest}"))


def check_vector(vector: list[float], dimension: int, where: str, db: str) -> None:
    if len(vector) != dimension:
        raise InvalidArgument(
            f"{where} has {len(vector)} values; vector DB {db!r} stores {dimension}-dimensional "
            "vectors (its embedding model's size)",
            field=where,
        )
    if not all(math.isfinite(x) for x in vector):
        raise InvalidArgument(f"{where} holds NaN or infinite values", field=where)
    if not any(vector):
        raise InvalidArgument(f"{where} is all zeros (it has no direction to compare)", field=where)


def check_chunks(chunks: list[Chunk], dimension: int, db: str) -> None:
    """Every problem is found before anything is written."""
    if len(chunks) > MAX_CHUNKS_PER_INSERT:
        raise InvalidArgument(
            f"{len(chunks)} chunks in one insert; at most {MAX_CHUNKS_PER_INSERT} (split it)",
            field="chunks",
        )
    for i, chunk in enumerate(chunks):
        where = f"chunks[{i}]"
        if not chunk.content:
            raise InvalidArgument(f"{where}.content is empty", field=f"{where}.content")
        if chunk.embedding is None and not chunk.text.strip():
            raise InvalidArgument(
                f"{where} has no text to embed (images cannot be embedded by text models); "
                "give it text or a precomputed embedding",
                field=f"{where}.content",
            )
        if len(chunk.text) > MAX_CHUNK_TEXT:
            raise InvalidArgument(
                f"{where}.content has {len(chunk.text)} characters; at most {MAX_CHUNK_TEXT}",
                field=f"{where}.content",
            )
        if chunk.embedding is not None:
            check_vector(chunk.embedding, dimension, f"{where}.embedding", db)
        size = len(json.dumps(chunk.metadata))
        if size > MAX_METADATA_BYTES:
            raise InvalidArgument(
                f"{where}.metadata is {size} bytes of JSON; at most {MAX_METADATA_BYTES}",
                field=f"{where}.metadata",
            )


def stored(
    chunk: Chunk, vector: list[float], model: str, dimension: int, ttl: int | None
) -> StoredChunk:
    document_id = document_id_of(chunk)
    chunk_id = chunk.chunk_id or chunk_id_for(document_id, chunk.content)
    now = time.time()
    meta = {
        **chunk.chunk_metadata,
        "chunk_id": chunk_id,
        "document_id": document_id,
        "chunk_embedding_model": chunk.chunk_metadata.get("chunk_embedding_model") or model,
        "chunk_embedding_dimension": dimension,
        "created_timestamp": chunk.chunk_metadata.get("created_timestamp") or now,
        "updated_timestamp": now,
    }
    payload = {"content": chunk.content, "metadata": chunk.metadata, "chunk_metadata": meta}
    expires = now + ttl if ttl else None
    return StoredChunk(chunk_id, document_id, chunk.text, vector, payload, expires)
