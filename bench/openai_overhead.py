"""OpenAI-compatible API: what `/v1/chat/completions` through the mesh adds.

`python -m bench.openai_overhead [--quick]` runs a real llama.cpp OpenAI server
(`python -m llama_cpp.server`, SmolLM2) and a mesh (Envoy → gateway → inference service) whose
inference service hosts `remote::openai-compatible` in front of that same server. Three paths,
interleaved in alternating blocks, one request at a time, from the same `httpx` client, all
ending at the same server doing the same work:

- `server_direct`: the llama.cpp server's own `/v1/chat/completions`;
- `mesh_openai`: the mesh's `/v1/chat/completions` (the request passes through);
- `mesh_native`: the native route `/v1/inference/chat-completion` (translated by the remote
  adapter to the same server call and back);
- `service_grpc`: the inference service's `OpenAIService/ChatCompletionsHttp` called directly
  over gRPC (no Envoy, no gateway): what the service and its HTTP call upstream cost alone.

Unary calls generate one token (greedy, same prompt: the server reuses its prompt cache), so
the model's share is small and equal; streams are timed to the first chunk with generated
text. "Added" figures are medians of per-round paired differences (`bench.harness.Rounds`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import grpc
import httpx
from google.protobuf import json_format

from bench.harness import Rounds, emit, interleaved, summary
from bench.mesh import BenchMesh, remote_server_mesh
from llamastack.openai.v1 import openai_service_pb2 as pb
from llamastack.openai.v1 import openai_service_pb2_grpc as pb_grpc
from services.common.providers import PROVIDER_ID_METADATA
from tests.integration.inference.mesh import REMOTE_MODEL, LlamaServer

MODEL = f"remote/{REMOTE_MODEL}"
PROMPT = "Say one word."
_PROVIDER = ((PROVIDER_ID_METADATA, "remote"),)
PATHS = ("server_direct", "mesh_openai", "mesh_native", "service_grpc")


def openai_body(model: str, stream: bool, max_tokens: int) -> dict:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": max_tokens,
        "temperature": 0,
    }
    return {**body, "stream": True} if stream else body


def native_body(max_tokens: int) -> dict:
    return {
        "model_id": MODEL,
        "messages": [{"role": "ROLE_USER", "content": [{"text": PROMPT}]}],
        "sampling_params": {"max_tokens": max_tokens},
    }


class Calls:
    """One request on each path: a unary call, and a stream timed to its first text."""

    def __init__(self, http: httpx.AsyncClient, server: str, mesh: str, service) -> None:
        self.http = http
        self.service = service  # OpenAIServiceStub on the inference service's own channel
        native = f"{mesh}/v1/inference/chat-completion"
        self.unary_paths = {
            "server_direct": (f"{server}/chat/completions", openai_body(REMOTE_MODEL, False, 1)),
            "mesh_openai": (f"{mesh}/v1/chat/completions", openai_body(MODEL, False, 1)),
            "mesh_native": (native, native_body(1)),
        }
        self.stream_paths = {
            "server_direct": (f"{server}/chat/completions", openai_body(REMOTE_MODEL, True, 4)),
            "mesh_openai": (f"{mesh}/v1/chat/completions", openai_body(MODEL, True, 4)),
            "mesh_native": (f"{native}:stream", native_body(4)),
        }
        self.ttfc: dict[str, list[float]] = {name: [] for name in PATHS}

    def _grpc_request(self, stream: bool) -> pb.CreateChatCompletionRequest:
        body = openai_body(REMOTE_MODEL, stream, 4 if stream else 1)
        return json_format.ParseDict(body, pb.CreateChatCompletionRequest())

    def unary(self, name: str):
        if name == "service_grpc":
            request = self._grpc_request(False)

            async def direct() -> None:
                async for _ in self.service.ChatCompletionsHttp(request, metadata=_PROVIDER):
                    pass

            return direct
        url, body = self.unary_paths[name]

        async def call() -> None:
            r = await self.http.post(url, json=body)
            r.raise_for_status()

        return call

    def stream(self, name: str):
        if name == "service_grpc":
            request = self._grpc_request(True)

            async def direct() -> None:
                t = time.perf_counter()
                first = float("nan")
                async for event in self.service.ChatCompletionsHttp(request, metadata=_PROVIDER):
                    if first != first and _has_text(event.data.decode().strip()):
                        first = time.perf_counter() - t
                self.ttfc[name].append(first)

            return direct
        url, body = self.stream_paths[name]

        async def call() -> None:
            t = time.perf_counter()
            first = float("nan")
            async with self.http.stream("POST", url, json=body) as r:
                r.raise_for_status()
                async for line in r.aiter_lines():
                    if first != first and _has_text(line):  # nan: no text yet
                        first = time.perf_counter() - t
            self.ttfc[name].append(first)

        return call


def _has_text(line: str) -> bool:
    """An SSE event carrying generated text (OpenAI: delta.content; native: delta.text)."""
    if not line.startswith("data: {"):
        return False
    data = json.loads(line[6:])
    if "choices" in data:
        return any((c.get("delta") or {}).get("content") for c in data["choices"])
    return bool(data.get("event", {}).get("delta", {}).get("text"))


async def measure(server: LlamaServer, mesh: BenchMesh, rounds: int, per_round: int) -> dict:
    limits = httpx.Limits(max_keepalive_connections=8)
    address = mesh.services["inference"].address
    async with (
        httpx.AsyncClient(timeout=120, limits=limits) as http,
        grpc.aio.insecure_channel(address) as channel,
    ):
        calls = Calls(http, server.url, mesh.rest, pb_grpc.OpenAIServiceStub(channel))
        unary: Rounds = await interleaved(
            {name: calls.unary(name) for name in PATHS}, rounds, per_round, warmup=10
        )
        streams: Rounds = await interleaved(
            {name: calls.stream(name) for name in PATHS},
            rounds,
            max(per_round // 2, 5),
            warmup=5,
        )
    ttfc = Rounds({name: [] for name in streams})
    for name, per_round_latencies in streams.items():  # regroup TTFC per round, like latency
        values = calls.ttfc[name][-sum(len(r) for r in per_round_latencies) :]
        i = 0
        for rnd in per_round_latencies:
            ttfc[name].append(values[i : i + len(rnd)])
            i += len(rnd)
    return {
        "settings": {"rounds": rounds, "per_round": per_round, "max_tokens_unary": 1,
                     "max_tokens_stream": 4, "prompt": PROMPT, "server_threads": 1},
        "unary": {name: summary(unary.flat(name)) for name in unary},
        "ttfc": {name: summary(ttfc.flat(name)) for name in ttfc},
        "added_p50_us": {
            "openai_vs_server_unary": unary.added_p50_us("mesh_openai", "server_direct"),
            "openai_vs_server_ttfc": ttfc.added_p50_us("mesh_openai", "server_direct"),
            "openai_vs_native_unary": unary.added_p50_us("mesh_openai", "mesh_native"),
            "openai_vs_native_ttfc": ttfc.added_p50_us("mesh_openai", "mesh_native"),
            "service_alone_vs_server_unary": unary.added_p50_us("service_grpc", "server_direct"),
            "service_alone_vs_server_ttfc": ttfc.added_p50_us("service_grpc", "server_direct"),
        },
        "targets": {"added_p50_us_at_most": 2000},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with remote_server_mesh("bench-openai") as (server, mesh):
        doc = asyncio.run(measure(server, mesh, *((4, 20) if args.quick else (10, 40))))
    table = [("path", "unary p50 µs", "unary p99 µs", "TTFC p50 µs")]
    for name in doc["unary"]:
        table.append((name, doc["unary"][name]["p50_us"], doc["unary"][name]["p99_us"],
                      doc["ttfc"][name]["p50_us"]))  # fmt: skip
    for key, value in doc["added_p50_us"].items():
        table.append((f"added: {key}", value, "", ""))
    emit("openai_overhead", doc, table)


if __name__ == "__main__":
    main()
