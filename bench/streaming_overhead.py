"""Streaming overhead: a provider streaming N chunks at a fixed pace, direct vs through the
gateway vs through Envoy (SSE).

`python -m bench.streaming_overhead [--quick]` prints a JSON document with the added
time-to-first-chunk and inter-chunk gap at a 2 ms pace, chunks/s with 1 and 64 concurrent
unpaced streams, the CPU each hop spends per chunk, and the number of chunks lost (must be
0). `bare_proxy` (bench/bare_proxy.py) is the floor of any Python gRPC hop.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import time

import grpc
import httpx

from bench.harness import cpu_seconds, emit, pct
from bench.mesh import BenchMesh
from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from services.common.providers import PROVIDER_ID_METADATA

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-stream",
    "providers": {"inference": [{"provider_id": "paced", "provider_type": "bench::paced"}]},
    "services": {"inference": {}},
    "models": [{"model_id": "echo", "provider_id": "paced"}],
}
MODEL = "paced/echo"
PACE_US = 2000


def _request(model: str, n: int, pace_us: int) -> inf.StreamChatCompletionRequest:
    return inf.StreamChatCompletionRequest(
        model_id=model,
        messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "go"}])],
        sampling_params=sampling_pb2.SamplingParams(
            max_tokens=n, top_k=sampling_pb2.TopKSampling(top_k=pace_us)
        ),
    )


def _body(n: int, pace_us: int) -> dict:
    return {
        "model_id": MODEL,
        "messages": [{"role": "ROLE_USER", "content": [{"text": "go"}]}],
        "sampling_params": {"max_tokens": n, "top_k": {"top_k": pace_us}},
    }


class Paths:
    def __init__(self, dch, pch, gch, http: httpx.AsyncClient) -> None:
        self.stubs = {
            "direct": inf_grpc.InferenceServiceStub(dch),
            "bare_proxy": inf_grpc.InferenceServiceStub(pch),
            "gateway": inf_grpc.InferenceServiceStub(gch),
        }
        self.http = http

    async def run(self, path: str, n: int, pace_us: int) -> tuple[list[float], list[str]]:
        """Arrival times (from the request) and texts of the chunks of one stream."""
        t0 = time.perf_counter()
        arrivals, texts = [], []
        if path == "envoy_sse":
            async with self.http.stream(
                "POST", "/v1/inference/chat-completion:stream", json=_body(n, pace_us)
            ) as resp:
                resp.raise_for_status()
                async for line in resp.aiter_lines():
                    if line.startswith("data:"):
                        arrivals.append(time.perf_counter() - t0)
                        texts.append(json.loads(line[5:])["event"].get("delta", {}).get("text", ""))
        else:
            model = MODEL if path == "gateway" else "echo"
            md = ((PROVIDER_ID_METADATA, "paced"),) if path == "direct" else ()
            stub = self.stubs[path]
            async for chunk in stub.StreamChatCompletion(_request(model, n, pace_us), metadata=md):
                arrivals.append(time.perf_counter() - t0)
                texts.append(chunk.event.delta.text)
        return arrivals, texts


def _paired(values: list[float], baseline: list[float]) -> float:
    return statistics.median(a - b for a, b in zip(values, baseline, strict=True))


def _lost(texts: list[str], n: int) -> int:
    """Chunks missing or out of order (the last event is COMPLETE, with no text)."""
    expected = [str(i) for i in range(n)] + [""]
    return sum(1 for a, b in zip(texts, expected, strict=False) if a != b) + abs(
        len(texts) - len(expected)
    )


async def measure(mesh: BenchMesh, quick: bool) -> dict:
    names = ("direct", "bare_proxy", "gateway", "envoy_sse")
    pids = {"bare_proxy": mesh.bare_proxy.popen.pid, "gateway": mesh.gateway.popen.pid,
            "envoy_sse": mesh.gateway.popen.pid}  # fmt: skip
    async with (
        grpc.aio.insecure_channel(mesh.services["inference"].address) as dch,
        grpc.aio.insecure_channel(mesh.bare_proxy.address) as pch,
        grpc.aio.insecure_channel(mesh.gateway.address) as gch,
        httpx.AsyncClient(base_url=mesh.rest, timeout=120) as http,
    ):
        paths = Paths(dch, pch, gch, http)
        lost = dict.fromkeys(names, 0)

        # Paced: added time to first chunk and inter-chunk gap.
        n_paced, rounds = (20, 6) if quick else (50, 20)
        ttfc: dict[str, list[float]] = {k: [] for k in names}
        gaps: dict[str, list[float]] = {k: [] for k in names}
        for name in names:
            await paths.run(name, 5, 0)  # warm-up
        for r in range(rounds):
            for name in names if r % 2 == 0 else reversed(names):
                arrivals, texts = await paths.run(name, n_paced, PACE_US)
                lost[name] += _lost(texts, n_paced)
                ttfc[name].append(arrivals[0])
                gaps[name] += [b - a for a, b in itertools.pairwise(arrivals[:-1])]

        # Unpaced: chunks per second with 1 and 64 concurrent streams.
        rate: dict[str, dict[str, float]] = {k: {} for k in names}
        cpu_per_chunk: dict[str, float] = {}
        n_fast = 500 if quick else 2000
        for streams in (1, 64):
            per_stream = n_fast if streams == 1 else max(50, n_fast // 16)
            for name in names:
                pid = pids.get(name)
                cpu = cpu_seconds(pid) if pid else 0.0
                t = time.perf_counter()
                results = await asyncio.gather(
                    *(paths.run(name, per_stream, 0) for _ in range(streams))
                )
                elapsed = time.perf_counter() - t
                for _, texts in results:
                    lost[name] += _lost(texts, per_stream)
                rate[name][f"streams_{streams}"] = round(streams * per_stream / elapsed)
                if pid and streams == 64:
                    cpu_per_chunk[name] = round(
                        (cpu_seconds(pid) - cpu) / (streams * per_stream) * 1e6, 1
                    )

    def us(v: float) -> float:
        return round(v * 1e6, 1)

    first = {k: us(statistics.median(v)) for k, v in ttfc.items()}
    gap = {k: us(statistics.median(v)) for k, v in gaps.items()}
    return {
        "pace_us": PACE_US,
        "time_to_first_chunk_p50_us": first,
        "time_to_first_chunk_p99_us": {k: us(pct(v, 99)) for k, v in ttfc.items()},
        "inter_chunk_gap_p50_us": gap,
        # Paired by round (each round streams once on every path), so drift cancels out.
        "added_ttfc_us": {name: us(_paired(ttfc[name], ttfc["direct"])) for name in names[1:]},
        "added_gap_us": {
            "bare_proxy": round(gap["bare_proxy"] - gap["direct"], 1),
            "gateway": round(gap["gateway"] - gap["direct"], 1),
            "envoy_sse": round(gap["envoy_sse"] - gap["direct"], 1),
        },
        "chunks_per_s": rate,
        "hop_cpu_us_per_chunk_64_streams": cpu_per_chunk,
        "gateway_capacity_chunks_per_s_per_core": round(1e6 / cpu_per_chunk["gateway"])
        if cpu_per_chunk.get("gateway")
        else None,
        "bare_proxy_capacity_chunks_per_s_per_core": round(1e6 / cpu_per_chunk["bare_proxy"])
        if cpu_per_chunk.get("bare_proxy")
        else None,
        "ratio_chunks_per_s_64": {
            "gateway/direct": round(rate["gateway"]["streams_64"] / rate["direct"]["streams_64"], 3)
        },
        "chunks_lost": lost,
        "targets": {
            "added_ttfc_us_under": 1000,
            "gateway_chunks_per_s_at_least": 20000,
            "chunks_lost": 0,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    mesh = BenchMesh(RUN_CONFIG, {"inference": "bench.paced_service"}).start(bare_proxy=True)
    try:
        doc = asyncio.run(measure(mesh, args.quick))
    finally:
        mesh.stop()
    table = [("path", "TTFC p50 µs", "gap p50 µs", "chunks/s (1)", "chunks/s (64)", "lost")]
    for name in doc["time_to_first_chunk_p50_us"]:
        table.append(
            (name, doc["time_to_first_chunk_p50_us"][name], doc["inter_chunk_gap_p50_us"][name],
             doc["chunks_per_s"][name]["streams_1"], doc["chunks_per_s"][name]["streams_64"],
             doc["chunks_lost"][name])
        )  # fmt: skip
    emit("streaming_overhead", doc, table)


if __name__ == "__main__":
    main()
