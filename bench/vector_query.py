"""Vector query latency: the inline::qdrant engine called in-process versus the same engine
behind the vector IO service, directly and through the gateway (the mesh).

`python -m bench.vector_query [--quick]` builds collections of 10k and 100k chunks x 384
dimensions in-process (random unit vectors, synthetic 20-word texts; the HNSW index built
once), copies each into the service's directory and registers it through the gateway (the
service reopens it), then alternates the three paths on the same queries, in vector mode
(query vector given) and hybrid mode (query vector + text, RRF), 5 chunks per query. The
in-process path runs exactly what the service runs (engine search, keyword search, fusion)
minus gRPC. Prints p50/p99 per path and the p50 the mesh adds.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from pathlib import Path

import grpc
import numpy as np

from bench.harness import emit, interleaved, summary
from bench.mesh import BenchMesh
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from llamastack.vector_io.v1 import vector_io_pb2 as vio
from llamastack.vector_io.v1 import vector_io_service_pb2 as vios
from llamastack.vector_io.v1 import vector_io_service_pb2_grpc as vios_grpc
from services.common.providers import PROVIDER_ID_METADATA
from services.vector_io.engine import safe_name
from services.vector_io.fusion import candidates_for, fuse
from services.vector_io.providers.qdrant.edge import EdgeEngine, QdrantEdgeConfig
from services.vector_io.types import Ranker, StoredChunk

DIM = 384
K = 5
HNSW_EF = 128
WORDS = [f"w{i}" for i in range(3000)]


def corpus(n: int, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    picks = rng.integers(0, len(WORDS), size=(n, 20))
    return vectors, [" ".join(WORDS[j] for j in row) for row in picks]


def _chunk(i: int, text: str, vector: np.ndarray) -> StoredChunk:
    doc = f"d{i // 10}"
    payload = {"content": [{"text": text}], "metadata": {"document_id": doc}, "chunk_metadata": {}}
    return StoredChunk(f"c{i}", doc, text, vector.tolist(), payload)


async def build(root: Path, name: str, n: int) -> float:
    """The collection on disk, HNSW index built; seconds it took."""
    started = time.monotonic()
    vectors, texts = corpus(n)
    engine = EdgeEngine(root, QdrantEdgeConfig(index_threshold=10_000_000, hnsw_ef=HNSW_EF))
    collection = await engine.open(name, DIM)
    for start in range(0, n, 5000):
        await collection.upsert(
            [_chunk(i, texts[i], vectors[i]) for i in range(start, min(start + 5000, n))]
        )
    await engine._run(collection.shard.optimize)
    await collection.close()
    engine.executor.shutdown()
    return time.monotonic() - started


class Case:
    """The three paths for one collection and mode, on the same rotating queries."""

    def __init__(self, name: str, mode: str, local, gateway, direct, queries, words) -> None:
        self.name, self.mode, self.local = name, mode, local
        self.gateway, self.direct = gateway, direct
        self.queries, self.words = queries, words
        self.i = 0

    def _next(self) -> tuple[list[float], str]:
        self.i += 1
        return self.queries[self.i % 64].tolist(), self.words[self.i % 64]

    def _request(self) -> vios.QueryChunksRequest:
        vector, text = self._next()
        q = vios.QueryChunksRequest(vector_db_id=self.name, query_embedding=vector)
        q.params.max_chunks = K
        if self.mode == "hybrid":
            q.query.add(text=text)
            q.params.mode = vio.SEARCH_MODE_HYBRID
        return q

    async def in_process(self):
        """What the service runs for the query, minus gRPC."""
        vector, text = self._next()
        if self.mode == "vector":
            return await self.local.search_vector(vector, K, None, 0.0)
        n = candidates_for(K)
        hits = await self.local.search_vector(vector, n, None, 0.0)
        words = await self.local.search_keyword(text, n, None)
        return fuse(hits, words, Ranker())[:K]

    async def service(self):
        await self.direct.QueryChunks(self._request(), metadata=((PROVIDER_ID_METADATA, "qdrant"),))

    async def mesh(self):
        await self.gateway.QueryChunks(self._request())


async def measure(mesh: BenchMesh, sizes: list[int], build_root: Path, quick: bool) -> dict:
    out: dict = {}
    rng = np.random.default_rng(1)
    queries = rng.normal(size=(64, DIM)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    words = [" ".join(rng.choice(WORDS, 3)) for _ in range(64)]
    service_root = mesh.workdir / "qdrant"
    async with (
        grpc.aio.insecure_channel(mesh.gateway.address) as gch,
        grpc.aio.insecure_channel(mesh.services["vector_io"].address) as dch,
    ):
        dbs = vdb_grpc.VectorDbServiceStub(gch)
        gateway, direct = vios_grpc.VectorIoServiceStub(gch), vios_grpc.VectorIoServiceStub(dch)
        for n in sizes:
            name = f"bench-{n}"
            build_s = await build(build_root, name, n)
            shutil.copytree(build_root / safe_name(name), service_root / safe_name(name))
            register = vdb.RegisterVectorDbRequest(
                vector_db_id=name, embedding_model="echo-embed/embed", provider_id="qdrant"
            )
            await dbs.RegisterVectorDb(register)  # the service reopens the copied collection
            engine = EdgeEngine(build_root, QdrantEdgeConfig(hnsw_ef=HNSW_EF))
            local = await engine.open(name, DIM)
            for mode in ("vector", "hybrid"):
                case = Case(name, mode, local, gateway, direct, queries, words)
                paths = {"in_process": case.in_process, "direct": case.service, "mesh": case.mesh}
                rounds, per_round = (3, 50) if quick else (10, 100)
                lat = await interleaved(paths, rounds=rounds, per_round=per_round, warmup=20)
                out[f"{n}_{mode}"] = {
                    "chunks": n,
                    "mode": mode,
                    "build_s": round(build_s, 1),
                    **{p: summary(lat.flat(p)) for p in paths},
                    "mesh_added_p50_us": lat.added_p50_us("mesh", "in_process"),
                    "service_added_p50_us": lat.added_p50_us("direct", "in_process"),
                    "gateway_added_p50_us": lat.added_p50_us("mesh", "direct"),
                }
            await local.close()
            engine.executor.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="10k chunks only, fewer rounds")
    args = parser.parse_args()
    sizes = [10_000] if args.quick else [10_000, 100_000]
    mesh = BenchMesh(
        {
            "version": 2,
            "image_name": "bench-vector",
            "providers": {
                # A stand-in inference service: the vector DB must name a registered
                # embedding model, but queries here carry their vectors.
                "inference": [
                    {
                        "provider_id": "echo-embed",
                        "provider_type": "test::echo",
                        "config": {"models": ["embed"]},
                    }
                ],
                "vector_io": [
                    {
                        "provider_id": "qdrant",
                        "provider_type": "inline::qdrant",
                        "config": {"path": "QDRANT_DIR", "hnsw_ef": HNSW_EF},
                    }
                ],
            },
            "services": {"inference": {}, "vector_io": {}},
            "models": [
                {
                    "model_id": "embed",
                    "provider_id": "echo-embed",
                    "model_type": "embedding",
                    "metadata": {"embedding_dimension": DIM},
                }
            ],
        },
        {"inference": "tests.support.echo_service", "vector_io": "services.vector_io"},
    )
    text = mesh.run_config.read_text().replace("QDRANT_DIR", str(mesh.workdir / "qdrant"))
    mesh.run_config.write_text(text)
    build_root = mesh.workdir / "in-process"
    mesh.start(envoy=False)
    try:
        doc = asyncio.run(measure(mesh, sizes, build_root, args.quick))
    finally:
        mesh.stop()
        shutil.rmtree(mesh.workdir, ignore_errors=True)
    table = [
        ("case", "in-process p50/p99 µs", "service p50 µs", "mesh p50/p99 µs", "mesh adds p50 µs")
    ]
    for case, r in doc.items():
        table.append((case, f"{r['in_process']['p50_us']}/{r['in_process']['p99_us']}",
                      r["direct"]["p50_us"], f"{r['mesh']['p50_us']}/{r['mesh']['p99_us']}",
                      r["mesh_added_p50_us"]))  # fmt: skip
    emit("vector_query", {"cases": doc, "target_mesh_added_p50_us": 1000}, table)


if __name__ == "__main__":
    main()
