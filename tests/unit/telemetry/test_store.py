"""The telemetry logic on both stores (SQLite file, real Redis): OTLP in, Llama Stack queries
out, log events, metrics, retention, bad input."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from services.common.errors import InvalidArgument, NotFound
from services.telemetry.filters import Condition, Op
from services.telemetry.metrics_query import LabelMatcher, MatchOp
from services.telemetry.otlp import DeltaTracker, points_from_otlp, spans_from_otlp
from services.telemetry.providers.meta_reference.provider import MetaReferenceProvider
from services.telemetry.service import TelemetryLogic
from services.telemetry.types import LogEvent
from services.telemetry.types import Status as SpanStatus

S = 10**9


class _Host:
    def __init__(self, provider: MetaReferenceProvider) -> None:
        self.provider = provider

    def pick(self, provider_id=None, resource_id=""):
        return self.provider


@pytest.fixture(params=["sqlite", "redis"])
async def logic(request, tmp_path):
    if request.param == "sqlite":
        store = {"type": "sqlite", "db_path": str(tmp_path / "tel.db")}
    else:
        url = request.getfixturevalue("redis_url")
        store = {"type": "redis", "url": url, "namespace": f"t{uuid.uuid4().hex[:8]}"}
    provider = MetaReferenceProvider(
        "meta-reference", {"store": store, "retention": {"max_traces": 10}}
    )
    await provider.initialize()
    yield TelemetryLogic(_Host(provider), gateway=None)  # type: ignore[arg-type]
    await provider.shutdown()


def _trace(service: str = "gateway", fail: bool = False, **root_attrs):
    """A root SERVER span, a CLIENT child and an INTERNAL grandchild (error when `fail`)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    leaf_attrs = {"gen_ai.request.model": "m", "gen_ai.usage.output_tokens": 7}
    with (
        tracer.start_as_current_span("root", kind=SpanKind.SERVER, attributes=root_attrs),
        tracer.start_as_current_span("hop", kind=SpanKind.CLIENT),
        tracer.start_as_current_span("chat m", attributes=leaf_attrs) as leaf,
    ):
        if fail:
            leaf.record_exception(ValueError("boom"))
            leaf.set_status(Status(StatusCode.ERROR, "boom"))
    return encode_spans(exporter.get_finished_spans()), exporter.get_finished_spans()


async def _ingest(logic: TelemetryLogic, request) -> None:
    await logic.store().add_spans(spans_from_otlp(request, logic.expires()))


async def test_a_trace_round_trips(logic):
    request, sdk = _trace(fail=True, route="/v1/chat")
    await _ingest(logic, request)
    root = next(s for s in sdk if s.name == "root")
    trace_id = format(root.context.trace_id, "032x")
    t = await logic.get_trace(trace_id)
    assert t.root_span_id == format(root.context.span_id, "016x")
    assert (t.root_name, t.span_count, t.error, t.root_service) == ("root", 3, True, "gateway")
    assert t.start_ns <= t.end_ns
    leaf = next(s for s in sdk if s.name == "chat m")
    span = await logic.get_span(trace_id, format(leaf.context.span_id, "016x"))
    assert span.status is SpanStatus.ERROR and span.status_message == "boom"
    assert span.kind == "internal" and span.service == "gateway"
    assert [e.name for e in span.events] == ["exception"]
    assert span.attributes["gen_ai.usage.output_tokens"] == 7
    # Ingesting the same spans again changes nothing (exporters retry).
    await _ingest(logic, request)
    assert (await logic.get_trace(trace_id)).span_count == 3


async def test_span_tree_depth_and_attributes(logic):
    request, sdk = _trace()
    await _ingest(logic, request)
    root = format(next(s for s in sdk if s.name == "root").context.span_id, "016x")
    assert len(await logic.span_tree(root, [], None)) == 3
    assert [s.name for s in await logic.span_tree(root, [], 1)] == ["root", "hop"]
    (only,) = await logic.span_tree(root, ["gen_ai.request.model"], 0)
    assert only.attributes == {}
    leafs = [s for s in await logic.span_tree(root, ["gen_ai.request.model"], None) if s.attributes]
    assert [s.attributes for s in leafs] == [{"gen_ai.request.model": "m"}]
    with pytest.raises(NotFound):
        await logic.span_tree("0" * 16, [], None)
    with pytest.raises(InvalidArgument, match="max_depth"):
        await logic.span_tree(root, [], -1)


async def test_query_traces_filters_orders_and_pages(logic):
    ids = []
    for i in range(4):
        request, sdk = _trace(route=f"/r{i % 2}", n=i)
        await _ingest(logic, request)
        ids.append(format(sdk[-1].context.trace_id, "032x"))
        await asyncio.sleep(0.002)
    newest_first, more = await logic.query_traces([], 3, 0, [])
    assert [t.trace_id for t in newest_first] == ids[::-1][:3] and more
    rest, more = await logic.query_traces([], 3, 3, [])
    assert [t.trace_id for t in rest] == ids[:1] and not more
    oldest, _ = await logic.query_traces([], 2, 0, ["start_time"])
    assert [t.trace_id for t in oldest] == ids[:2]
    r1, _ = await logic.query_traces([Condition("route", Op.EQ, "/r1")], 10, 0, [])
    assert [t.trace_id for t in r1] == [ids[3], ids[1]]
    late, _ = await logic.query_traces([Condition("n", Op.GT, 1)], 10, 1, ["-end_time"])
    assert [t.trace_id for t in late] == [ids[2]]
    with pytest.raises(InvalidArgument, match="order_by"):
        await logic.query_traces([], 10, 0, ["duration"])
    with pytest.raises(InvalidArgument, match="limit"):
        await logic.query_traces([], 5000, 0, [])
    with pytest.raises(NotFound):
        await logic.get_trace("f" * 32)


async def test_query_spans_by_attributes_and_depth(logic):
    for model_fail in (False, True):
        request, _ = _trace(fail=model_fail)
        await _ingest(logic, request)
    spans = await logic.query_spans([], ["gen_ai.usage.output_tokens"], None, 0)
    assert len(spans) == 2 and all(s.attributes == {"gen_ai.usage.output_tokens": 7} for s in spans)
    model = [Condition("gen_ai.request.model", Op.EQ, "m"), Condition("name", Op.EQ, "chat m")]
    assert len(await logic.query_spans(model, ["gen_ai.request.model"], None, 1)) == 1
    assert await logic.query_spans(model, ["gen_ai.request.model"], 1, 0) == []  # depth 2
    assert len(await logic.query_spans(model, ["gen_ai.request.model"], 2, 0)) == 2
    gateway = [Condition("service.name", Op.EQ, "gateway")]
    assert len(await logic.query_spans(gateway, ["gen_ai.request.model"], None, 0)) == 2


async def test_log_events_build_spans_logs_and_metrics(logic):
    tid, sid, now = uuid.uuid4().hex, uuid.uuid4().hex[:16], time.time_ns()
    base = {"trace_id": tid, "span_id": sid}
    await logic.log_event(None, LogEvent("span_start", time_ns=now, name="turn", **base), 0)
    await logic.log_event(
        None, LogEvent("log", time_ns=now + 5, message="hello", severity="info", **base), 60
    )
    open_span = await logic.get_span(tid, sid)
    assert open_span.end_ns == 0 and open_span.status is SpanStatus.UNSET
    await logic.log_event(
        None, LogEvent("span_end", time_ns=now + 10, status=SpanStatus.ERROR, **base), 0
    )
    span = await logic.get_span(tid, sid)
    assert span.end_ns == now + 10 and span.status is SpanStatus.ERROR
    assert [(e.name, e.attributes["message"]) for e in span.events] == [("log", "hello")]
    await logic.log_event(
        None,
        LogEvent(
            "metric",
            time_ns=now,
            metric="score",
            value=0.5,
            unit="1",
            attributes={"model": "m"},
            **base,
        ),
        0,
    )
    (series,) = await logic.query_metrics("score", now - S, now + S, "", True, [])
    assert series.values[0][1] == 0.5 and series.labels == {"model": "m"}
    with pytest.raises(NotFound, match="never started"):
        await logic.log_event(None, LogEvent("span_end", tid, "ab" * 8, now), 0)
    with pytest.raises(InvalidArgument, match="trace_id"):
        await logic.log_event(None, LogEvent("log", "bad id!", sid, now), 0)
    with pytest.raises(InvalidArgument, match="ttl_seconds"):
        await logic.log_event(None, LogEvent("log", tid, sid, now), -1)


def _metrics(temporality: AggregationTemporality):
    reader = InMemoryMetricReader(
        preferred_temporality={Counter: temporality, Histogram: temporality}
    )
    provider = MeterProvider(
        resource=Resource.create({"service.name": "inference"}), metric_readers=[reader]
    )
    return provider.get_meter("t"), reader


@pytest.mark.parametrize(
    "temporality", [AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE]
)
async def test_metrics_from_otlp_are_queryable(logic, temporality):
    meter, reader = _metrics(temporality)
    tokens = meter.create_counter("completion_tokens")
    ttft = meter.create_histogram(
        "gen_ai.server.time_to_first_token",
        unit="s",
        explicit_bucket_boundaries_advisory=[0.01, 0.06, 0.1, 1.0],
    )
    tracker = DeltaTracker()
    start = time.time_ns() - S
    for batch in ([5, 7], [11]):
        for n in batch:
            tokens.add(n, {"gen_ai.request.model": "m"})
            ttft.record(n / 100, {"gen_ai.request.model": "m"})
        points = points_from_otlp(encode_metrics(reader.get_metrics_data()), tracker)
        await logic.store().add_points(points)
    end = time.time_ns() + S
    (total,) = await logic.query_metrics("completion_tokens", start, end, "", True, [])
    assert total.values[0][1] == 23  # cumulative points were turned into deltas
    assert total.labels == {"gen_ai.request.model": "m", "service.name": "inference"}
    (count,) = await logic.query_metrics(
        "gen_ai.server.time_to_first_token.count", start, end, "", True, []
    )
    assert count.values[0][1] == 3
    (p50,) = await logic.query_metrics(
        "gen_ai.server.time_to_first_token.p50", start, end, "", True, []
    )
    assert 0.06 <= p50.values[0][1] <= 0.1  # in the bucket holding the middle value
    ranged = await logic.query_metrics("completion_tokens", start, end, "1s", False, [])
    assert sum(v for _, v in ranged[0].values) == 23
    other = [LabelMatcher("service.name", "gateway", MatchOp.EQ)]
    assert await logic.query_metrics("completion_tokens", start, end, "", True, other) == []
    assert await logic.query_metrics("no.such.metric", start, end, "", True, []) == []
    with pytest.raises(InvalidArgument, match="end_time"):
        await logic.query_metrics("completion_tokens", end, start, "", True, [])


async def test_retention_keeps_the_newest_traces(logic):
    ids = []
    for _ in range(12):
        request, sdk = _trace()
        await _ingest(logic, request)
        ids.append(format(sdk[-1].context.trace_id, "032x"))
        await asyncio.sleep(0.002)
    await logic.host.provider.prune()  # max_traces 10
    kept, _ = await logic.query_traces([], 100, 0, ["start_time"])
    assert [t.trace_id for t in kept] == ids[2:]
    with pytest.raises(NotFound):
        await logic.get_trace(ids[0])
    # Expired spans go too.
    await logic.store().prune(time.time_ns() + 10**18, 0, 10, 100)
    assert (await logic.query_traces([], 100, 0, []))[0] == []


def test_the_store_follows_the_metadata_store_by_default(tmp_path, monkeypatch):
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(
        "image_name: demo\nmetadata_store: {type: redis, url: 'redis://r:6379/0', namespace: ns}\n"
    )
    monkeypatch.setenv("LLS_RUN_CONFIG", str(run_yaml))
    monkeypatch.setenv("LLS_STATE_DIR", str(tmp_path / "state"))
    redis = MetaReferenceProvider("t", {})
    assert (redis.store_config.type, redis.store_config.url) == ("redis", "redis://r:6379/0")
    assert redis.store_config.namespace == "ns"
    run_yaml.write_text("image_name: demo\n")
    sqlite = MetaReferenceProvider("t", {})
    assert sqlite.store_config.type == "sqlite"
    assert sqlite._default_db == tmp_path / "state" / "demo" / "telemetry.db"
