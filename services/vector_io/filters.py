"""Metadata filters: checked once here, then compiled by each engine (Qdrant conditions, SQL).

A filter compares keys of a chunk's `metadata` (`a.b` reaches into nested objects):
`eq`/`ne` with a string, number or boolean, `gt`/`gte`/`lt`/`lte` with a number, `in`/`nin`
with a list of strings or integers; `and`/`or` combine filters. `ne` and `nin` also match
chunks without the key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from services.common.errors import InvalidArgument
from services.vector_io.types import Comparison, Compound, Filter

__all__ = ["MAX_CONDITIONS", "MAX_DEPTH", "RANGE_OPS", "check_filter", "keys_of"]

RANGE_OPS = frozenset({"gt", "gte", "lt", "lte"})
_SCALAR_OPS = frozenset({"eq", "ne"})
_LIST_OPS = frozenset({"in", "nin"})
MAX_DEPTH = 8
MAX_CONDITIONS = 64
MAX_LIST = 1024
_KEY = re.compile(r"[A-Za-z0-9_\-:@+=]+(?:\.[A-Za-z0-9_\-:@+=]+)*")


def check_filter(f: Filter, where: str = "params.filter") -> None:
    """INVALID_ARGUMENT naming the part of the filter to fix."""
    count = 0
    for cond, path, depth in _walk(f, where, 1):
        if depth > MAX_DEPTH:
            raise InvalidArgument(f"{path}: filters nest at most {MAX_DEPTH} deep", field=where)
        if isinstance(cond, Compound):
            if cond.op not in ("and", "or"):
                raise InvalidArgument(f"{path}.op must be AND or OR", field=where)
            if not cond.filters:
                raise InvalidArgument(f"{path}.filters is empty", field=where)
            continue
        count += 1
        _check_comparison(cond, path, where)
    if count > MAX_CONDITIONS:
        raise InvalidArgument(
            f"{where} has {count} comparisons; at most {MAX_CONDITIONS}", field=where
        )


def _check_comparison(c: Comparison, path: str, where: str) -> None:
    if not c.key or not _KEY.fullmatch(c.key):
        raise InvalidArgument(
            f"{path}.key {c.key!r} is not a metadata key: letters, digits and '_-:@+=', "
            "'.' between the parts of a nested key",
            field=where,
        )
    if c.op in _SCALAR_OPS:
        if not _scalar(c.value):
            raise InvalidArgument(
                f"{path}.value must be a string, number or boolean for {c.op.upper()}", field=where
            )
    elif c.op in RANGE_OPS:
        if isinstance(c.value, bool) or not isinstance(c.value, int | float):
            raise InvalidArgument(
                f"{path}.value must be a number for {c.op.upper()} (range operators compare "
                "numbers)",
                field=where,
            )
        if not math.isfinite(c.value):
            raise InvalidArgument(f"{path}.value must be finite", field=where)
    elif c.op in _LIST_OPS:
        values = c.value
        if not isinstance(values, list | tuple) or not values:
            raise InvalidArgument(
                f"{path}.value must be a non-empty list for {c.op.upper()}", field=where
            )
        if len(values) > MAX_LIST:
            raise InvalidArgument(f"{path}.value has more than {MAX_LIST} items", field=where)
        strings = all(isinstance(v, str) for v in values)
        ints = all(_integer(v) for v in values)
        if not (strings or ints):
            raise InvalidArgument(
                f"{path}.value must be all strings or all integers for {c.op.upper()}",
                field=where,
            )
    else:
        raise InvalidArgument(
            f"{path}.op is missing or unknown; use EQ, NE, GT, GTE, LT, LTE, IN or NIN",
            field=where,
        )


def _scalar(v: object) -> bool:
    if isinstance(v, bool | str):
        return True
    return isinstance(v, int | float) and math.isfinite(v)


def _integer(v: object) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


def _walk(f: Filter, path: str, depth: int) -> Iterator[tuple[Filter, str, int]]:
    yield f, path, depth
    if isinstance(f, Compound) and depth <= MAX_DEPTH:
        for i, child in enumerate(f.filters):
            yield from _walk(child, f"{path}.filters[{i}]", depth + 1)


def keys_of(f: Filter) -> set[str]:
    """Every metadata key a filter names."""
    return {c.key for c, _, _ in _walk(f, "", 1) if isinstance(c, Comparison)}
