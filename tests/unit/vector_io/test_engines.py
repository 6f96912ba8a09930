"""The three engines in-process (real qdrant-edge, sqlite-vec, qdrant-client local mode):
store, search by vector and keyword, filter, delete, reopen from disk."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from services.vector_io.chunks import stored
from services.vector_io.providers import PROVIDERS
from services.vector_io.types import Chunk, Comparison, Compound

DIM = 8
TEXTS = [
    ("doc-a", "Llamas are domesticated camelids from South America.",
     {"animal": "llama", "year": 2020}),
    ("doc-a", "Alpacas are smaller than llamas and bred for fibre.",
     {"animal": "alpaca", "year": 2021}),
    ("doc-b", "The Eiffel Tower is a wrought-iron lattice tower in Paris.",
     {"city": "paris", "year": 1889}),
    ("doc-c", "Quantum computers use qubits instead of bits.",
     {"topic": "physics", "year": 2024, "nested": {"k": "v"}}),
]  # fmt: skip


def configs(tmp_path):
    return {
        "inline::qdrant": {"path": str(tmp_path / "edge")},
        "inline::sqlite-vec": {"path": str(tmp_path / "sqlite")},
        "remote::qdrant": {"path": str(tmp_path / "local")},
    }


def vec(i: int) -> list[float]:
    rng = np.random.default_rng(i)
    v = rng.normal(size=DIM)
    return (v / np.linalg.norm(v)).tolist()


async def _provider(kind, tmp_path):
    p = PROVIDERS[kind]("p", configs(tmp_path)[kind])
    await p.initialize()
    return p


def records():
    return [
        stored(Chunk([{"text": t}], t, {"document_id": d, **m}), vec(i), "m", DIM, None)
        for i, (d, t, m) in enumerate(TEXTS)
    ]


@pytest.fixture(params=sorted(PROVIDERS))
def kind(request):
    return request.param


async def test_store_search_filter_delete_and_reopen(kind, tmp_path):
    p = await _provider(kind, tmp_path)
    col = await p.engine.open("docs/one", DIM)
    recs = records()
    await col.upsert(recs)
    await col.upsert(recs)  # idempotent
    assert await col.count() == 4

    hits = await col.search_vector(vec(2), 2, None, 0.0)
    assert hits[0].chunk_id == recs[2].chunk_id and hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[0].payload["metadata"]["city"] == "paris"

    words = await col.search_keyword("llama fibre", 4, None)
    assert {h.chunk_id for h in words} == {recs[0].chunk_id, recs[1].chunk_id}

    by_year = await col.search_vector(vec(0), 4, Comparison("year", "gte", 2021), 0.0)
    assert {h.chunk_id for h in by_year} == {recs[1].chunk_id, recs[3].chunk_id}
    either = Compound(
        "or", (Comparison("animal", "eq", "llama"), Comparison("city", "eq", "paris"))
    )
    assert {h.chunk_id for h in await col.search_vector(vec(0), 4, either, 0.0)} == {
        recs[0].chunk_id, recs[2].chunk_id,
    }  # fmt: skip
    not_llama = await col.search_vector(vec(0), 4, Comparison("animal", "ne", "llama"), 0.0)
    assert recs[0].chunk_id not in {h.chunk_id for h in not_llama} and len(not_llama) == 3
    assert {
        h.chunk_id
        for h in await col.search_keyword("llamas", 4, Comparison("animal", "in", ["alpaca"]))
    } == {recs[1].chunk_id}
    nested = await col.search_vector(vec(0), 4, Comparison("nested.k", "eq", "v"), 0.0)
    assert [h.chunk_id for h in nested] == [recs[3].chunk_id]
    assert await col.has_metadata_key("year") and await col.has_metadata_key("nested.k")
    assert not await col.has_metadata_key("colour")

    high = await col.search_vector(vec(2), 4, None, 0.99)
    assert [h.chunk_id for h in high] == [recs[2].chunk_id]

    # Replace document a: keep chunk 0, drop its other chunk.
    assert await col.delete([], ["doc-a"], [recs[0].chunk_id]) == 1
    assert await col.delete([recs[3].chunk_id], [], []) == 1
    assert await col.count() == 2

    await col.close()
    if kind == "remote::qdrant":
        await p.shutdown()  # local mode locks its directory for one client
        p = await _provider(kind, tmp_path)
    again = await p.engine.open("docs/one", DIM)
    assert await again.count() == 2
    from services.common.errors import FailedPrecondition

    await again.close()
    with pytest.raises(FailedPrecondition):
        await p.engine.open("docs/one", DIM + 1)
    await p.engine.drop("docs/one")
    fresh = await p.engine.open("docs/one", DIM + 1)
    assert await fresh.count() == 0
    await fresh.close()
    await p.shutdown()


async def test_expired_chunks_are_not_found(kind, tmp_path):
    p = await _provider(kind, tmp_path)
    col = await p.engine.open("ttl", DIM)
    recs = records()
    recs[0].expires_at = 1.0  # long ago
    await col.upsert(recs[:2])
    hits = await col.search_vector(vec(0), 4, None, 0.0)
    assert recs[0].chunk_id not in {h.chunk_id for h in hits}
    await asyncio.sleep(0)
    await col.close()
    await p.shutdown()
