"""Vector IO through the gateway: precomputed embeddings, filters, TTL, and every mistake a
caller can make answered with a clear status and nothing half-written; a vector DB survives a
restart of the service."""

from __future__ import annotations

import time

import grpc
import numpy as np
import pytest
from google.protobuf import json_format

from llamastack.common.v1 import content_pb2
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from llamastack.vector_io.v1 import vector_io_pb2 as vio
from llamastack.vector_io.v1 import vector_io_service_pb2 as vios
from llamastack.vector_io.v1 import vector_io_service_pb2_grpc as vios_grpc
from tests.integration.vector_tools.mesh import EMBED
from tests.support.processes import wait_healthy

DB = "vio-checks"


def text(t: str) -> list[content_pb2.ContentItem]:
    return [content_pb2.ContentItem(text=t)]


def chunk(t: str, doc: str, **meta) -> vio.Chunk:
    c = vio.Chunk(content=text(t))
    c.metadata.update({"document_id": doc, **meta})
    return c


def unit(seed: int, dim: int = 384) -> list[float]:
    v = np.random.default_rng(seed).normal(size=dim)
    return (v / np.linalg.norm(v)).tolist()


@pytest.fixture(scope="module")
def dbs(vt_channel):
    return vdb_grpc.VectorDbServiceStub(vt_channel)


@pytest.fixture(scope="module")
def vectors(vt_channel):
    return vios_grpc.VectorIoServiceStub(vt_channel)


@pytest.fixture(scope="module")
def db(dbs, vectors):
    dbs.RegisterVectorDb(
        vdb.RegisterVectorDbRequest(vector_db_id=DB, embedding_model=EMBED, provider_id="qdrant"),
        timeout=60,
    )
    vectors.InsertChunks(
        vios.InsertChunksRequest(
            vector_db_id=DB,
            chunks=[
                chunk("Apples are red or green fruit.", "fruit", kind="fruit", year=2020),
                chunk("Bananas are long yellow fruit.", "fruit", kind="fruit", year=2023),
                chunk("Carrots are orange root vegetables.", "veg", kind="vegetable", year=2021),
            ],
        ),
        timeout=60,
    )
    yield DB
    dbs.UnregisterVectorDb(vdb.UnregisterVectorDbRequest(vector_db_id=DB), timeout=60)


def query(vectors, q: str = "", **params) -> vios.QueryChunksResponse:
    flt = params.pop("filter", None)
    request = vios.QueryChunksRequest(vector_db_id=DB, query=text(q) if q else [])
    request.params.CopyFrom(vio.QueryParams(**params))
    if flt is not None:
        json_format.ParseDict(flt, request.params.filter)
    return vectors.QueryChunks(request, timeout=60)


def test_metadata_filters(vectors, db):
    found = query(vectors, "fruit", max_chunks=5, filter={
        "comparison": {"key": "year", "op": "FILTER_OPERATOR_GTE", "value": 2021}})  # fmt: skip
    assert {c.content[0].text.split()[0] for c in found.chunks} == {"Bananas", "Carrots"}
    both = [
        {"comparison": {"key": "kind", "op": "FILTER_OPERATOR_EQ", "value": "fruit"}},
        {"comparison": {"key": "year", "op": "FILTER_OPERATOR_LT", "value": 2022}},
    ]
    flt = {"compound": {"op": "COMPOUND_OPERATOR_AND", "filters": both}}
    either = query(vectors, "food", max_chunks=5, mode=vio.SEARCH_MODE_HYBRID, filter=flt)
    assert [c.content[0].text.split()[0] for c in either.chunks] == ["Apples"]


def test_returned_chunks_carry_their_bookkeeping(vectors, db):
    top = query(vectors, "orange vegetables", max_chunks=1).chunks[0]
    assert top.chunk_metadata.document_id == "veg"
    assert top.chunk_metadata.chunk_embedding_model == EMBED
    assert top.chunk_metadata.chunk_embedding_dimension == 384
    assert top.chunk_metadata.created_timestamp.seconds > 0 and top.chunk_id


def test_query_by_precomputed_vector(vectors, db):
    vectors.InsertChunks(
        vios.InsertChunksRequest(
            vector_db_id=DB,
            chunks=[vio.Chunk(content=text("a point"), embedding=unit(7), chunk_id="p7")],
        ),
        timeout=60,
    )
    request = vios.QueryChunksRequest(vector_db_id=DB, query_embedding=unit(7))
    request.params.max_chunks = 1
    found = vectors.QueryChunks(request, timeout=60)
    assert found.chunks[0].chunk_id == "p7" and found.scores[0] == pytest.approx(1.0, abs=1e-4)
    vectors.DeleteChunks(vios.DeleteChunksRequest(vector_db_id=DB, chunk_ids=["p7"]), timeout=60)


def _fails(call, code: grpc.StatusCode, *needles: str) -> str:
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == code, err.value.details()
    for needle in needles:
        assert needle in err.value.details(), err.value.details()
    return err.value.details()


def test_mistakes_get_clear_statuses(vectors, db):
    invalid, missing = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND
    bad_dim = vio.Chunk(content=text("x"), embedding=[0.1] * 5)
    bad_insert = vios.InsertChunksRequest(vector_db_id=DB, chunks=[bad_dim])
    _fails(lambda: vectors.InsertChunks(bad_insert), invalid, "chunks[0].embedding has 5", "384")
    unknown = vios.QueryChunksRequest(vector_db_id="nope", query=text("x"))
    _fails(lambda: vectors.QueryChunks(unknown), missing, "nope")
    _fails(lambda: query(vectors, ""), invalid, "query is empty")
    _fails(lambda: query(vectors, "fruit", filter={
        "comparison": {"key": "colour", "op": "FILTER_OPERATOR_EQ", "value": "red"}}),
        invalid, "'colour'")  # fmt: skip
    _fails(lambda: query(vectors, "fruit", filter={
        "comparison": {"key": "year", "op": "FILTER_OPERATOR_GT", "value": "soon"}}),
        invalid, "number")  # fmt: skip
    _fails(lambda: query(vectors, "fruit", max_chunks=100_000), invalid, "max_chunks")
    _fails(lambda: vectors.DeleteChunks(vios.DeleteChunksRequest(vector_db_id=DB)), invalid,
           "chunk_ids or document_ids")  # fmt: skip


def test_a_bad_chunk_stores_nothing(vectors, db):
    good = chunk("Dates are sweet fruit from palm trees.", "dates")
    bad = vio.Chunk(content=[content_pb2.ContentItem(image=content_pb2.ImageContent(data=b"x"))])
    _fails(
        lambda: vectors.InsertChunks(vios.InsertChunksRequest(vector_db_id=DB, chunks=[good, bad])),
        grpc.StatusCode.INVALID_ARGUMENT, "chunks[1]",
    )  # fmt: skip
    found = query(vectors, "sweet dates palm", max_chunks=5, mode=vio.SEARCH_MODE_KEYWORD)
    assert all(c.metadata["document_id"] != "dates" for c in found.chunks)


def test_chunks_expire(vectors, db):
    vectors.InsertChunks(
        vios.InsertChunksRequest(vector_db_id=DB, chunks=[chunk("Figs ripen late.", "figs")],
                                 ttl_seconds=1),
        timeout=60,
    )  # fmt: skip
    assert query(vectors, "figs ripen", mode=vio.SEARCH_MODE_KEYWORD).chunks
    time.sleep(1.2)
    assert not query(vectors, "figs ripen", mode=vio.SEARCH_MODE_KEYWORD).chunks


def test_a_vector_db_survives_a_restart(dbs, vectors, vt_services):
    for provider in ("qdrant", "sqlite-vec"):
        dbs.RegisterVectorDb(
            vdb.RegisterVectorDbRequest(
                vector_db_id=f"durable-{provider}", embedding_model=EMBED, provider_id=provider
            ),
            timeout=60,
        )
        vectors.InsertChunks(
            vios.InsertChunksRequest(vector_db_id=f"durable-{provider}",
                                     chunks=[chunk("Kiwis are fuzzy brown fruit.", "kiwi")]),
            timeout=60,
        )  # fmt: skip
    service = vt_services["vector_io"]
    service.stop()
    service.start(timeout=60)
    wait_healthy(service.address, 60)
    for provider in ("qdrant", "sqlite-vec"):
        db_id = f"durable-{provider}"
        found = _retry_query(vectors, db_id)
        assert found.chunks[0].metadata["document_id"] == "kiwi"
        dbs.UnregisterVectorDb(vdb.UnregisterVectorDbRequest(vector_db_id=db_id), timeout=60)


def _retry_query(vectors, db_id: str) -> vios.QueryChunksResponse:
    """The gateway re-registers stored vector DBs within a few seconds of the restart."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return vectors.QueryChunks(
                vios.QueryChunksRequest(vector_db_id=db_id, query=text("fuzzy kiwi")), timeout=30
            )
        except grpc.RpcError as err:
            if time.monotonic() > deadline or err.code() not in (
                grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNAVAILABLE,
            ):  # fmt: skip
                raise
            time.sleep(0.2)
