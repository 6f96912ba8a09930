"""Acceptance with the real model: a chat completion over REST (real Envoy, real SmolLM2) is
one trace — Envoy → gateway → inference service → provider — whose provider span carries the
GenAI attributes; token and time-to-first-token metrics are queryable."""

from __future__ import annotations

import time

import grpc
import httpx
import pytest

from llamastack.telemetry.v1 import telemetry_pb2 as tpb
from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as pb_grpc

from .mesh import CHAT_MODEL, trace_spans, wait_for

CHAT = "/v1/inference/chat-completion"


def _body(text: str, model: str = CHAT_MODEL) -> dict:
    return {
        "model_id": model,
        "messages": [{"role": "ROLE_USER", "content": [{"text": text}]}],
        "sampling_params": {"max_tokens": 8},
    }


@pytest.fixture(scope="module")
def clients(telemetry_model_mesh):
    mesh = telemetry_model_mesh
    with (
        httpx.Client(base_url=mesh.envoy.base_url, timeout=120.0) as rest,
        grpc.insecure_channel(mesh.gateway.address) as channel,
    ):
        yield rest, pb_grpc.TelemetryServiceStub(channel)


def test_a_rest_chat_completion_is_one_trace_down_to_the_provider(clients):
    rest, telemetry = clients
    trace_id = "a1" * 16
    headers = {"traceparent": f"00-{trace_id}-{'b2' * 8}-01"}
    response = rest.post(CHAT, json=_body("Say hi."), headers=headers)
    assert response.status_code == 200, response.text
    usage = {m["metric"]: m["value"] for m in response.json()["metrics"]}
    spans = trace_spans(telemetry, trace_id, 5)
    by_id = dict(spans)
    provider = next(s for s in spans.values() if s.name.startswith("chat "))
    chain = [provider]
    while chain[-1].parent_span_id in by_id:
        chain.append(by_id[chain[-1].parent_span_id])
    assert [(s.service_name, s.kind) for s in reversed(chain)] == [
        ("envoy", tpb.SPAN_KIND_SERVER),
        ("gateway", tpb.SPAN_KIND_SERVER),
        ("gateway", tpb.SPAN_KIND_CLIENT),
        ("inference", tpb.SPAN_KIND_SERVER),
        ("inference", tpb.SPAN_KIND_INTERNAL),
    ]
    assert chain[-1].parent_span_id == "b2" * 8  # the caller's span
    a = dict(provider.attributes)
    assert provider.name == "chat SmolLM2-135M-Instruct"
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.request.model"] == "SmolLM2-135M-Instruct"
    assert a["gen_ai.provider.name"] == "llama-cpp"
    assert a["llamastack.provider_id"] == "llama-cpp"
    assert a["gen_ai.request.max_tokens"] == 8
    assert a["gen_ai.usage.input_tokens"] == usage["prompt_tokens"] > 0
    assert a["gen_ai.usage.output_tokens"] == usage["completion_tokens"] > 0
    assert list(a["gen_ai.response.finish_reasons"]) == ["out_of_tokens"]
    assert all(s.status == tpb.SPAN_STATUS_OK for s in chain)
    # The provider span is where the model time goes.
    durations = {
        s.span_id: s.end_time.ToNanoseconds() - s.start_time.ToNanoseconds() for s in chain
    }
    assert durations[provider.span_id] <= durations[chain[1].span_id]


def test_a_streamed_completion_gives_token_metrics(clients):
    rest, telemetry = clients
    start = int(time.time()) - 5
    with rest.stream("POST", CHAT + ":stream", json=_body("Count to three.")) as response:
        assert response.status_code == 200
        events = [line for line in response.iter_lines() if line.startswith("data:")]
    assert len(events) >= 3

    def instant(name: str) -> list:
        return list(
            telemetry.QueryMetrics(
                pb.QueryMetricsRequest(
                    metric_name=name,
                    start_time={"seconds": start},
                    query_type=tpb.METRIC_QUERY_TYPE_INSTANT,
                    label_matchers=[
                        tpb.MetricLabelMatcher(
                            name="gen_ai.request.model", value="SmolLM2-135M-Instruct"
                        )
                    ],
                )
            ).data
        )

    (ttft,) = wait_for(lambda: instant("gen_ai.server.time_to_first_token.count"), bool)
    assert ttft.values[0].value >= 1
    labels = {lbl.name: lbl.value for lbl in ttft.labels}
    assert labels["gen_ai.provider.name"] == "llama-cpp" and labels["service.name"] == "inference"
    (p50,) = instant("gen_ai.server.time_to_first_token.p50")
    assert 0 < p50.values[0].value < 60
    (tokens,) = wait_for(lambda: instant("completion_tokens"), bool)
    assert tokens.values[0].value >= 1
    (rate,) = instant("llamastack.inference.tokens_per_second")
    assert rate.values[0].value > 0
