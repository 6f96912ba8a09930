"""One trace per call across real processes: Envoy (its OpenTelemetry tracer), the gateway
(server and client spans), the inference service; W3C headers through the hop; errors on the
span where they happened; request metrics; nothing at all with telemetry off."""

from __future__ import annotations

import itertools
import json
import time

import grpc
import httpx
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from typer.testing import CliRunner

from cli.main import app
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.telemetry.v1 import telemetry_pb2 as tpb
from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as pb_grpc
from tests.support.processes import start_gateway, start_service, write_config

from .mesh import ECHO, FAST_EXPORT, TelemetryMesh, echo_config, trace_spans, wait_for

CHAT = "/v1/inference/chat-completion"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
BODY = {"model_id": "echo-llm/m1", "messages": [{"role": "ROLE_USER", "content": [{"text": "hi"}]}]}
SERVER, CLIENT = tpb.SPAN_KIND_SERVER, tpb.SPAN_KIND_CLIENT
GATEWAY_SPAN = "llamastack.inference.v1.InferenceService/ChatCompletion"


def _echoed(response: httpx.Response) -> dict:
    """What the echo service saw (its answer is the metadata it received)."""
    assert response.status_code == 200, response.text
    return json.loads(response.json()["completion_message"]["content"][0]["text"])


def _chain(spans: dict) -> list:
    """The spans from the root down, following the only child at each level."""
    by_parent: dict[str, list] = {}
    for s in spans.values():
        by_parent.setdefault(s.parent_span_id, []).append(s)
    (root,) = [s for s in spans.values() if s.parent_span_id not in spans]
    chain = [root]
    while by_parent.get(chain[-1].span_id):
        (child,) = by_parent[chain[-1].span_id]
        chain.append(child)
    return chain


def test_a_rest_call_is_one_trace_from_envoy_to_the_service(rest, gateway_channel):
    seen = _echoed(rest.post(CHAT, json=BODY))
    trace_id = seen["metadata"]["traceparent"].split("-")[1]
    spans = trace_spans(pb_grpc.TelemetryServiceStub(gateway_channel), trace_id, 4)
    chain = _chain(spans)
    assert [(s.service_name, s.kind) for s in chain] == [
        ("envoy", SERVER),
        ("gateway", SERVER),
        ("gateway", CLIENT),
        ("inference", SERVER),
    ]
    envoy, gw_server, gw_client, service = chain
    assert envoy.name == f"POST {CHAT}"
    assert dict(envoy.attributes)["http.status_code"] == "200"
    assert gw_server.name == gw_client.name == service.name == GATEWAY_SPAN
    assert all(s.status == tpb.SPAN_STATUS_OK for s in chain)
    # The service was called with the gateway client span as its parent.
    assert seen["metadata"]["traceparent"].split("-")[2] == gw_client.span_id
    # Nested in time, each inside its parent.
    for parent, child in itertools.pairwise(chain):
        assert parent.start_time.ToNanoseconds() <= child.start_time.ToNanoseconds()
        assert child.end_time.ToNanoseconds() <= parent.end_time.ToNanoseconds()


def test_w3c_headers_survive_envoy_and_the_gateway(rest, gateway_channel):
    headers = {
        "traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01",
        "tracestate": "vendor=x",
        "baggage": "user=alice",
    }
    seen = _echoed(rest.post(CHAT, json=BODY, headers=headers))["metadata"]
    version, trace_id, parent, flags = seen["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", TRACE_ID, "01")
    assert parent != "b7ad6b7169203331"  # a hop of ours in between
    assert seen["tracestate"] == "vendor=x"
    assert seen["baggage"] == "user=alice"
    spans = trace_spans(pb_grpc.TelemetryServiceStub(gateway_channel), TRACE_ID, 4)
    envoy = next(s for s in spans.values() if s.service_name == "envoy")
    assert envoy.parent_span_id == "b7ad6b7169203331"  # the caller's span


def test_an_unsampled_caller_is_not_recorded_but_propagated(rest, gateway_channel):
    trace_id = "1" * 32
    headers = {"traceparent": f"00-{trace_id}-b7ad6b7169203331-00"}
    seen = _echoed(rest.post(CHAT, json=BODY, headers=headers))["metadata"]
    assert seen["traceparent"].startswith(f"00-{trace_id}-") and seen["traceparent"].endswith("-00")
    time.sleep(1.0)  # anything recorded would have been exported by now
    with pytest.raises(grpc.RpcError) as err:
        pb_grpc.TelemetryServiceStub(gateway_channel).GetTrace(
            pb.GetTraceRequest(trace_id=trace_id)
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_a_grpc_caller_traceparent_parents_the_gateway_span(echo_mesh, gateway_channel):
    stub = inf_grpc.InferenceServiceStub(gateway_channel)
    trace_id = "2" * 32
    request = inf.ChatCompletionRequest(
        model_id="echo-llm/m1",
        messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
    )
    stub.ChatCompletion(request, metadata=(("traceparent", f"00-{trace_id}-{'3' * 16}-01"),))
    spans = trace_spans(pb_grpc.TelemetryServiceStub(gateway_channel), trace_id, 3)
    chain = _chain(spans)
    assert [s.service_name for s in chain] == ["gateway", "gateway", "inference"]
    assert chain[0].parent_span_id == "3" * 16


def test_an_unknown_model_is_an_error_on_the_gateway_span(rest, gateway_channel):
    trace_id = "4" * 32
    body = {**BODY, "model_id": "no-such-model"}
    headers = {"traceparent": f"00-{trace_id}-{'5' * 16}-01"}
    response = rest.post(CHAT, json=body, headers=headers)
    assert response.status_code == 404, response.text
    spans = trace_spans(pb_grpc.TelemetryServiceStub(gateway_channel), trace_id, 2)
    chain = _chain(spans)
    assert [(s.service_name, s.kind) for s in chain] == [("envoy", SERVER), ("gateway", SERVER)]
    envoy, gateway = chain
    assert dict(envoy.attributes)["http.status_code"] == "404"
    assert gateway.status == tpb.SPAN_STATUS_ERROR
    assert gateway.status_message.startswith("NOT_FOUND: model 'no-such-model'")
    assert dict(gateway.attributes)["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
    trace = pb_grpc.TelemetryServiceStub(gateway_channel).GetTrace(
        pb.GetTraceRequest(trace_id=trace_id)
    )
    assert trace.trace.status == tpb.SPAN_STATUS_ERROR


def test_request_counts_and_errors_are_metrics(rest, gateway_channel):
    start = int(time.time()) - 600
    rest.post(CHAT, json=BODY)
    rest.post(CHAT, json={**BODY, "model_id": "nope"})
    stub = pb_grpc.TelemetryServiceStub(gateway_channel)

    def query(name: str, *matchers: tpb.MetricLabelMatcher) -> list:
        return list(
            stub.QueryMetrics(
                pb.QueryMetricsRequest(
                    metric_name=name,
                    start_time={"seconds": start},
                    query_type=tpb.METRIC_QUERY_TYPE_INSTANT,
                    label_matchers=matchers,
                )
            ).data
        )

    gateway = tpb.MetricLabelMatcher(name="service.name", value="gateway")
    chat = tpb.MetricLabelMatcher(name="method", value="ChatCompletion")
    series = wait_for(
        lambda: query("llamastack.requests", gateway, chat),
        lambda s: (
            {dict((x.name, x.value) for x in i.labels)["status"] for i in s} >= {"OK", "NOT_FOUND"}
        ),
    )
    labels = {tuple(sorted((x.name, x.value) for x in s.labels)) for s in series}
    assert (
        ("api", "inference"),
        ("method", "ChatCompletion"),
        ("service.name", "gateway"),
        ("status", "OK"),
    ) in labels
    (errors,) = wait_for(lambda: query("llamastack.request.errors", gateway, chat), bool)
    assert dict((x.name, x.value) for x in errors.labels)["status"] == "NOT_FOUND"
    assert errors.values[0].value >= 1
    durations = query("llamastack.request.duration.p99", gateway, chat)
    assert durations and all(0 < s.values[0].value < 60 for s in durations)


def test_the_cli_lists_traces_and_shows_a_span_tree(echo_mesh, rest, gateway_channel):
    trace_id = "6" * 32
    rest.post(CHAT, json=BODY, headers={"traceparent": f"00-{trace_id}-{'7' * 16}-01"})
    trace_spans(pb_grpc.TelemetryServiceStub(gateway_channel), trace_id, 4)
    runner = CliRunner()
    gw = ["--gateway", echo_mesh.gateway.address]
    listed = runner.invoke(app, ["traces", "list", *gw, "--limit", "100"])
    assert listed.exit_code == 0, listed.output
    assert trace_id in listed.output and f"envoy: POST {CHAT}" in listed.output
    shown = runner.invoke(app, ["traces", "show", trace_id, *gw])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith(f"trace {trace_id}")
    order = [
        next(i for i, line in enumerate(lines) if needle in line)
        for needle in (
            "envoy POST",
            "gateway InferenceService/",
            "(client)",
            "inference InferenceService/",
        )
    ]
    assert order == sorted(order)
    assert any(" ms" in line or " µs" in line for line in lines[1:])
    missing = runner.invoke(app, ["traces", "show", "f" * 32, *gw])
    assert missing.exit_code == 1 and "NOT_FOUND" in missing.output
    as_json = runner.invoke(app, ["traces", "list", *gw, "--json", "--limit", "1"])
    assert json.loads(as_json.output)["data"]


def test_with_telemetry_off_nothing_is_recorded(off_mesh):
    with grpc.insecure_channel(off_mesh.gateway.address) as channel:
        stub = inf_grpc.InferenceServiceStub(channel)
        request = inf.ChatCompletionRequest(
            model_id="echo-llm/m1",
            messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
        )
        for md in ((), (("traceparent", f"00-{'8' * 32}-{'9' * 16}-01"),)):
            reply = stub.ChatCompletion(request, metadata=md)
            echoed = json.loads(reply.completion_message.content[0].text)["metadata"]
            # Off, the gateway passes the caller's trace headers through untouched.
            assert echoed.get("traceparent") == dict(md).get("traceparent")
        time.sleep(1.0)
        telemetry = pb_grpc.TelemetryServiceStub(channel)
        assert not telemetry.QueryTraces(pb.QueryTracesRequest()).data
        names = ("llamastack.requests", "prompt_tokens")
        for name in names:
            empty = telemetry.QueryMetrics(
                pb.QueryMetricsRequest(metric_name=name, start_time={"seconds": 1})
            )
            assert not empty.data
    assert "telemetry off" in off_mesh.gateway.log_path.read_text()


def test_otel_variables_send_everything_to_another_collector(echo_mesh, tmp_path):
    """OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME win over the distribution's own
    telemetry service: a gateway started with them exports to another OTLP collector."""
    collector_config = write_config(
        tmp_path / "collector.yaml", echo_config(tmp_path, datasetio=False)
    )
    collector = start_service("telemetry", collector_config, tmp_path)
    env = {
        **FAST_EXPORT,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{collector.address}",
        "OTEL_SERVICE_NAME": "edge-gateway",
        "LLS_TELEMETRY_ADDR": echo_mesh.telemetry.address,  # what it would use otherwise
    }
    services = {**echo_mesh.services, "telemetry": echo_mesh.telemetry}
    gateway = start_gateway(echo_mesh.run_config, tmp_path, services, name="edge", env=env)
    try:
        with grpc.insecure_channel(gateway.address) as channel:
            stub = inf_grpc.InferenceServiceStub(channel)
            request = inf.ChatCompletionRequest(
                model_id="echo-llm/m1",
                messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
            )
            trace_id = "c" * 32
            stub.ChatCompletion(
                request, metadata=(("traceparent", f"00-{trace_id}-{'d' * 16}-01"),)
            )
        with grpc.insecure_channel(collector.address) as channel:
            spans = trace_spans(pb_grpc.TelemetryServiceStub(channel), trace_id, 1)
        assert {s.service_name for s in spans.values()} == {"edge-gateway"}
    finally:
        gateway.stop()
        collector.stop()


def test_behind_the_closed_internal_network_exports_carry_the_mesh_token(tmp_path):
    """With the mesh credential set (auth on), the telemetry service refuses what does not
    carry it, and every process's exports do carry it."""
    config = echo_config(tmp_path, datasetio=False)
    mesh = TelemetryMesh(
        tmp_path,
        config,
        {"inference": ECHO},
        env={"LLS_MESH_TOKEN": "s3cret-mesh-token-0123456789"},
    )
    mesh.start()
    try:
        assert mesh.envoy is not None and mesh.envoy.tracing is None  # see envoy_tracing
        with grpc.insecure_channel(mesh.gateway.address) as channel:
            stub = inf_grpc.InferenceServiceStub(channel)
            request = inf.ChatCompletionRequest(
                model_id="echo-llm/m1",
                messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
            )
            trace_id = "e" * 32
            stub.ChatCompletion(
                request, metadata=(("traceparent", f"00-{trace_id}-{'f' * 16}-01"),)
            )
            spans = trace_spans(pb_grpc.TelemetryServiceStub(channel), trace_id, 3)
        assert {s.service_name for s in spans.values()} == {"gateway", "inference"}
        with grpc.insecure_channel(mesh.telemetry.address) as channel:
            export = trace_service_pb2_grpc.TraceServiceStub(channel).Export
            with pytest.raises(grpc.RpcError) as err:
                export(trace_service_pb2.ExportTraceServiceRequest())
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        mesh.stop()
