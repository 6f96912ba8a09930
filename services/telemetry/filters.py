"""Attribute filters (`QueryCondition`) on spans and traces.

A condition names an attribute (or `name` / `service.name` when no attribute has that key)
and compares it with `eq`, `ne`, `gt` or `lt`. Numbers compare as numbers (a numeric string
on one side is read as a number), strings as strings (`gt`/`lt` lexically), booleans only
for equality. A span without the attribute never matches, whatever the operator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.common.errors import InvalidArgument

__all__ = ["MAX_KEY", "Condition", "Op", "check_keys", "matches"]

#: Longest attribute key a query may name.
MAX_KEY = 256
#: Most conditions / returned attributes one query may list.
MAX_TERMS = 64


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    LT = "lt"


@dataclass(frozen=True)
class Condition:
    key: str
    op: Op
    value: Any


def check_keys(keys: Sequence[str], field: str) -> None:
    if len(keys) > MAX_TERMS:
        raise InvalidArgument(f"{field} lists {len(keys)} entries; at most {MAX_TERMS}")
    for key in keys:
        if not key or len(key) > MAX_KEY:
            raise InvalidArgument(
                f"{field}: attribute keys must have 1 to {MAX_KEY} characters, got {key!r}",
                field=field,
            )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def compare(actual: Any, op: Op, wanted: Any) -> bool:
    if actual is None:
        return False
    a, w = _number(actual), _number(wanted)
    numeric = (
        a is not None
        and w is not None
        and not (isinstance(actual, str) and isinstance(wanted, str))
    )
    if numeric:
        assert a is not None and w is not None
        return {Op.EQ: a == w, Op.NE: a != w, Op.GT: a > w, Op.LT: a < w}[op]
    if isinstance(actual, bool) or isinstance(wanted, bool):
        same = str(actual).lower() == str(wanted).lower()
        return same if op is Op.EQ else (not same if op is Op.NE else False)
    if isinstance(actual, str) and isinstance(wanted, str):
        return {
            Op.EQ: actual == wanted,
            Op.NE: actual != wanted,
            Op.GT: actual > wanted,
            Op.LT: actual < wanted,
        }[op]
    if op is Op.EQ:
        return bool(actual == wanted)
    if op is Op.NE:
        return bool(actual != wanted)
    return False


def matches(lookup: Callable[[str], Any], conditions: Sequence[Condition]) -> bool:
    """Whether every condition holds for a record whose attributes `lookup` reads."""
    return all(compare(lookup(c.key), c.op, c.value) for c in conditions)
