"""Dataset IO through the gateway: register from files (CSV, JSONL, Parquet), `data:` URIs and
rows; page by index and token; append and read back; refusals; a restart keeps appends."""

from __future__ import annotations

import base64

import grpc
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.protobuf import json_format

from llamastack.datasetio.v1 import datasetio_service_pb2 as io
from llamastack.registry.v1 import dataset_service_pb2
from tests.integration.evaldata.mesh import qa_rows, register_qa
from tests.integration.gateway.mesh import error_info

QA = qa_rows()


def rows_of(resp) -> list[dict]:
    return [json_format.MessageToDict(r) for r in resp.data]


def append(datasetio, dataset_id, rows):
    request = json_format.ParseDict(
        {"dataset_id": dataset_id, "rows": rows}, io.AppendRowsRequest()
    )
    datasetio.AppendRows(request, timeout=30)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_file_datasets_page_and_append(eval_mesh, datasets, datasetio, fmt):
    ident = f"qa-{fmt}"
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pylist(QA), eval_mesh.datasets / f"{ident}.parquet")
        uri = f"file:{ident}.parquet"
    else:
        uri = eval_mesh.fresh(ident, fmt)
    register_qa(datasets, ident, uri)
    first = datasetio.IterateRows(io.IterateRowsRequest(dataset_id=ident, limit=10), timeout=30)
    assert rows_of(first) == QA[:10] and first.has_more and first.next_start_index == 10
    second = datasetio.IterateRows(
        io.IterateRowsRequest(dataset_id=ident, limit=30, page_token=first.next_page_token),
        timeout=30,
    )
    assert rows_of(second) == QA[10:36] and not second.has_more and not second.next_page_token
    added = [{"question": f"What is {fmt}?", "answer": fmt}]
    append(datasetio, ident, added)
    tail = datasetio.IterateRows(
        io.IterateRowsRequest(dataset_id=ident, start_index=36), timeout=30
    )
    assert rows_of(tail) == added
    everything = datasetio.IterateRows(
        io.IterateRowsRequest(dataset_id=ident, limit=-1), timeout=30
    )
    assert len(everything.data) == 37


def test_refusals_name_what_to_fix(eval_mesh, datasets, datasetio, tmp_path):
    outside = tmp_path / "outside.jsonl"
    outside.write_text('{"question": "q", "answer": "a"}\n')
    (eval_mesh.datasets / "escape.jsonl").symlink_to(outside)
    for uri in (f"file://{outside}", "file:../state/registry.db", "file:escape.jsonl"):
        with pytest.raises(grpc.RpcError) as err:
            register_qa(datasets, "escaping", uri)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, err.value.details()
        assert "outside the datasets root" in err.value.details()
    (eval_mesh.datasets / "noanswer.csv").write_text("question,reply\nq,r\n")
    with pytest.raises(grpc.RpcError) as err:
        register_qa(datasets, "noanswer", "file:noanswer.csv")
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "no column 'answer'" in err.value.details()
    assert error_info(err.value).metadata["column"] == "answer"
    listed = datasets.ListDatasets(dataset_service_pb2.ListDatasetsRequest(), timeout=30)
    assert not {"escaping", "noanswer"} & {d.identifier for d in listed.data}
    with pytest.raises(grpc.RpcError) as err:
        datasetio.IterateRows(io.IterateRowsRequest(dataset_id="nope"), timeout=30)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    register_qa(datasets, "qa-refusals")
    with pytest.raises(grpc.RpcError) as err:
        append(datasetio, "qa-refusals", [{"question": "no answer"}])
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as err:
        datasetio.IterateRows(io.IterateRowsRequest(dataset_id="qa-refusals", start_index=-1))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_rows_and_data_uris_keep_appends_across_a_restart(eval_mesh, datasets, datasetio):
    body = "".join(
        f'{{"question": "{r["question"]}", "answer": "{r["answer"]}"}}\n' for r in QA[:3]
    )
    uri = "data:application/jsonl;base64," + base64.b64encode(body.encode()).decode()
    register_qa(datasets, "qa-data-uri", uri)
    request = json_format.ParseDict(
        {"dataset_id": "qa-inline", "purpose": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER",
         "source": {"rows": {"rows": QA[:2]}}},
        dataset_service_pb2.RegisterDatasetRequest(),
    )  # fmt: skip
    datasets.RegisterDataset(request, timeout=30)
    append(datasetio, "qa-data-uri", QA[3:5])
    append(datasetio, "qa-inline", QA[2:4])
    service = eval_mesh.services["datasetio"]
    service.stop()
    service.start()
    for ident, want in (("qa-data-uri", QA[:5]), ("qa-inline", QA[:4])):
        for _ in range(100):  # the gateway re-registers the datasets with the new process
            try:
                resp = datasetio.IterateRows(io.IterateRowsRequest(dataset_id=ident), timeout=30)
                break
            except grpc.RpcError as err:
                if err.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAVAILABLE):
                    raise
                import time

                time.sleep(0.1)
        assert rows_of(resp) == want
