"""The dataset IO domain: what a dataset is to a provider, and a page of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DatasetSpec", "Page", "Row"]

#: A row: JSON-like values (str, float, bool, None, lists, dicts).
Row = dict[str, Any]


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset being registered: the provider's id for it, its purpose (the reference's
    name, `eval/question-answer`; "" when unspecified) and its source (a URI or rows)."""

    dataset_id: str
    identifier: str
    purpose: str
    uri: str = ""
    rows: list[Row] | None = None


@dataclass
class Page:
    rows: list[Row] = field(default_factory=list)
    has_more: bool = False
