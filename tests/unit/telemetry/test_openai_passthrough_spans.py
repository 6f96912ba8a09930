"""OpenAI requests passed through to a remote provider get the same GenAI span as native
calls (`services.inference.openai.service`)."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.common import telemetry
from services.common.telemetry.genai import GenAIInstruments
from services.inference.openai.service import Call, OpenAIService


class _Remote:
    provider_id, provider_type = "vllm", "remote::vllm"

    async def openai_request(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "choices": [{"finish_reason": "stop"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 4},
        }

    async def openai_stream(self, endpoint: str, body: dict[str, Any]):
        yield {"choices": [{"delta": {"content": "hi"}}]}
        yield {
            "choices": [{"finish_reason": "length"}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 2},
        }


@pytest.fixture
def spans(monkeypatch):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    state = telemetry._State(
        sdk=None,  # type: ignore[arg-type]
        server=[],
        client=[],
        genai=GenAIInstruments(provider.get_tracer("t"), None),
        hop=None,
        http=[],
        to_itself=False,
    )
    monkeypatch.setattr(telemetry, "_state", state)
    return exporter


async def test_unary_and_streamed_passthrough_calls_are_genai_spans(spans):
    service = OpenAIService(host=None, inference=None)  # type: ignore[arg-type]
    call = Call("vllm", "vllm/m")
    body = {"model": "m", "max_tokens": 16}
    await service._request(_Remote(), "chat/completions", call, body)
    chunks = [c async for c in service._stream(_Remote(), "completions", call, body)]
    assert [c["model"] for c in chunks] == ["vllm/m", "vllm/m"]
    unary, stream = spans.get_finished_spans()
    assert unary.name == "chat m" and stream.name == "text_completion m"
    assert unary.attributes["gen_ai.provider.name"] == "vllm"
    assert unary.attributes["gen_ai.request.max_tokens"] == 16
    assert (
        unary.attributes["gen_ai.usage.input_tokens"],
        unary.attributes["gen_ai.usage.output_tokens"],
    ) == (9, 4)
    assert unary.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert stream.attributes["gen_ai.usage.output_tokens"] == 2
    assert stream.attributes["gen_ai.response.finish_reasons"] == ("length",)
