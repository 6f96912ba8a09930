"""The vector IO domain, free of protobuf: chunks, queries, filters, hits."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Chunk",
    "Comparison",
    "Compound",
    "Filter",
    "Hit",
    "Query",
    "Ranker",
    "SearchMode",
    "StoredChunk",
]


class SearchMode(enum.Enum):
    VECTOR = "vector"
    KEYWORD = "keyword"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class Ranker:
    """How hybrid search fuses its two result lists."""

    kind: str = "rrf"  # "rrf" | "weighted"
    #: RRF: score = sum of 1 / (impact_factor + rank).
    impact_factor: float = 60.0
    #: Weighted: alpha * vector + (1 - alpha) * keyword, each min-max normalised.
    alpha: float = 0.5


@dataclass(frozen=True)
class Comparison:
    key: str
    op: str  # eq ne gt gte lt lte in nin
    value: Any


@dataclass(frozen=True)
class Compound:
    op: str  # and | or
    filters: tuple[Filter, ...]


Filter = Comparison | Compound


@dataclass
class Chunk:
    """A chunk as a caller sends it."""

    #: The content items as proto3 JSON (`[{"text": ...}]`), kept to give them back as sent.
    content: list[dict[str, Any]]
    #: The text of the content (what is embedded and keyword-indexed).
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    embedding: list[float] | None = None
    chunk_id: str = ""
    chunk_metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoredChunk:
    """A chunk ready for an engine: its id, document, vector, and the payload to keep."""

    chunk_id: str
    document_id: str
    text: str
    vector: list[float]
    #: {content, metadata, chunk_metadata} as given back on queries.
    payload: dict[str, Any]
    expires_at: float | None = None


@dataclass(frozen=True)
class Query:
    mode: SearchMode
    text: str
    vector: list[float] | None
    max_chunks: int
    score_threshold: float
    ranker: Ranker
    filter: Filter | None


@dataclass
class Hit:
    """A chunk found by a search, with its score."""

    chunk_id: str
    score: float
    payload: dict[str, Any]
