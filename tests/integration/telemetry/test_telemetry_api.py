"""The Llama Stack telemetry API on the real telemetry service, over gRPC through the gateway
and over REST through Envoy: log_event, traces, spans, span trees, metrics, saving spans to a
dataset through the gateway's DatasetIO, and bad input."""

from __future__ import annotations

import time
import uuid

import grpc
import pytest

from llamastack.datasetio.v1 import datasetio_service_pb2 as dio
from llamastack.datasetio.v1 import datasetio_service_pb2_grpc as dio_grpc
from llamastack.registry.v1 import dataset_service_pb2 as ds
from llamastack.registry.v1 import dataset_service_pb2_grpc as ds_grpc
from llamastack.registry.v1 import resources_pb2
from llamastack.telemetry.v1 import telemetry_pb2 as tpb
from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as pb_grpc

from .mesh import trace_spans, wait_for

EQ = tpb.QUERY_CONDITION_OP_EQ


def _ids() -> tuple[str, str]:
    return uuid.uuid4().hex, uuid.uuid4().hex[:16]


def _span(rest, trace_id: str, span_id: str, name: str, parent: str = "", **attributes) -> None:
    """A span made of two log_event calls over REST (span_start, then span_end)."""
    start = {
        "trace_id": trace_id,
        "span_id": span_id,
        "attributes": attributes,
        "structured_log": {"span_start": {"name": name, "parent_span_id": parent}},
    }
    end = {
        "trace_id": trace_id,
        "span_id": span_id,
        "structured_log": {"span_end": {"status": "SPAN_STATUS_OK"}},
    }
    for event in (start, end):
        r = rest.post("/v1/telemetry/events", json={"event": event})
        assert r.status_code == 200, r.text


def test_logged_spans_and_logs_over_rest(rest):
    trace_id, root = _ids()
    child = uuid.uuid4().hex[:16]
    _span(rest, trace_id, root, "agent turn", session="s1")
    _span(rest, trace_id, child, "tool call", parent=root, tool="search")
    log = {
        "trace_id": trace_id,
        "span_id": child,
        "unstructured_log": {"message": "calling search", "severity": "LOG_SEVERITY_INFO"},
    }
    assert (
        rest.post("/v1/telemetry/events", json={"event": log, "ttl_seconds": 600}).status_code
        == 200
    )
    trace = rest.get(f"/v1/telemetry/traces/{trace_id}")
    assert trace.status_code == 200, trace.text
    body = trace.json()  # the bare Trace (response_body)
    assert body["root_span_id"] == root and body["span_count"] == 2
    span = rest.get(f"/v1/telemetry/traces/{trace_id}/spans/{child}").json()
    assert span["parent_span_id"] == root and span["status"] == "SPAN_STATUS_OK"
    assert span["events"][0]["attributes"]["message"] == "calling search"
    tree = rest.post(f"/v1/telemetry/spans/{root}/tree", json={"max_depth": 1}).json()["data"]
    assert set(tree) == {root, child}
    only_root = rest.post(f"/v1/telemetry/spans/{root}/tree", json={"max_depth": 0}).json()
    assert set(only_root["data"]) == {root}
    found = rest.post(
        "/v1/telemetry/traces",
        json={
            "attribute_filters": [{"key": "session", "op": "QUERY_CONDITION_OP_EQ", "value": "s1"}],
            "limit": 5,
        },
    ).json()
    assert [t["trace_id"] for t in found["data"]] == [trace_id]
    spans = rest.post(
        "/v1/telemetry/spans",
        json={
            "attribute_filters": [
                {"key": "tool", "op": "QUERY_CONDITION_OP_EQ", "value": "search"}
            ],
            "attributes_to_return": ["tool"],
        },
    ).json()["data"]
    assert [(s["span_id"], s["attributes"]) for s in spans] == [(child, {"tool": "search"})]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "needle"),
    [
        ("get", "/v1/telemetry/traces/" + "f" * 32, None, 404, "is not stored"),
        ("post", "/v1/telemetry/traces", {"order_by": ["duration"]}, 400, "order_by"),
        ("post", "/v1/telemetry/traces", {"limit": -1}, 400, "limit"),
        ("post", "/v1/telemetry/spans/" + "0" * 16 + "/tree", {}, 404, "is not stored"),
        (
            "post",
            "/v1/telemetry/metrics/x",
            {"start_time": "2026-01-01T00:00:00Z", "granularity": "5 minutes"},
            400,
            "granularity",
        ),
        (
            "post",
            "/v1/telemetry/metrics/x",
            {
                "start_time": "2026-01-01T00:00:00Z",
                "label_matchers": [
                    {"name": "a", "value": "(", "operator": "METRIC_LABEL_OPERATOR_REGEX_MATCH"}
                ],
            },
            400,
            "regular expression",
        ),
        (
            "post",
            "/v1/telemetry/events",
            {"event": {"trace_id": "t", "span_id": "s"}},
            400,
            "unstructured_log",
        ),
        (
            "post",
            "/v1/telemetry/events",
            {"event": {"trace_id": "a b", "span_id": "s", "unstructured_log": {"message": "m"}}},
            400,
            "trace_id",
        ),
        ("post", "/v1/telemetry/spans", {"attributes_to_return": ["x"]}, 400, "attribute_filters"),
    ],
)
def test_bad_input_is_a_clear_error(rest, method, path, body, status, needle):
    r = rest.request(method.upper(), path, json=body)
    assert r.status_code == status, r.text
    assert needle in r.json()["message"], r.text


def test_queries_through_the_gateway_over_grpc(gateway_channel):
    stub = pb_grpc.TelemetryServiceStub(gateway_channel)
    trace_id, span_id = _ids()
    stub.LogEvent(
        pb.LogEventRequest(
            event=tpb.Event(
                trace_id=trace_id,
                span_id=span_id,
                structured_log=tpb.StructuredLogEvent(span_start=tpb.SpanStartPayload(name="job")),
            )
        )
    )
    page = stub.QueryTraces(pb.QueryTracesRequest(limit=1))
    assert len(page.data) == 1 and page.has_more
    # A span that has not ended is UNSPECIFIED (not yet OK or ERROR).
    span = stub.GetSpan(pb.GetSpanRequest(trace_id=trace_id, span_id=span_id)).span
    assert span.status == tpb.SPAN_STATUS_UNSPECIFIED and not span.HasField("end_time")
    with pytest.raises(grpc.RpcError) as err:
        stub.GetSpan(pb.GetSpanRequest(trace_id=trace_id, span_id="0" * 16))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_metric_events_are_queryable_by_range_and_labels(gateway_channel):
    stub = pb_grpc.TelemetryServiceStub(gateway_channel)
    name = f"test.score.{uuid.uuid4().hex[:6]}"
    now = int(time.time())
    for i, model in enumerate(["a", "a", "b"]):
        event = tpb.Event(
            trace_id="t1",
            span_id="s1",
            timestamp={"seconds": now - 120 + 60 * i},
            metric=tpb.MetricEvent(metric=name, value=i + 1, unit="1"),
        )
        event.attributes.update({"model": model})
        stub.LogEvent(pb.LogEventRequest(event=event))
    ranged = stub.QueryMetrics(
        pb.QueryMetricsRequest(
            metric_name=name,
            start_time={"seconds": now - 180},
            end_time={"seconds": now + 60},
            granularity="1m",
            label_matchers=[
                tpb.MetricLabelMatcher(
                    name="model", value="a", operator=tpb.METRIC_LABEL_OPERATOR_EQUALS
                )
            ],
        )
    )
    (series,) = ranged.data
    assert series.metric == name and [(lbl.name, lbl.value) for lbl in series.labels] == [
        ("model", "a")
    ]
    assert [v.value for v in series.values] == [1, 2] and series.values[0].unit == "1"
    instant = stub.QueryMetrics(
        pb.QueryMetricsRequest(
            metric_name=name,
            start_time={"seconds": now - 180},
            query_type=tpb.METRIC_QUERY_TYPE_INSTANT,
            label_matchers=[
                tpb.MetricLabelMatcher(
                    name="model", value="a|b", operator=tpb.METRIC_LABEL_OPERATOR_REGEX_MATCH
                )
            ],
        )
    )
    assert sorted(s.values[0].value for s in instant.data) == [3, 3]


def test_spans_are_saved_to_a_dataset_through_the_gateway(echo_mesh, rest, gateway_channel):
    datasets = ds_grpc.DatasetServiceStub(gateway_channel)
    dataset = datasets.RegisterDataset(
        ds.RegisterDatasetRequest(
            dataset_id=f"spans-{uuid.uuid4().hex[:6]}",
            provider_id="rows",
            purpose=resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER,
            source=resources_pb2.DataSource(uri=resources_pb2.UriDataSource(uri="memory://spans")),
        )
    ).dataset
    trace_id, span_id = _ids()
    marker = uuid.uuid4().hex
    _span(rest, trace_id, span_id, "llm call", marker=marker, input="2+2", output="4")
    stub = pb_grpc.TelemetryServiceStub(gateway_channel)
    saved = stub.SaveSpansToDataset(
        pb.SaveSpansToDatasetRequest(
            attribute_filters=[
                tpb.QueryCondition(key="marker", op=EQ, value={"string_value": marker})
            ],
            attributes_to_save=["input", "output"],
            dataset_id=dataset.identifier,
        )
    )
    assert saved.rows_saved == 1
    rows = dio_grpc.DatasetIoServiceStub(gateway_channel).IterateRows(
        dio.IterateRowsRequest(dataset_id=dataset.identifier)
    )
    (row,) = rows.data
    assert dict(row) == {
        **dict(row),
        "trace_id": trace_id,
        "span_id": span_id,
        "name": "llm call",
        "input": "2+2",
        "output": "4",
    }
    # The trace of the save itself shows the cross-API call (telemetry → gateway → datasetio)?
    # Telemetry API calls are not traced (reading must not make traces), so there is none.
    with pytest.raises(grpc.RpcError) as err:
        stub.SaveSpansToDataset(
            pb.SaveSpansToDatasetRequest(
                attribute_filters=[
                    tpb.QueryCondition(key="marker", op=EQ, value={"string_value": marker})
                ],
                attributes_to_save=["input"],
                dataset_id="no-such-dataset",
            )
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert trace_spans(stub, trace_id, 1)


def test_saving_spans_without_datasetio_is_a_failed_precondition(off_mesh):
    with grpc.insecure_channel(off_mesh.gateway.address) as channel:
        stub = pb_grpc.TelemetryServiceStub(channel)
        with pytest.raises(grpc.RpcError) as err:
            stub.SaveSpansToDataset(
                pb.SaveSpansToDatasetRequest(
                    attribute_filters=[
                        tpb.QueryCondition(key="k", op=EQ, value={"string_value": "v"})
                    ],
                    attributes_to_save=["k"],
                    dataset_id="d",
                )
            )
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no datasetio service" in err.value.details()


def test_many_spans_page_by_limit(gateway_channel):
    stub = pb_grpc.TelemetryServiceStub(gateway_channel)
    marker = uuid.uuid4().hex
    trace_id = uuid.uuid4().hex
    for _ in range(5):
        event = tpb.Event(
            trace_id=trace_id,
            span_id=uuid.uuid4().hex[:16],
            structured_log=tpb.StructuredLogEvent(span_start=tpb.SpanStartPayload(name="s")),
        )
        event.attributes.update({"marker": marker})
        stub.LogEvent(pb.LogEventRequest(event=event))
    cond = tpb.QueryCondition(key="marker", op=EQ, value={"string_value": marker})
    found = wait_for(
        lambda: stub.QuerySpans(
            pb.QuerySpansRequest(attribute_filters=[cond], attributes_to_return=["marker"], limit=3)
        ),
        lambda r: len(r.data) == 3,
    )
    assert all(dict(s.attributes) == {"marker": marker} for s in found.data)
