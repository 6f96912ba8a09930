"""GenAI spans and metrics of model calls (`services.common.telemetry.genai`)."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from services.common import telemetry
from services.common.telemetry.genai import GenAIInstruments, GenAIOperation


@pytest.fixture
def instruments():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter = MeterProvider(metric_readers=[reader]).get_meter("test")
    return GenAIInstruments(provider.get_tracer("test"), meter), exporter, reader


def _metrics(reader) -> dict[str, list]:
    data = reader.get_metrics_data()
    out: dict[str, list] = {}
    for rm in data.resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                out[m.name] = list(m.data.data_points)
    return out


def _op(ins, provider_type="inline::llama-cpp", **request):
    return GenAIOperation(ins, "chat", "SmolLM2", "llama-cpp", provider_type, request)


def test_a_unary_call_has_the_semantic_convention_attributes(instruments):
    ins, exporter, reader = instruments
    with _op(ins, **{"gen_ai.request.max_tokens": 16, "gen_ai.request.temperature": 0.0}) as op:
        op.usage(12, 5, ["end_of_turn", ""])
    (span,) = exporter.get_finished_spans()
    assert span.name == "chat SmolLM2" and span.kind is SpanKind.INTERNAL
    a = span.attributes
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.request.model"] == "SmolLM2"
    assert a["gen_ai.provider.name"] == "llama-cpp"
    assert a["gen_ai.usage.input_tokens"] == 12 and a["gen_ai.usage.output_tokens"] == 5
    assert a["gen_ai.response.finish_reasons"] == ("end_of_turn",)
    assert a["gen_ai.request.max_tokens"] == 16
    assert "gen_ai.request.temperature" not in a  # unset (zero) values are left out
    metrics = _metrics(reader)
    assert metrics["prompt_tokens"][0].value == 12
    assert metrics["completion_tokens"][0].value == 5
    assert metrics["total_tokens"][0].value == 17
    assert "gen_ai.server.time_to_first_token" not in metrics  # only streams have a first token
    assert metrics["llamastack.inference.tokens_per_second"][0].count == 1


async def test_a_stream_records_time_to_first_token_and_is_current_while_producing(instruments):
    ins, exporter, reader = instruments
    seen = []

    async def provider():
        from opentelemetry import trace

        for i in range(3):
            seen.append(trace.get_current_span().get_span_context().span_id)
            yield i

    op = _op(ins, provider_type="remote::vllm")
    items = [i async for i in op.stream(provider())]
    op.usage(3, 3)  # the service reports usage from the stream's end item
    assert items == [0, 1, 2]
    (span,) = exporter.get_finished_spans()
    assert span.kind is SpanKind.CLIENT  # a remote provider
    assert set(seen) == {span.context.span_id}
    metrics = _metrics(reader)
    assert metrics["gen_ai.server.time_to_first_token"][0].count == 1


async def test_a_failing_stream_marks_the_span_and_records_no_tokens(instruments):
    ins, exporter, reader = instruments

    async def provider():
        yield 1
        raise ValueError("prompt too long")

    op = _op(ins)
    with pytest.raises(ValueError):
        async for _ in op.stream(provider()):
            pass
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert "prompt too long" in span.status.description
    assert "prompt_tokens" not in (_metrics(reader) if reader.get_metrics_data() else {})


async def test_a_stream_closed_after_its_end_is_a_success(instruments):
    ins, exporter, reader = instruments

    async def provider():
        yield "delta"
        yield "end"

    op = _op(ins)
    stream = op.stream(provider())
    assert await anext(stream) == "delta"
    assert await anext(stream) == "end"
    op.usage(4, 1, ["end_of_turn"])  # the service saw the end item
    await stream.aclose()
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.UNSET
    assert _metrics(reader)["completion_tokens"][0].value == 1


async def test_a_stream_closed_early_ends_the_span(instruments):
    ins, exporter, _ = instruments

    async def provider():
        for i in range(10):
            yield i

    stream = _op(ins).stream(provider())
    assert await anext(stream) == 0
    await stream.aclose()
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR


async def test_with_telemetry_off_operations_do_nothing():
    assert not telemetry.active()

    class P:
        provider_id, provider_type = "p", "inline::x"

    op = telemetry.operation("chat", "m", P())

    async def items():
        yield 1

    source = items()
    assert op.stream(source) is source  # no wrapper at all
    with op as same:
        same.usage(1, 2, ["x"])
