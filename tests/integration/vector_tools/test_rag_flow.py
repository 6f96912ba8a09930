"""The acceptance path over gRPC through the gateway, for every vector IO provider: register
a vector DB of the embedding model, insert documents through builtin::rag, query in all three
modes and get the relevant chunk, delete, unregister."""

from __future__ import annotations

import grpc
import pytest

from llamastack.common.v1 import content_pb2
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from llamastack.tool_runtime.v1 import tool_runtime_pb2 as rt
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as trs
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2_grpc as trs_grpc
from llamastack.vector_io.v1 import vector_io_pb2 as vio
from llamastack.vector_io.v1 import vector_io_service_pb2 as vios
from llamastack.vector_io.v1 import vector_io_service_pb2_grpc as vios_grpc
from tests.integration.vector_tools.mesh import EMBED, VECTOR_PROVIDERS

DOCS = {
    "llamas": "Llamas are South American camelids. They are used as pack animals by Andean "
    "cultures and are known for their soft wool and calm temperament.",
    "eiffel": "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris. "
    "It was designed by Gustave Eiffel's company and completed in 1889.",
    "qubits": "Quantum computers store information in qubits, which can be in superpositions of "
    "zero and one, unlike classical bits.",
}


def text(t: str) -> list[content_pb2.ContentItem]:
    return [content_pb2.ContentItem(text=t)]


@pytest.fixture(scope="module")
def stubs(vt_channel):
    return (
        vdb_grpc.VectorDbServiceStub(vt_channel),
        trs_grpc.ToolRuntimeServiceStub(vt_channel),
        vios_grpc.VectorIoServiceStub(vt_channel),
    )


@pytest.mark.parametrize("provider", VECTOR_PROVIDERS)
def test_register_insert_query_delete_unregister(stubs, provider):
    dbs, tools, vectors = stubs
    db_id = f"docs-{provider}"
    registered = dbs.RegisterVectorDb(
        vdb.RegisterVectorDbRequest(
            vector_db_id=db_id, embedding_model=EMBED, provider_id=provider
        ),
        timeout=60,
    ).vector_db
    assert registered.embedding_dimension == 384 and registered.provider_id == provider

    docs = [
        rt.RagDocument(document_id=k, content=text(v), metadata={"topic": k})
        for k, v in DOCS.items()
    ]
    inserted = tools.InsertRagDocuments(
        trs.InsertRagDocumentsRequest(documents=docs, vector_db_id=db_id, chunk_size_in_tokens=64),
        timeout=120,
    )
    assert inserted.chunk_count >= 3 and inserted.document_count == 3
    again = tools.InsertRagDocuments(
        trs.InsertRagDocumentsRequest(documents=docs, vector_db_id=db_id, chunk_size_in_tokens=64),
        timeout=120,
    )
    assert again.chunk_count == inserted.chunk_count

    for mode in (vio.SEARCH_MODE_VECTOR, vio.SEARCH_MODE_KEYWORD, vio.SEARCH_MODE_HYBRID):
        found = vectors.QueryChunks(
            vios.QueryChunksRequest(
                vector_db_id=db_id,
                query=text("Who designed the tower in Paris?"),
                params=vio.QueryParams(max_chunks=2, mode=mode),
            ),
            timeout=60,
        )
        assert found.chunks, mode
        assert found.chunks[0].metadata["document_id"] == "eiffel", (mode, found)
        assert list(found.scores) == sorted(found.scores, reverse=True)

    context = tools.QueryRagContext(
        trs.QueryRagContextRequest(
            content=text("What do quantum computers use instead of bits?"),
            vector_db_ids=[db_id],
            query_config=rt.RagQueryConfig(max_chunks=1, mode=vio.SEARCH_MODE_HYBRID),
        ),
        timeout=60,
    )
    joined = "".join(c.text for c in context.content)
    assert "qubits" in joined and "BEGIN of knowledge_search" in joined
    assert list(context.metadata["document_ids"]) == ["qubits"]

    deleted = vectors.DeleteChunks(
        vios.DeleteChunksRequest(vector_db_id=db_id, document_ids=["eiffel"]), timeout=60
    )
    assert deleted.deleted_count >= 1
    after = vectors.QueryChunks(
        vios.QueryChunksRequest(
            vector_db_id=db_id, query=text("Eiffel tower Paris"),
            params=vio.QueryParams(max_chunks=5, mode=vio.SEARCH_MODE_KEYWORD),
        ),
        timeout=60,
    )  # fmt: skip
    assert all(c.metadata["document_id"] != "eiffel" for c in after.chunks)

    dbs.UnregisterVectorDb(vdb.UnregisterVectorDbRequest(vector_db_id=db_id), timeout=60)
    with pytest.raises(grpc.RpcError) as err:
        vectors.QueryChunks(
            vios.QueryChunksRequest(vector_db_id=db_id, query=text("x")), timeout=30
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
