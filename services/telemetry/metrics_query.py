"""`query_metrics`: stored points grouped by label set, aggregated per time bucket.

Per bucket, a counter (sum) adds its points, a gauge keeps its last point, and a histogram
gives the mean of what was recorded, or, when the metric name ends with `.count`, `.sum`,
`.min`, `.max`, `.avg` or `.p50`/`.p90`/`.p95`/`.p99` (and the name without it is a
histogram), that statistic (quantiles are estimated from the buckets, as Prometheus'
`histogram_quantile` does). An instant query gives one value per series over the whole
range. Without a granularity, a range query picks the finest of 1m, 5m, 15m, 1h, 6h, 1d,
7d, 30d giving at most 1000 buckets; an explicit one may give at most 10000.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from services.common.errors import InvalidArgument
from services.telemetry.types import MetricKind, MetricPoint

__all__ = [
    "AGGREGATIONS",
    "LabelMatcher",
    "MatchOp",
    "Series",
    "aggregate",
    "parse_granularity",
]

#: Most buckets one range query may ask for.
MAX_BUCKETS = 10_000
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_GRANULARITY = re.compile(r"^([1-9][0-9]{0,6})([smhd])$")
AGGREGATIONS = ("count", "sum", "min", "max", "avg", "p50", "p90", "p95", "p99")


class MatchOp(StrEnum):
    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


@dataclass(frozen=True)
class LabelMatcher:
    name: str
    value: str
    op: MatchOp

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidArgument("label_matchers: a matcher has no label name")
        if self.op in (MatchOp.RE, MatchOp.NRE):
            try:
                object.__setattr__(self, "_re", re.compile(self.value))
            except re.error as exc:
                raise InvalidArgument(
                    f"label_matchers: {self.name} {self.op} {self.value!r} is not a valid "
                    f"regular expression: {exc}",
                    field="label_matchers",
                ) from None

    def match(self, labels: dict[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self.op is MatchOp.EQ:
            return value == self.value
        if self.op is MatchOp.NE:
            return value != self.value
        hit = self.__dict__["_re"].fullmatch(value) is not None
        return hit if self.op is MatchOp.RE else not hit


@dataclass
class Series:
    labels: dict[str, str]
    unit: str
    #: (timestamp ns, value), oldest first.
    values: list[tuple[int, float]] = field(default_factory=list)


#: What an empty granularity becomes: the first of these giving at most AUTO_BUCKETS buckets.
_AUTO = ("1m", "5m", "15m", "1h", "6h", "1d", "7d", "30d")
AUTO_BUCKETS = 1000


def parse_granularity(text: str, span_ns: int = 0) -> int:
    """`30s`, `1m`, `5m`, `1h`, `1d` -> nanoseconds; empty: the finest of 1m, 5m, 15m, 1h,
    6h, 1d, 7d, 30d that cuts `span_ns` into at most 1000 buckets."""
    if not text.strip():
        steps = [parse_granularity(g) for g in _AUTO]
        return next((g for g in steps if span_ns // g <= AUTO_BUCKETS), steps[-1])
    m = _GRANULARITY.match(text.strip())
    if not m:
        raise InvalidArgument(
            f"granularity {text!r} is not a duration like 30s, 1m, 1h or 1d",
            field="granularity",
        )
    return int(m.group(1)) * _UNITS[m.group(2)] * 10**9


def _quantile(
    q: float, bounds: list[float], counts: list[int], lo: float | None, hi: float | None
) -> float | None:
    total = sum(counts)
    if total == 0 or len(counts) != len(bounds) + 1:
        return None
    rank, seen = q * total, 0.0
    for i, n in enumerate(counts):
        if n and seen + n >= rank:
            lower = bounds[i - 1] if i > 0 else (lo if lo is not None else min(0.0, bounds[0]))
            upper = bounds[i] if i < len(bounds) else (hi if hi is not None else bounds[-1])
            if lo is not None:
                lower = max(lower, lo)
            if hi is not None:
                upper = min(upper, hi)
            return lower + (upper - lower) * ((rank - seen) / n)
        seen += n
    return hi


def _reduce(points: list[MetricPoint], stat: str | None) -> float | None:
    kind = points[0].kind
    if kind is MetricKind.SUM:
        return sum(p.value for p in points)
    if kind is MetricKind.GAUGE:
        return points[-1].value
    count = sum(p.count for p in points)
    total = sum(p.value for p in points)
    if stat == "count":
        return float(count)
    if stat == "sum":
        return total
    if stat in ("min", "max"):
        vals = [getattr(p, stat) for p in points if getattr(p, stat) is not None]
        return (min(vals) if stat == "min" else max(vals)) if vals else None
    if stat is not None and stat.startswith("p"):
        bounds = points[-1].bounds
        same = [p for p in points if p.bounds == bounds and p.counts]
        if not same:
            return None
        counts = [sum(c) for c in zip(*(p.counts for p in same), strict=True)]
        mins = [p.min for p in same if p.min is not None]
        maxs = [p.max for p in same if p.max is not None]
        return _quantile(
            int(stat[1:]) / 100, bounds, counts, min(mins, default=None), max(maxs, default=None)
        )
    return total / count if count else None


def aggregate(
    points: Sequence[MetricPoint],
    start_ns: int,
    end_ns: int,
    step_ns: int | None,
    matchers: Sequence[LabelMatcher] = (),
    stat: str | None = None,
) -> list[Series]:
    """Series per label set: one value per `step_ns` bucket (from `start_ns`), or one value
    for the whole range when `step_ns` is None (an instant query)."""
    if step_ns is not None and (end_ns - start_ns) // step_ns > MAX_BUCKETS:
        raise InvalidArgument(
            f"the range holds more than {MAX_BUCKETS} buckets of that granularity; use a "
            "coarser granularity or a shorter range",
            field="granularity",
        )
    groups: dict[tuple[tuple[str, str], ...], list[MetricPoint]] = defaultdict(list)
    for p in points:
        if all(m.match(p.labels) for m in matchers):
            groups[tuple(sorted(p.labels.items()))].append(p)
    out = []
    for key, pts in sorted(groups.items()):
        buckets: dict[int, list[MetricPoint]] = defaultdict(list)
        for p in pts:
            at = (
                end_ns
                if step_ns is None
                else start_ns + (p.time_ns - start_ns) // step_ns * step_ns
            )
            buckets[at].append(p)
        series = Series(dict(key), pts[0].unit)
        for at in sorted(buckets):
            value = _reduce(buckets[at], stat)
            if value is not None:
                series.values.append((at, value))
        if series.values:
            out.append(series)
    return out
