"""The server interceptor and the client hop, on real in-process grpc.aio servers with an
in-memory span exporter: spans and their parents, statuses, what is not traced, W3C headers
across a forwarding hop, request metrics."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import SpanKind, StatusCode

from services.common.channels import SERVER_OPTIONS
from services.common.errors import NotFound
from services.common.interceptors import ErrorInterceptor, guard_stream, guard_unary
from services.common.telemetry.grpc_client import client_interceptors, hop
from services.common.telemetry.grpc_server import ServerTelemetry
from services.common.telemetry.rpc_metrics import RpcStats
from services.common.telemetry.sdk import ChosenIds, RootSampler

INFERENCE = "llamastack.inference.v1.InferenceService"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"


SAMPLERS: dict[int, RootSampler] = {}


def _tracer(ratio: float = 1.0):
    """A tracer as `sdk.build_sdk` makes it, recording into memory. `_server` gives the
    interceptor the same sampler, so its fast paths are the ones tested."""
    exporter = InMemorySpanExporter()
    sampler = RootSampler(ratio)
    provider = TracerProvider(sampler=ParentBased(sampler), id_generator=ChosenIds())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    SAMPLERS[id(tracer)] = sampler
    return tracer, exporter


async def _echo(request: bytes, context) -> bytes:
    md = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
    return json.dumps(md).encode()


async def _fail(request: bytes, context) -> bytes:
    raise NotFound("model 'nope' is not registered")


async def _stream(request: bytes, context):
    for i in range(3):
        yield str(i).encode()


async def _server(tracer, stats, handlers: dict[str, dict[str, grpc.RpcMethodHandler]]):
    telemetry = ServerTelemetry(tracer, stats, SAMPLERS.get(id(tracer)))
    server = grpc.aio.server(interceptors=[telemetry, ErrorInterceptor()], options=SERVER_OPTIONS)
    for service, methods in handlers.items():
        server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(service, methods)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


def _basic() -> dict[str, dict[str, grpc.RpcMethodHandler]]:
    unary, stream = grpc.unary_unary_rpc_method_handler, grpc.unary_stream_rpc_method_handler
    return {
        INFERENCE: {
            "ChatCompletion": unary(guard_unary(_echo)),
            "Fail": unary(guard_unary(_fail)),
            "StreamChatCompletion": stream(guard_stream(_stream)),
        },
        "grpc.health.v1.Health": {"Check": unary(guard_unary(_echo))},
        "llamastack.provider.v1.ProviderService": {"DescribeProviders": unary(guard_unary(_echo))},
        "llamastack.telemetry.v1.TelemetryService": {"QueryTraces": unary(guard_unary(_echo))},
    }


async def _finished(exporter: InMemorySpanExporter, n: int):
    for _ in range(200):
        if len(exporter.get_finished_spans()) >= n:
            break
        await asyncio.sleep(0.01)
    return exporter.get_finished_spans()


@pytest.fixture
async def served():
    tracer, exporter = _tracer()
    stats = RpcStats()
    server, address = await _server(tracer, stats, _basic())
    channel = grpc.aio.insecure_channel(address)
    channel.address = address
    yield channel, exporter, stats
    await channel.close()
    await server.stop(0)


async def test_a_call_with_a_traceparent_continues_the_callers_trace(served):
    channel, exporter, _ = served
    md = (("traceparent", TRACEPARENT), ("tracestate", "vendor=x"))
    await channel.unary_unary(f"/{INFERENCE}/ChatCompletion")(b"", metadata=md)
    (span,) = await _finished(exporter, 1)
    assert span.kind is SpanKind.SERVER
    assert span.name == f"{INFERENCE}/ChatCompletion"
    assert format(span.context.trace_id, "032x") == TRACEPARENT.split("-")[1]
    assert format(span.parent.span_id, "016x") == TRACEPARENT.split("-")[2]
    assert span.attributes["rpc.method"] == "ChatCompletion"
    assert span.attributes["rpc.grpc.status_code"] == 0
    assert span.status.status_code is StatusCode.UNSET
    assert span.context.trace_state.get("vendor") == "x"


async def test_a_failed_call_is_an_error_span_with_the_status(served):
    channel, exporter, stats = served
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await channel.unary_unary(f"/{INFERENCE}/Fail")(b"")
    assert err.value.code() is grpc.StatusCode.NOT_FOUND
    (span,) = await _finished(exporter, 1)
    assert span.parent is None  # no traceparent: a new trace
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description.startswith("NOT_FOUND: model 'nope'")
    assert span.attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
    data = stats.drain(Resource.create({}))
    names = {m.name for m in data.resource_metrics[0].scope_metrics[0].metrics}
    assert names == {
        "llamastack.requests",
        "llamastack.request.duration",
        "llamastack.request.errors",
    }


async def test_streams_are_one_span_each(served):
    channel, exporter, _ = served
    chunks = [c async for c in channel.unary_stream(f"/{INFERENCE}/StreamChatCompletion")(b"")]
    assert chunks == [b"0", b"1", b"2"]
    (span,) = await _finished(exporter, 1)
    assert span.name.endswith("/StreamChatCompletion")


async def test_health_and_telemetry_queries_are_not_traced_internal_calls_only_in_a_trace(served):
    channel, exporter, stats = served
    await channel.unary_unary("/grpc.health.v1.Health/Check")(b"")
    await channel.unary_unary("/llamastack.telemetry.v1.TelemetryService/QueryTraces")(b"")
    await channel.unary_unary("/llamastack.provider.v1.ProviderService/DescribeProviders")(b"")
    await asyncio.sleep(0.05)
    assert exporter.get_finished_spans() == ()
    md = (("traceparent", TRACEPARENT),)
    await channel.unary_unary("/llamastack.provider.v1.ProviderService/DescribeProviders")(
        b"", metadata=md
    )
    (span,) = await _finished(exporter, 1)
    assert span.name.startswith("llamastack.provider.v1.ProviderService")
    counted = {
        p.attributes["api"]
        for p in stats.drain(Resource.create({}))
        .resource_metrics[0]
        .scope_metrics[0]
        .metrics[0]
        .data.data_points
    }
    # Telemetry queries are counted, health checks and background internal calls are not.
    assert counted == {"telemetry", "provider"}


async def test_request_metrics_count_by_api_method_and_status(served):
    channel, _, stats = served
    for _ in range(3):
        await channel.unary_unary(f"/{INFERENCE}/ChatCompletion")(b"")
    await asyncio.sleep(0.05)  # the last call is counted after its answer left
    data = stats.drain(Resource.create({"service.name": "x"}))
    metrics = {m.name: m for m in data.resource_metrics[0].scope_metrics[0].metrics}
    (point,) = metrics["llamastack.requests"].data.data_points
    assert dict(point.attributes) == {
        "api": "inference",
        "method": "ChatCompletion",
        "status": "OK",
    }
    assert point.value == 3
    (hist,) = metrics["llamastack.request.duration"].data.data_points
    assert hist.count == 3 and sum(hist.bucket_counts) == 3 and hist.min <= hist.max
    assert stats.drain(Resource.create({})) is None  # deltas: drained


async def _forwarder(tracer, exporter):
    """A gateway-like server forwarding with `hop()` to a downstream echo server."""
    down, down_addr = await _server(tracer, None, _basic())
    down_channel = grpc.aio.insecure_channel(down_addr)
    forward_call = down_channel.unary_unary(f"/{INFERENCE}/ChatCompletion")

    async def forward(request: bytes, context) -> bytes:
        caller = tuple((k, v) for k, v in context.invocation_metadata() if k != "user-agent")
        with hop(tracer, f"/{INFERENCE}/ChatCompletion", caller) as h:
            return await forward_call(request, metadata=h.metadata)

    up, up_addr = await _server(
        tracer, None, {INFERENCE: {"ChatCompletion": grpc.unary_unary_rpc_method_handler(forward)}}
    )

    async def stop() -> None:
        await down_channel.close()
        await up.stop(0)
        await down.stop(0)

    return up_addr, stop


async def _call(address: str, md=()) -> dict:
    async with grpc.aio.insecure_channel(address) as channel:
        return json.loads(
            await channel.unary_unary(f"/{INFERENCE}/ChatCompletion")(b"", metadata=md)
        )


async def test_sampling_zero_records_nothing_but_propagates_the_decision():
    tracer, exporter = _tracer(ratio=0.0)
    address, stop = await _forwarder(tracer, exporter)
    try:
        seen = await _call(address)
        version, trace_id, _, flags = seen["traceparent"].split("-")
        assert version == "00" and int(trace_id, 16)  # a new trace...
        assert not int(flags, 16) & 1  # ...not sampled
        parent = f"00-{TRACE_ID}-b7ad6b7169203331-00"
        seen = await _call(address, (("traceparent", parent), ("tracestate", "v=1")))
        assert seen["traceparent"] == parent  # the caller's decision, passed on unchanged
        assert seen["tracestate"] == "v=1"
        await asyncio.sleep(0.05)
        assert exporter.get_finished_spans() == ()
    finally:
        await stop()


async def test_sampled_new_traces_keep_the_drawn_trace_id():
    tracer, exporter = _tracer(ratio=1.0)
    address, stop = await _forwarder(tracer, exporter)
    try:
        seen = await _call(address)
        spans = await _finished(exporter, 3)
        assert len({s.context.trace_id for s in spans}) == 1
        assert seen["traceparent"].split("-")[1] == format(spans[0].context.trace_id, "032x")
        assert int(seen["traceparent"].split("-")[3], 16) & 1  # sampled
    finally:
        await stop()


async def test_a_forwarding_hop_parents_its_client_span_and_keeps_the_w3c_headers():
    """caller → forwarder SERVER → forwarder CLIENT → downstream SERVER, one trace;
    tracestate and baggage arrive downstream."""
    tracer, exporter = _tracer()
    address, stop = await _forwarder(tracer, exporter)
    try:
        md = (("traceparent", TRACEPARENT), ("tracestate", "vendor=x"), ("baggage", "user=alice"))
        seen = await _call(address, md)
        spans = await _finished(exporter, 3)
        assert len(spans) == 3
        servers = sorted(
            (s for s in spans if s.kind is SpanKind.SERVER), key=lambda s: s.start_time
        )
        (client,) = [s for s in spans if s.kind is SpanKind.CLIENT]
        upstream, downstream = servers
        assert client.parent.span_id == upstream.context.span_id
        assert downstream.parent.span_id == client.context.span_id
        assert {s.context.trace_id for s in spans} == {int(TRACEPARENT.split("-")[1], 16)}
        # The caller's traceparent was replaced (one value, the client span's), not duplicated.
        trace_id = TRACEPARENT.split("-")[1]
        assert seen["traceparent"] == f"00-{trace_id}-{client.context.span_id:016x}-01"
        assert seen["tracestate"] == "vendor=x"
        assert seen["baggage"] == "user=alice"
    finally:
        await stop()


async def test_outside_a_request_calls_are_sent_untouched():
    tracer, exporter = _tracer()
    md = (("traceparent", TRACEPARENT), ("x", "y"))
    with hop(tracer, "/a.B/C", md) as h:
        assert h.metadata == md and h.span is None
    assert exporter.get_finished_spans() == ()


async def test_client_interceptors_trace_typed_calls_inside_a_request(served):
    channel, exporter, _ = served
    tracer, client_exporter = _tracer()
    address = channel.address
    async with grpc.aio.insecure_channel(address, interceptors=client_interceptors(tracer)) as ch:
        with tracer.start_as_current_span("request"):
            await ch.unary_unary(f"/{INFERENCE}/ChatCompletion")(b"")
            stream = ch.unary_stream(f"/{INFERENCE}/StreamChatCompletion")(b"")
            assert [c async for c in stream] == [b"0", b"1", b"2"]
            with pytest.raises(grpc.aio.AioRpcError):
                await ch.unary_unary(f"/{INFERENCE}/Fail")(b"")
    clients = [s for s in client_exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert [s.name.rsplit("/", 1)[1] for s in clients] == [
        "ChatCompletion",
        "StreamChatCompletion",
        "Fail",
    ]
    assert clients[-1].status.status_code is StatusCode.ERROR
    servers = await _finished(exporter, 3)  # a server span ends after its status was sent
    assert [s.parent.span_id for s in servers] == [c.context.span_id for c in clients]
