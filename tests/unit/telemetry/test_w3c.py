"""W3C trace context in gRPC metadata (`services.common.telemetry.w3c`) agrees with the
OpenTelemetry propagators."""

from __future__ import annotations

import pytest
from opentelemetry import baggage, propagate, trace

from services.common.telemetry import w3c

TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.mark.parametrize(
    "carrier",
    [
        {"traceparent": TP},
        {"traceparent": TP, "tracestate": "a=1,b=2", "baggage": "user=alice"},
        {"traceparent": TP.replace("-01", "-00")},
        {"traceparent": "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"},
        {"traceparent": "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
        {"traceparent": "garbage"},
        {"baggage": "k=v"},
        {},
    ],
)
def test_extract_matches_the_generic_propagators(carrier):
    mine, theirs = w3c.extract(carrier), propagate.extract(carrier)
    a = trace.get_current_span(mine).get_span_context()
    b = trace.get_current_span(theirs).get_span_context()
    assert (a.trace_id, a.span_id, a.trace_flags, a.is_valid) == (
        b.trace_id,
        b.span_id,
        b.trace_flags,
        b.is_valid,
    )
    assert dict(a.trace_state or {}) == dict(b.trace_state or {})
    assert baggage.get_all(mine) == baggage.get_all(theirs)


def test_inject_matches_the_generic_propagators():
    context = propagate.extract({"traceparent": TP, "tracestate": "a=1", "baggage": "user=alice"})
    span_context = trace.get_current_span(context).get_span_context()
    theirs: dict[str, str] = {}
    propagate.inject(theirs, context=context)
    assert w3c.inject(span_context, context) == theirs


def test_other_propagators_turn_the_fast_path_off(monkeypatch):
    assert w3c.default()
    monkeypatch.setenv("OTEL_PROPAGATORS", "b3")
    assert not w3c.default()
