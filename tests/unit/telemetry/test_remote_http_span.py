"""A remote provider's HTTP call is a child span of its GenAI span (the aiohttp trace config
`services.common.telemetry.setup` makes when traces are on)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.common.telemetry.genai import GenAIInstruments, GenAIOperation
from services.common.telemetry.http_client import trace_config
from services.inference.providers.openai_compat.http import OpenAIHttp


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        body = json.dumps({"traceparent": self.headers.get("traceparent")}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


async def test_the_http_call_is_a_child_of_the_provider_span(server):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    http = OpenAIHttp("vllm", server, None, True, 10.0, 5.0, [trace_config(tracer)])
    ins = GenAIInstruments(tracer, None)
    with GenAIOperation(ins, "chat", "m", "vllm", "remote::vllm", {}):
        answer = await http.post("chat/completions", {"model": "m"})
    await http.close()
    genai = next(s for s in exporter.get_finished_spans() if s.name == "chat m")
    (call,) = [s for s in exporter.get_finished_spans() if s is not genai]
    assert genai.kind is SpanKind.CLIENT and call.kind is SpanKind.CLIENT
    assert call.parent.span_id == genai.context.span_id
    # The remote server got the HTTP span's context: a remote trace would join ours.
    assert answer["traceparent"].split("-")[2] == format(call.context.span_id, "016x")
