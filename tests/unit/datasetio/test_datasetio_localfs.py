"""inline::localfs without processes: path checks, data: URIs, formats, appends, purposes,
paging (a real SQLite state store for rows appended to inline datasets)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from services.common.errors import InvalidArgument
from services.common.providers import ProviderHost
from services.common.state.sqlite import SqliteStateStore
from services.datasetio.providers.localfs import formats
from services.datasetio.providers.localfs.appended import AppendedRows
from services.datasetio.providers.localfs.provider import LocalFsProvider
from services.datasetio.providers.localfs.sources import (
    OutsideRoot,
    decode_data_uri,
    resolve_file,
)
from services.datasetio.service import DatasetIoService
from services.datasetio.types import DatasetSpec

QA = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(5)]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    r.mkdir()
    (r / "qa.jsonl").write_text("".join(json.dumps(x) + "\n" for x in QA))
    return Path(os.path.realpath(r))


def test_files_resolve_under_the_root_and_nowhere_else(root, tmp_path):
    assert resolve_file("file:qa.jsonl", root) == (root / "qa.jsonl", "jsonl")
    assert resolve_file(f"file://{root}/qa.jsonl", root)[0] == root / "qa.jsonl"
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n")
    for uri in (f"file://{outside}", "file:../secret.csv", f"file://{root}/../secret.csv"):
        with pytest.raises(OutsideRoot) as err:
            resolve_file(uri, root)
        assert "outside the datasets root" in err.value.message
    (root / "link.csv").symlink_to(outside)
    with pytest.raises(OutsideRoot):
        resolve_file("file:link.csv", root)
    (root / "inside.jsonl").symlink_to(root / "qa.jsonl")
    assert resolve_file("file:inside.jsonl", root)[0] == root / "qa.jsonl"
    for uri, words in (
        ("file://otherhost/x.csv", "names host"),
        ("file:missing.csv", "no such file"),
        ("http://example.test/x.csv", "datasets come from"),
        ("file:qa.txt", "no such file"),
    ):
        with pytest.raises(InvalidArgument) as err:
            resolve_file(uri, root)
        assert words in err.value.message
    (root / "qa.txt").write_text("x")
    with pytest.raises(InvalidArgument, match="unknown file type"):
        resolve_file("file:qa.txt", root)


def test_data_uris_decode_by_media_type():
    csv_text = "question,answer\nq,a\n"
    b64 = base64.b64encode(csv_text.encode()).decode()
    data = decode_data_uri(f"data:text/csv;base64,{b64}", 1 << 20)
    assert formats.parse(data.data, data.fmt, "x") == ([{"question": "q", "answer": "a"}],
                                                       ["question", "answer"])  # fmt: skip
    plain = decode_data_uri("data:application/jsonl," + quote('{"a": 1}\n'), 1 << 20)
    assert formats.parse(plain.data, plain.fmt, "x")[0] == [{"a": 1}]
    with pytest.raises(InvalidArgument, match="base64"):
        decode_data_uri("data:text/csv;base64,@@@", 1 << 20)
    with pytest.raises(InvalidArgument, match="image/png"):
        decode_data_uri("data:image/png;base64,AAAA", 1 << 20)
    with pytest.raises(InvalidArgument, match="at most 8 bytes"):
        decode_data_uri(f"data:text/csv;base64,{b64}", 8)


def test_formats_report_bad_lines_and_read_parquet_values(tmp_path):
    with pytest.raises(InvalidArgument, match="line 2 is not JSON"):
        formats.parse(b'{"a": 1}\n{nope\n', "jsonl", "f.jsonl")
    with pytest.raises(InvalidArgument, match="line 1 is not a JSON object"):
        formats.parse(b"[1, 2]\n", "jsonl", "f.jsonl")
    with pytest.raises(InvalidArgument, match="array of objects"):
        formats.parse(b'{"a": 1}', "json", "f.json")
    table = pa.table({"n": [1, 2], "x": [1.5, float("nan")], "tags": [["a"], []]})
    pq.write_table(table, tmp_path / "t.parquet")
    rows, columns = formats.parse((tmp_path / "t.parquet").read_bytes(), "parquet", "t")
    assert columns == ["n", "x", "tags"]
    assert rows == [{"n": 1, "x": 1.5, "tags": ["a"]}, {"n": 2, "x": None, "tags": []}]


def test_appends_keep_each_format_readable(tmp_path):
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"q": "x"}')  # no final newline
    formats.append_file(jsonl, "jsonl", [{"q": "y", "n": 2.0}])
    assert formats.parse(jsonl.read_bytes(), "jsonl", "a")[0] == [{"q": "x"}, {"q": "y", "n": 2.0}]

    csv_path = tmp_path / "a.csv"
    csv_path.write_text("question,answer\nq1,a1\n")
    formats.append_file(csv_path, "csv", [{"question": "q, 2", "answer": 4.0}])
    rows, _ = formats.parse(csv_path.read_bytes(), "csv", "a")
    assert rows[-1] == {"question": "q, 2", "answer": "4"}
    with pytest.raises(InvalidArgument, match="does not: extra"):
        formats.append_file(csv_path, "csv", [{"question": "q", "extra": 1}])

    pq_path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"question": ["q1"], "n": [1]}), pq_path)
    formats.append_file(pq_path, "parquet", [{"question": "q2", "n": 2.0}])
    assert pq.read_table(pq_path).to_pylist() == [{"question": "q1", "n": 1},
                                                  {"question": "q2", "n": 2}]  # fmt: skip
    with pytest.raises(InvalidArgument, match="do not fit the schema"):
        formats.append_file(pq_path, "parquet", [{"question": "q3", "n": "many"}])
    assert len(pq.read_table(pq_path)) == 2  # a refused append changes nothing
    assert not list(tmp_path.glob(".*tmp"))


@pytest.fixture
async def provider(root, tmp_path):
    p = LocalFsProvider("localfs", {"root": str(root), "max_rows_per_request": 3})
    store = SqliteStateStore(tmp_path / "state.db")
    p._appended = AppendedRows(store, "localfs")
    p.ready.set()
    yield p
    await store.close()


async def test_registration_names_the_missing_column(provider, root):
    (root / "bad.csv").write_text("question,reply\nq,r\n")
    with pytest.raises(InvalidArgument) as err:
        await provider.open_dataset(
            DatasetSpec("bad", "bad", "eval/question-answer", "file:bad.csv")
        )
    assert "no column 'answer' (or 'expected_answer')" in err.value.message
    with pytest.raises(InvalidArgument, match="row 1 has no column 'messages'"):
        await provider.open_dataset(
            DatasetSpec("m", "m", "post-training/messages", rows=[{"messages": []}, {"x": 1}])
        )
    ok = await provider.open_dataset(
        DatasetSpec("ref", "ref", "eval/messages-answer",
                    rows=[{"chat_completion_input": "[]", "expected_answer": "4"}])
    )  # fmt: skip
    assert ok.rows


async def test_paging_by_index_and_token_and_appends_are_seen(provider):
    from llamastack.registry.v1 import resources_pb2

    host = ProviderHost("datasetio", [provider])
    host.ready = True
    service = DatasetIoService(host)
    for ident, source in (
        ("file-qa", resources_pb2.DataSource(uri=resources_pb2.UriDataSource(uri="file:qa.jsonl"))),
        ("rows-qa", resources_pb2.DataSource(rows=resources_pb2.RowsDataSource())),
    ):
        ds = resources_pb2.Dataset(
            identifier=ident,
            provider_id="localfs",
            provider_resource_id=ident,
            source=source,
            purpose=resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER,
        )
        from llamastack.provider.v1 import provider_service_pb2

        await provider.register_resource(provider_service_pb2.AnyResource(dataset=ds))
    await service.append(None, "rows-qa", QA[:3])
    await service.append(None, "rows-qa", QA[3:])
    for ident in ("file-qa", "rows-qa"):
        first = await service.iterate(None, ident)  # no limit: capped at 3 per request
        assert [r["question"] for r in first.rows] == ["q0", "q1", "q2"] and first.has_more
        second = await service.iterate(None, ident, page_token=first.next_page_token)
        assert [r["question"] for r in second.rows] == ["q3", "q4"]
        assert not second.has_more and second.next_page_token == ""
        assert (await service.iterate(None, ident, start_index=4, limit=10)).rows == [QA[4]]
        await service.append(None, ident, [{"question": "q5", "answer": "a5"}])
        assert (await service.iterate(None, ident, start_index=5)).rows[0]["question"] == "q5"
    with pytest.raises(InvalidArgument, match="different query"):
        await service.iterate(None, "file-qa", page_token=first.next_page_token)
    with pytest.raises(InvalidArgument, match="not both"):
        await service.iterate(None, "rows-qa", start_index=1, page_token=first.next_page_token)
    with pytest.raises(InvalidArgument, match="start_index"):
        await service.iterate(None, "file-qa", start_index=-1)
    with pytest.raises(InvalidArgument, match="at most 3 per request"):
        await service.append(None, "file-qa", QA)
    with pytest.raises(InvalidArgument, match="no column 'answer'"):
        await service.append(None, "rows-qa", [{"question": "only"}])


async def test_files_over_the_size_limit_are_refused(root, tmp_path):
    small = LocalFsProvider("localfs", {"root": str(root), "max_file_bytes": 10})
    with pytest.raises(InvalidArgument, match="at most 10 bytes"):
        await small.open_dataset(DatasetSpec("qa", "qa", "eval/question-answer", "file:qa.jsonl"))


def test_importing_the_services_loads_no_provider_library():
    import subprocess
    import sys

    code = (
        "import sys, services.datasetio.__main__, services.scoring.__main__, "
        "services.eval.__main__\n"
        "print(','.join(m for m in ('pyarrow', 'llama_cpp', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
