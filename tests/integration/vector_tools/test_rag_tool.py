"""The RAG tool (builtin::rag) through the gateway: documents of every kind, chunk sizes,
progress, re-inserted documents, and `knowledge_search` as the agents will call it."""

from __future__ import annotations

import base64
import urllib.parse

import grpc
import pytest
from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import content_pb2
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from llamastack.tool_runtime.v1 import tool_runtime_pb2 as rt
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as trs
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2_grpc as trs_grpc
from llamastack.vector_io.v1 import vector_io_pb2 as vio
from tests.integration.vector_tools.mesh import EMBED
from tests.integration.vector_tools.pdf import pdf_with_text

DB = "rag-tool"


def text(t: str) -> list[content_pb2.ContentItem]:
    return [content_pb2.ContentItem(text=t)]


def url_doc(doc_id: str, uri: str, mime: str = "") -> rt.RagDocument:
    return rt.RagDocument(document_id=doc_id, url=content_pb2.Url(uri=uri), mime_type=mime)


@pytest.fixture(scope="module")
def tools(vt_channel):
    return trs_grpc.ToolRuntimeServiceStub(vt_channel)


@pytest.fixture(scope="module")
def db(vt_channel):
    dbs = vdb_grpc.VectorDbServiceStub(vt_channel)
    dbs.RegisterVectorDb(
        vdb.RegisterVectorDbRequest(
            vector_db_id=DB, embedding_model=EMBED, provider_id="sqlite-vec"
        ),
        timeout=60,
    )
    yield DB
    dbs.UnregisterVectorDb(vdb.UnregisterVectorDbRequest(vector_db_id=DB), timeout=60)


def insert(tools, docs, **kw) -> trs.InsertRagDocumentsResponse:
    return tools.InsertRagDocuments(
        trs.InsertRagDocumentsRequest(documents=docs, vector_db_id=DB, **kw), timeout=120
    )


def search(tools, query: str, **config) -> trs.QueryRagContextResponse:
    return tools.QueryRagContext(
        trs.QueryRagContextRequest(
            content=text(query), vector_db_ids=[DB], query_config=rt.RagQueryConfig(**config)
        ),
        timeout=60,
    )


def test_documents_from_data_uris_files_and_pdf(tools, db, vt_dir):
    (vt_dir / "files" / "notes.md").write_text("# Notes\nThe lighthouse keeper feeds seagulls.")
    plain = "data:text/plain," + urllib.parse.quote("Penguins cannot fly but swim well.")
    pdf = (
        "data:application/pdf;base64,"
        + base64.b64encode(pdf_with_text("Volcanoes erupt molten basalt lava.")).decode()
    )
    html = "data:text/html," + urllib.parse.quote(
        "<html><script>var x = 'tracking';</script><p>Owls hunt at night.</p></html>"
    )
    done = insert(tools, [
        url_doc("penguins", plain), url_doc("volcano", pdf), url_doc("owls", html),
        url_doc("notes", "file:///notes.md"),
    ])  # fmt: skip
    assert done.document_count == 4 and done.chunk_count == 4
    for question, doc in [("Which birds swim?", "penguins"), ("What comes out of volcanoes?",
                          "volcano"), ("Who hunts at night?", "owls"),
                          ("Who feeds the seagulls?", "notes")]:  # fmt: skip
        found = search(tools, question, max_chunks=1)
        assert list(found.metadata["document_ids"]) == [doc], question
    owls = search(tools, "owls night", max_chunks=1, mode=vio.SEARCH_MODE_KEYWORD)
    assert "tracking" not in "".join(c.text for c in owls.content)


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        (url_doc("x", "file:///../../etc/passwd"), "outside the provider's files_dir"),
        (url_doc("x", "https://example.com/doc.txt"), "fetching http(s) URLs is off"),
        (url_doc("x", "ftp://example.com/doc.txt"), "not supported"),
        (url_doc("x", "data:application/octet-stream;base64,/w=="), "not UTF-8"),
        (rt.RagDocument(document_id="x", content=text("a"), url=content_pb2.Url(uri="data:,b")),
         "both content and url"),
        (rt.RagDocument(content=text("no id")), "document_id is required"),
    ],
)  # fmt: skip
def test_unreadable_documents_are_invalid(tools, db, doc, needle):
    with pytest.raises(grpc.RpcError) as err:
        insert(tools, [doc])
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert needle in err.value.details(), err.value.details()


def test_chunk_size_is_capped_to_the_embedding_window_and_progress_streams(tools, db):
    long_text = " ".join(
        f"Sentence {i} talks about the river delta and its silt." for i in range(200)
    )
    events = list(
        tools.StreamInsertRagDocuments(
            trs.StreamInsertRagDocumentsRequest(
                documents=[rt.RagDocument(document_id="delta", content=text(long_text))],
                vector_db_id=DB, chunk_size_in_tokens=4096,
            ),
            timeout=120,
        )
    )  # fmt: skip
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds[-1] == "done" and kinds.count("done") == 1 and "progress" in kinds
    done = events[-1].done
    assert done.chunk_size_in_tokens == 254  # all-MiniLM-L6-v2 reads 256 tokens, 2 are special
    assert done.chunk_overlap_in_tokens == 254 // 4
    stored = [e.progress.chunks_stored for e in events if e.HasField("progress")]
    assert stored == sorted(stored) and stored[-1] == done.chunk_count > 1
    assert events[-2].progress.chunks_total == done.chunk_count


def test_a_reinserted_document_replaces_its_chunks(tools, db):
    insert(tools, [rt.RagDocument(document_id="menu", content=text("Today's soup is tomato."))])
    insert(tools, [rt.RagDocument(document_id="menu", content=text("Today's soup is leek."))])
    found = search(tools, "soup of the day", max_chunks=5)
    chunks = [c for c, d in zip(found.metadata["chunks"], found.metadata["document_ids"],
                                strict=True) if d == "menu"]  # fmt: skip
    assert chunks == ["Today's soup is leek."]


def test_query_config_template_and_budget(tools, db):
    insert(tools, [rt.RagDocument(document_id=f"fact{i}", content=text(f"Fact {i} about comets."))
                   for i in range(4)])  # fmt: skip
    found = search(
        tools,
        "comets",
        max_chunks=4,
        chunk_template="[{index}] {chunk.content} ({chunk.document_id})\n",
    )
    assert "[1] Fact" in found.content[1].text and "(fact" in found.content[1].text
    tight = search(tools, "comets", max_chunks=4, max_tokens_in_context=12)
    assert len(tight.metadata["chunks"]) < 4
    with pytest.raises(grpc.RpcError) as err:
        search(tools, "comets", chunk_template="{chunk.content} {secret}")
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "secret" in err.value.details()


def test_knowledge_search_is_a_tool(tools, db):
    insert(
        tools,
        [rt.RagDocument(document_id="glacier", content=text("Glaciers carve U-shaped valleys."))],
    )
    for name in ("knowledge_search", "builtin::rag/knowledge_search"):
        out = tools.InvokeTool(
            trs.InvokeToolRequest(
                tool_name=name,
                kwargs=json_format.ParseDict(
                    {"query": "What shapes valleys?", "vector_db_ids": [DB],
                     "query_config": {"max_chunks": 1}},
                    struct_pb2.Struct(),
                ),
            ),
            timeout=60,
        )  # fmt: skip
        assert "Glaciers" in "".join(c.text for c in out.content) and not out.error_message
        assert list(out.metadata["document_ids"]) == ["glacier"]
    for kwargs, needle in [({"vector_db_ids": [DB]}, "kwargs.query"),
                           ({"query": "x"}, "vector_db_ids")]:  # fmt: skip
        with pytest.raises(grpc.RpcError) as err:
            tools.InvokeTool(
                trs.InvokeToolRequest(
                    tool_name="knowledge_search",
                    kwargs=json_format.ParseDict(kwargs, struct_pb2.Struct()),
                ),
                timeout=60,
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert needle in err.value.details()


def test_insert_into_an_unknown_vector_db_is_not_found(tools):
    with pytest.raises(grpc.RpcError) as err:
        tools.InsertRagDocuments(
            trs.InsertRagDocumentsRequest(
                documents=[rt.RagDocument(document_id="a", content=text("a"))],
                vector_db_id="no-such-db",
            ),
            timeout=60,
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND and "no-such-db" in err.value.details()
