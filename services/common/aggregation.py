"""Aggregations of per-row scores (the reference's `accuracy`, `average`, `median`,
`categorical_count`, `weighted_average`), shared by the scoring providers and by eval jobs,
which score row by row and aggregate once at the end.

A score row is a dict with at least `score`; rows whose `score` is None (a judge that
failed on that row) are left out of every aggregate and counted in `num_errors`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from llamastack.common.v1 import scoring_pb2
from services.common import descriptors

__all__ = ["AGGREGATIONS", "aggregate", "aggregation_names"]

Row = Mapping[str, Any]


def _numbers(rows: Sequence[Row], name: str) -> list[float]:
    out = []
    for row in rows:
        score = row["score"]
        if isinstance(score, bool):
            score = float(score)
        if not isinstance(score, int | float):
            raise ValueError(
                f"{name} needs numeric scores, got {score!r}; use categorical_count for labels"
            )
        out.append(float(score))
    return out


def _accuracy(rows: Sequence[Row]) -> dict[str, Any]:
    scores = _numbers(rows, "accuracy")
    correct = sum(scores)
    return {
        "accuracy": correct / len(scores) if scores else 0.0,
        "num_correct": correct,
        "num_total": len(scores),
    }


def _average(rows: Sequence[Row]) -> dict[str, Any]:
    scores = _numbers(rows, "average")
    return {"average": statistics.fmean(scores) if scores else 0.0}


def _median(rows: Sequence[Row]) -> dict[str, Any]:
    scores = _numbers(rows, "median")
    return {"median": statistics.median(scores) if scores else 0.0}


def _weighted_average(rows: Sequence[Row]) -> dict[str, Any]:
    scores = _numbers(rows, "weighted_average")
    weights = [float(row.get("weight", 1.0) or 0.0) for row in rows]
    total = sum(weights)
    value = sum(s * w for s, w in zip(scores, weights, strict=True)) / total if total else 0.0
    return {"weighted_average": value}


def _categorical_count(rows: Sequence[Row]) -> dict[str, Any]:
    counts = Counter(_label(row["score"]) for row in rows)
    return {"categorical_count": dict(sorted(counts.items()))}


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Aggregation name (the reference's, and `AggregationFunction` without its prefix) ->
#: function of the rows that have a score.
AGGREGATIONS: dict[str, Callable[[Sequence[Row]], dict[str, Any]]] = {
    "accuracy": _accuracy,
    "average": _average,
    "median": _median,
    "categorical_count": _categorical_count,
    "weighted_average": _weighted_average,
}


_AGG = scoring_pb2.AggregationFunction
_AGG_PREFIX = descriptors.enum_prefix(_AGG.DESCRIPTOR) + "_"


def aggregation_names(params: scoring_pb2.ScoringFnParams) -> list[str]:
    """The aggregations `params` name (unset values skipped), as names of `AGGREGATIONS`."""
    which = params.WhichOneof("params")
    if which is None:
        return []
    return [
        _AGG.Name(a).removeprefix(_AGG_PREFIX).lower()
        for a in getattr(params, which).aggregation_functions
        if a
    ]


def aggregate(names: Iterable[str], rows: Sequence[Row]) -> dict[str, Any]:
    """`{name: {...}}` for each aggregation; `num_errors` when rows had no score."""
    scored = [r for r in rows if r.get("score") is not None]
    out: dict[str, Any] = {}
    for name in names:
        fn = AGGREGATIONS.get(name)
        if fn is None:
            raise ValueError(f"unknown aggregation {name!r}; known: {', '.join(AGGREGATIONS)}")
        out[name] = fn(scored)
    if len(scored) < len(rows):
        out["num_errors"] = len(rows) - len(scored)
    return out
