"""Metadata filters as SQL over the `metadata` JSON column, and keyword queries as FTS5."""

from __future__ import annotations

import re
from typing import Any

from services.vector_io.types import Comparison, Compound, Filter

__all__ = ["fts_query", "json_path", "where"]

_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_WORD = re.compile(r"\w+", re.UNICODE)


def json_path(key: str) -> str:
    """`a.b` -> `$."a"."b"` (every part quoted)."""
    return "$." + ".".join('"' + part.replace('"', '""') + '"' for part in key.split("."))


def where(f: Filter, params: list[Any]) -> str:
    """A SQL condition for a checked filter; appends its parameters to `params`."""
    if isinstance(f, Compound):
        joiner = " AND " if f.op == "and" else " OR "
        return "(" + joiner.join(where(child, params) for child in f.filters) + ")"
    return _comparison(f, params)


def _comparison(c: Comparison, params: list[Any]) -> str:
    path = json_path(c.key)
    value = "json_extract(metadata, ?)"
    if c.op in ("eq", "ne"):
        v = int(c.value) if isinstance(c.value, bool) else c.value  # JSON true/false -> 1/0
        if c.op == "eq":
            params.extend([path, v])
            return f"({value} = ?)"
        params.extend([path, path, v])
        return f"({value} IS NULL OR {value} != ?)"
    if c.op in ("in", "nin"):
        marks = ",".join("?" * len(c.value))
        if c.op == "in":
            params.extend([path, *c.value])
            return f"({value} IN ({marks}))"
        params.extend([path, path, *c.value])
        return f"({value} IS NULL OR {value} NOT IN ({marks}))"
    params.extend([path, path, float(c.value)])
    return f"(typeof({value}) IN ('integer', 'real') AND {value} {_OPS[c.op]} ?)"


def fts_query(text: str) -> str:
    """The words of a free-text query as an FTS5 OR query (each word quoted, so FTS5 syntax
    in the text is never interpreted); "" when the text has no words."""
    words = dict.fromkeys(w.lower() for w in _WORD.findall(text))
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
