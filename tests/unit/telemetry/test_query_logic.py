"""Filters and metric aggregation (pure logic)."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.telemetry.filters import Condition, Op, compare, matches
from services.telemetry.metrics_query import (
    LabelMatcher,
    MatchOp,
    aggregate,
    parse_granularity,
)
from services.telemetry.types import MetricKind, MetricPoint

S = 10**9


@pytest.mark.parametrize(
    ("actual", "op", "wanted", "result"),
    [
        ("a", Op.EQ, "a", True),
        ("a", Op.NE, "b", True),
        (5, Op.GT, 3, True),
        (5.0, Op.EQ, 5, True),
        ("5", Op.EQ, 5, True),  # a numeric string against a number: numbers
        ("10", Op.GT, "9", False),  # two strings: lexical
        (True, Op.EQ, True, True),
        (True, Op.EQ, "true", True),
        (True, Op.GT, False, False),
        (None, Op.NE, "x", False),  # missing never matches
        ([1, 2], Op.EQ, [1, 2], True),
    ],
)
def test_compare(actual, op, wanted, result):
    assert compare(actual, op, wanted) is result


def test_matches_needs_every_condition():
    attrs = {"model": "m", "tokens": 12}
    conds = [Condition("model", Op.EQ, "m"), Condition("tokens", Op.LT, 20)]
    assert matches(attrs.get, conds)
    assert not matches(attrs.get, [*conds, Condition("missing", Op.NE, "x")])


def _pt(t: int, value: float, kind=MetricKind.SUM, **labels) -> MetricPoint:
    return MetricPoint("m", {"svc": "a", **labels}, kind, "1", t * S, value)


def test_sums_add_up_per_bucket_and_label_set():
    points = [_pt(1, 2), _pt(50, 3), _pt(70, 4), _pt(10, 1, svc="b")]
    series = aggregate(points, 0, 120 * S, 60 * S)
    assert [(s.labels["svc"], s.values) for s in series] == [
        ("a", [(0, 5.0), (60 * S, 4.0)]),
        ("b", [(0, 1.0)]),
    ]
    (instant,) = aggregate(points, 0, 120 * S, None, [LabelMatcher("svc", "a", MatchOp.EQ)])
    assert instant.values == [(120 * S, 9.0)]


def test_gauges_keep_the_last_value():
    points = [_pt(1, 2, MetricKind.GAUGE), _pt(5, 7, MetricKind.GAUGE)]
    assert aggregate(points, 0, 60 * S, 60 * S)[0].values == [(0, 7.0)]


def _hist(t: int, counts: list[int], total: float, lo: float, hi: float) -> MetricPoint:
    return MetricPoint("h", {}, MetricKind.HISTOGRAM, "s", t * S, total, sum(counts), lo, hi,
                       [0.1, 1.0], counts)  # fmt: skip


def test_histograms_give_the_mean_or_a_statistic():
    points = [_hist(1, [1, 1, 0], 0.6, 0.05, 0.55), _hist(2, [0, 2, 0], 1.0, 0.4, 0.6)]
    (mean,) = aggregate(points, 0, 60 * S, None)
    assert mean.values[0][1] == pytest.approx(1.6 / 4)
    assert aggregate(points, 0, 60 * S, None, stat="count")[0].values[0][1] == 4
    assert aggregate(points, 0, 60 * S, None, stat="max")[0].values[0][1] == 0.6
    p50 = aggregate(points, 0, 60 * S, None, stat="p50")[0].values[0][1]
    assert 0.1 <= p50 <= 0.6  # within the second bucket, clamped by the observed max
    p99 = aggregate(points, 0, 60 * S, None, stat="p99")[0].values[0][1]
    assert p50 <= p99 <= 0.6


def test_label_matchers_support_regular_expressions():
    points = [_pt(1, 1, svc="gateway"), _pt(1, 1, svc="inference"), _pt(1, 1, svc="telemetry")]
    found = aggregate(points, 0, 60 * S, None, [LabelMatcher("svc", "gate.*|inf.*", MatchOp.RE)])
    assert sorted(s.labels["svc"] for s in found) == ["gateway", "inference"]
    found = aggregate(points, 0, 60 * S, None, [LabelMatcher("svc", "gate.*", MatchOp.NRE)])
    assert sorted(s.labels["svc"] for s in found) == ["inference", "telemetry"]


@pytest.mark.parametrize("text", ["1", "5 m", "1w", "0m", "-1h"])
def test_bad_granularity_is_invalid(text):
    with pytest.raises(InvalidArgument, match="granularity"):
        parse_granularity(text)


def test_granularity_and_bucket_limit():
    assert parse_granularity("30s") == 30 * S and parse_granularity("1d") == 86400 * S
    assert parse_granularity("", 3600 * S) == 60 * S  # auto: at most 1000 buckets
    assert parse_granularity("", 30 * 86400 * S) == 3600 * S
    with pytest.raises(InvalidArgument, match="buckets"):
        aggregate([_pt(1, 1)], 0, 86400 * 365 * S, S)


def test_bad_regex_is_invalid():
    with pytest.raises(InvalidArgument, match="regular expression"):
        LabelMatcher("svc", "(", MatchOp.RE)
