"""Metadata filters as Qdrant conditions, for the embedded engine (qdrant-edge) and the
client (qdrant-client), whose condition classes differ only in how they are built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.vector_io.types import Comparison, Compound, Filter

__all__ = ["CLIENT", "EDGE", "Builder", "compile_filter", "payload_key"]


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
