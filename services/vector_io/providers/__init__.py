"""The vector IO provider types this service can host (each imported only when configured)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.vector_io.provider import VectorIoProvider

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], VectorIoProvider]


def _qdrant_edge(provider_id: str, config: Mapping[str, Any]) -> VectorIoProvider:
    from services.vector_io.providers.qdrant.edge import QdrantEdgeProvider

    return QdrantEdgeProvider(provider_id, config)


def _sqlite_vec(provider_id: str, config: Mapping[str, Any]) -> VectorIoProvider:
    from services.vector_io.providers.sqlite_vec.provider import SqliteVecProvider

    return SqliteVecProvider(provider_id, config)


def _qdrant_remote(provider_id: str, config: Mapping[str, Any]) -> VectorIoProvider:
    from services.vector_io.providers.qdrant.remote import QdrantRemoteProvider

    return QdrantRemoteProvider(provider_id, config)


#: provider_type -> factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {
    "inline::qdrant": _qdrant_edge,
    "inline::sqlite-vec": _sqlite_vec,
    "remote::qdrant": _qdrant_remote,
}
