"""Metadata filters as Qdrant conditions, for the embedded engine (qdrant-edge) and the
client (qdrant-client), whose condition classes differ only in how they are built; and the
filters both providers share (expiry, deletes, key presence)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.vector_io.providers.qdrant.payload import point_id
from services.vector_io.types import Comparison, Compound, Filter

__all__ = [
    "CLIENT", "EDGE", "Builder", "alive", "compile_filter", "delete_filter", "expired",
    "has_key", "payload_key",
]  # fmt: skip


def payload_key(key: str) -> str:
    return f"metadata.{key}"


@dataclass(frozen=True)
class Builder:
    match_value: Callable[[str, Any], Any]
    match_any: Callable[[str, list[Any]], Any]
    range: Callable[[str, dict[str, float]], Any]
    is_empty: Callable[[str], Any]
    has_id: Callable[[list[str]], Any]
    filter: Callable[..., Any]  # (must=, should=, must_not=)


def compile_filter(b: Builder, f: Filter) -> Any:
    """A Qdrant filter for a checked metadata filter."""
    if isinstance(f, Compound):
        parts = [compile_filter(b, child) for child in f.filters]
        return b.filter(must=parts) if f.op == "and" else b.filter(should=parts)
    return b.filter(**_comparison(b, f))


def _comparison(b: Builder, c: Comparison) -> dict[str, list[Any]]:
    key = payload_key(c.key)
    if c.op in ("eq", "ne"):
        cond = _equals(b, key, c.value)
        return {"must": [cond]} if c.op == "eq" else {"must_not": [cond]}
    if c.op in ("in", "nin"):
        values = [int(v) if isinstance(v, float) else v for v in c.value]
        cond = b.match_any(key, values)
        return {"must": [cond]} if c.op == "in" else {"must_not": [cond]}
    return {"must": [b.range(key, {c.op: float(c.value)})]}


def _equals(b: Builder, key: str, value: Any) -> Any:
    if isinstance(value, float) and not value.is_integer():
        return b.range(key, {"gte": value, "lte": value})
    if isinstance(value, float):
        value = int(value)
    return b.match_value(key, value)


def alive(b: Builder, now: float) -> Any:
    """Points that do not expire, or expire after `now`."""
    return b.filter(should=[b.is_empty("expires_at"), b.range("expires_at", {"gt": now})])


def expired(b: Builder, now: float) -> Any:
    """Points that expired before `now`."""
    return b.filter(must=[b.range("expires_at", {"lt": now})])


def has_key(b: Builder, key: str) -> Any:
    """Points whose payload has `key` (a full payload path)."""
    return b.filter(must_not=[b.is_empty(key)])


def delete_filter(
    b: Builder, chunk_ids: list[str], document_ids: list[str], keep_chunk_ids: list[str]
) -> Any:
    """Chunks by id, and chunks of documents except those kept; None when nothing is named."""
    parts = []
    if chunk_ids:
        parts.append(b.filter(must=[b.has_id([point_id(c) for c in chunk_ids])]))
    if document_ids:
        by_doc = b.match_any("document_id", list(document_ids))
        keep = [point_id(c) for c in keep_chunk_ids]
        must_not = [b.has_id(keep)] if keep else None
        parts.append(b.filter(must=[by_doc], must_not=must_not))
    return b.filter(should=parts) if parts else None


def _edge() -> Builder:
    import qdrant_edge as q

    return Builder(
        match_value=lambda k, v: q.FieldCondition(k, match=q.MatchValue(v)),
        match_any=lambda k, vs: q.FieldCondition(k, match=q.MatchAny(vs)),
        range=lambda k, r: q.FieldCondition(k, range=q.RangeFloat(**r)),
        is_empty=lambda k: q.IsEmptyCondition(k),
        has_id=lambda ids: q.HasIdCondition(set(ids)),
        filter=lambda **kw: q.Filter(**kw),
    )


def _client() -> Builder:
    from qdrant_client import models as m

    return Builder(
        match_value=lambda k, v: m.FieldCondition(key=k, match=m.MatchValue(value=v)),
        match_any=lambda k, vs: m.FieldCondition(key=k, match=m.MatchAny(any=vs)),
        range=lambda k, r: m.FieldCondition(key=k, range=m.Range(**r)),
        is_empty=lambda k: m.IsEmptyCondition(is_empty=m.PayloadField(key=k)),
        has_id=lambda ids: m.HasIdCondition(has_id=list(ids)),
        filter=lambda **kw: m.Filter(**kw),
    )


class _Lazy:
    """Builds the builder on first use, so importing this module loads neither library."""

    def __init__(self, make: Callable[[], Builder]) -> None:
        self._make = make
        self._value: Builder | None = None

    def __call__(self) -> Builder:
        if self._value is None:
            self._value = self._make()
        return self._value


EDGE = _Lazy(_edge)
CLIENT = _Lazy(_client)
