"""The hot path in front of a real model server: what each hop of the mesh adds.

`python -m bench.hot_path [--quick]` starts a real OpenAI-compatible server
(`python -m llama_cpp.server`, SmolLM2, one thread, `--interrupt_requests false`) and a mesh
(Envoy → gateway → inference service with `remote::openai-compatible` → that server), then
measures five paths to the same server doing the same work, interleaved in alternating blocks:

- `direct`: HTTP to the server's own `/v1/chat/completions`;
- `service`: the inference service's `OpenAIService/ChatCompletionsHttp` over gRPC (what the
  REST route runs, without the gateway);
- `gateway`: the same RPC through the gateway (gRPC);
- `gateway_typed`: `CreateChatCompletion` / `StreamChatCompletion` through the gateway (what a
  gRPC client calls);
- `rest`: `POST /v1/chat/completions` through Envoy (REST → gateway → service → server).

Three measurements, each interleaving the paths in alternating blocks:

1. *Unary alone*: one-token chats one at a time, the same prompt, which the server answers
   from its prompt cache in a few milliseconds: what each hop adds stands out. Also the CPU
   time every process spends per call on each path.
2. *Mixed*: unary chats and streams of 4 tokens alternating, as real traffic mixes them:
   unary latency and the time to the first streamed chunk with text. (llama-cpp-python's
   server keeps one prompt cached: after a stream the next call evaluates part of its prompt
   again, on every path alike.)
3. *Throughput*: the same mix with 16 and 64 calls in flight, every prompt new (the server
   then does the same work whatever order calls arrive in), each path in turn, repeated; the
   ratio is against `direct` in the same round.

"Added" figures are medians of per-round paired differences (`bench.harness.Rounds`), so
drift of a loaded machine between rounds cancels out.
HTTP paths share one `httpx` client; the two HTTP-vs-gRPC differences (`service - direct`,
`rest - gateway`) therefore include the difference between the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from typing import Any

import grpc
import httpx
from google.protobuf import json_format

from bench.harness import Rounds, cpu_seconds, emit, summary
from bench.mesh import BenchMesh, remote_server_mesh
from llamastack.openai.v1 import openai_service_pb2 as pb
from llamastack.openai.v1 import openai_service_pb2_grpc as pb_grpc
from services.common.providers import PROVIDER_ID_METADATA
from tests.integration.inference.mesh import REMOTE_MODEL, LlamaServer

MODEL = f"remote/{REMOTE_MODEL}"
PROMPT = "Say one word."
PATHS = ("direct", "service", "gateway", "gateway_typed", "rest")
_PROVIDER = ((PROVIDER_ID_METADATA, "remote"),)


def body(model: str, stream: bool) -> dict:
    out = {
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": 4 if stream else 1,
        "temperature": 0,
    }
    return {**out, "stream": True} if stream else out


def _has_text(data: bytes | str) -> bool:
    """An SSE event (or a chunk's JSON) carrying generated text."""
    text = data.decode() if isinstance(data, bytes) else data
    start = text.find("{")
    if start < 0:
        return False
    chunk = json.loads(text[start:])
    return any((c.get("delta") or {}).get("content") for c in chunk.get("choices") or ())


class Paths:
    """One call on each path: `unary()` returns its latency, `stream()` its time to the first
    chunk with text (the stream is read to the end)."""

    def __init__(self, http: httpx.AsyncClient, server: str, rest: str, service, gateway):
        self.http = http
        self.urls = {"direct": f"{server}/chat/completions", "rest": f"{rest}/v1/chat/completions"}
        self.stubs = {"service": service, "gateway": gateway, "gateway_typed": gateway}
        models = {"direct": REMOTE_MODEL, "service": REMOTE_MODEL}
        self.bodies = {
            (name, stream): body(models.get(name, MODEL), stream)
            for name in PATHS
            for stream in (False, True)
        }
        self.requests = {
            key: json_format.ParseDict(value, pb.CreateChatCompletionRequest())
            for key, value in self.bodies.items()
        }
        self._sent = 0

    def metadata(self, name: str):
        return _PROVIDER if name == "service" else None

    def _request(self, name: str, stream: bool, fresh: bool) -> tuple[dict, Any]:
        """(JSON body, protobuf request): the same prompt every time, or (`fresh`) a prompt no
        call sent before, which the server evaluates past the shared prefix whatever ran
        before it (so its cost does not depend on the order calls arrive in)."""
        if not fresh:
            return self.bodies[name, stream], self.requests[name, stream]
        self._sent += 1
        body = {**self.bodies[name, stream]}
        body["messages"] = [{"role": "user", "content": f"{PROMPT} (call {self._sent})"}]
        return body, json_format.ParseDict(body, pb.CreateChatCompletionRequest())

    async def unary(self, name: str, fresh: bool = False) -> float:
        body, request = self._request(name, False, fresh)
        t = time.perf_counter()
        if name in self.urls:
            r = await self.http.post(self.urls[name], json=body)
            r.raise_for_status()
            r.read()
        elif name == "gateway_typed":
            await self.stubs[name].CreateChatCompletion(request)
        else:
            call = self.stubs[name].ChatCompletionsHttp(request, metadata=self.metadata(name))
            async for _ in call:
                pass
        return time.perf_counter() - t

    async def stream(self, name: str, fresh: bool = False) -> float:
        body, request = self._request(name, True, fresh)
        t = time.perf_counter()
        first = float("nan")
        if name in self.urls:
            async with self.http.stream("POST", self.urls[name], json=body) as r:
                r.raise_for_status()
                async for line in r.aiter_lines():
                    if first != first and line.startswith("data: {") and _has_text(line):
                        first = time.perf_counter() - t
        elif name == "gateway_typed":
            async for chunk in self.stubs[name].StreamChatCompletion(request):
                if first != first and any(c.delta.content for c in chunk.choices):
                    first = time.perf_counter() - t
        else:
            call = self.stubs[name].ChatCompletionsHttp(request, metadata=self.metadata(name))
            async for event in call:
                if first != first and _has_text(event.data):
                    first = time.perf_counter() - t
        return first


async def warm_up(paths: Paths) -> None:
    for name in PATHS:  # connections, the server's prompt cache
        for _ in range(5):
            await paths.unary(name)
            await paths.stream(name)


async def unary_only(
    paths: Paths, rounds: int, per_round: int, pids: dict[str, int]
) -> tuple[Rounds, dict[str, dict[str, float]]]:
    """One-token unary calls one at a time: the server answers each from its prompt cache in
    a few milliseconds, so what the hops add stands out. Also the CPU time each mesh process
    spends per call on each path (robust on a loaded machine, unlike latency)."""
    out = Rounds({n: [] for n in PATHS})
    cpu = {n: dict.fromkeys(pids, 0.0) for n in PATHS}
    for r in range(rounds):
        for name in PATHS if r % 2 == 0 else reversed(PATHS):
            before = {p: cpu_seconds(pid) for p, pid in pids.items()}
            out[name].append([await paths.unary(name) for _ in range(per_round)])
            for p, pid in pids.items():
                cpu[name][p] += cpu_seconds(pid) - before[p]
    calls = rounds * per_round
    per_call = {n: {p: round(v / calls * 1e6, 1) for p, v in c.items()} for n, c in cpu.items()}
    return out, per_call


async def mixed(paths: Paths, rounds: int, per_round: int) -> tuple[Rounds, Rounds]:
    """Unary calls and streams alternating, one at a time: unary latency and time to the first
    chunk in mixed traffic (a stream leaves generated tokens in the server's cache, so the
    next call evaluates part of its prompt again)."""
    unary, ttfc = Rounds({n: [] for n in PATHS}), Rounds({n: [] for n in PATHS})
    for r in range(rounds):
        for name in PATHS if r % 2 == 0 else reversed(PATHS):
            u, s = [], []
            for _ in range(per_round):
                u.append(await paths.unary(name))
                s.append(await paths.stream(name))
            unary[name].append(u)
            ttfc[name].append(s)
    return unary, ttfc


async def throughput(paths: Paths, name: str, in_flight: int, seconds: float) -> float:
    """Calls/s of the mixed workload (every other call streamed, every prompt new) with
    `in_flight` callers: calls completed within the window; calls still running then finish
    uncounted, so the next measurement starts on an idle server."""
    start = time.perf_counter()
    stop = start + seconds
    done = 0

    async def caller(i: int) -> None:
        nonlocal done
        streamed = i % 2 == 1
        while time.perf_counter() < stop:
            await (paths.stream(name, True) if streamed else paths.unary(name, True))
            streamed = not streamed
            if time.perf_counter() <= stop:
                done += 1

    await asyncio.gather(*(caller(i) for i in range(in_flight)))
    return done / seconds


async def measure(server: LlamaServer, mesh: BenchMesh, quick: bool) -> dict:
    rounds, per_round = (4, 10) if quick else (10, 20)
    tp_rounds, tp_seconds = (1, 5.0) if quick else (3, 8.0)
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with (
        httpx.AsyncClient(timeout=120, limits=limits) as http,
        grpc.aio.insecure_channel(mesh.services["inference"].address) as service,
        grpc.aio.insecure_channel(mesh.gateway.address) as gateway,
    ):
        paths = Paths(
            http,
            server.url,
            mesh.rest,
            pb_grpc.OpenAIServiceStub(service),
            pb_grpc.OpenAIServiceStub(gateway),
        )
        load = [os.getloadavg()[0]]
        await warm_up(paths)
        pids = {
            "envoy": mesh.envoy.popen.pid,
            "gateway": mesh.gateway.popen.pid,
            "service": mesh.services["inference"].popen.pid,
            "server": server.popen.pid,
        }
        alone, cpu = await unary_only(paths, rounds, per_round * 2, pids)
        unary, ttfc = await mixed(paths, rounds, per_round)
        load.append(os.getloadavg()[0])
        tp: dict[int, dict[str, list[float]]] = {}
        for in_flight in (16, 64):
            tp[in_flight] = {n: [] for n in PATHS}
            for r in range(tp_rounds):
                for name in PATHS if r % 2 == 0 else reversed(PATHS):
                    tp[in_flight][name].append(await throughput(paths, name, in_flight, tp_seconds))
        load.append(os.getloadavg()[0])

    def ratio(in_flight: int, name: str) -> float:
        rows = tp[in_flight]
        return round(
            statistics.median(a / b for a, b in zip(rows[name], rows["direct"], strict=True)), 3
        )

    hops = {
        "service_over_direct": ("service", "direct"),
        "gateway_over_service": ("gateway", "service"),
        "rest_over_gateway": ("rest", "gateway"),
        "gateway_over_direct": ("gateway", "direct"),
        "gateway_typed_over_direct": ("gateway_typed", "direct"),
        "rest_over_direct": ("rest", "direct"),
    }
    return {
        "settings": {
            "rounds": rounds, "per_round": per_round, "prompt": PROMPT,
            "max_tokens_unary": 1, "max_tokens_stream": 4, "server_threads": 1,
            "throughput_seconds": tp_seconds, "throughput_rounds": tp_rounds,
        },
        "loadavg": load,
        "unary_alone": {n: summary(alone.flat(n)) for n in PATHS},
        "added_unary_alone_p50_us": {k: alone.added_p50_us(a, b) for k, (a, b) in hops.items()},
        "cpu_us_per_unary_call": cpu,
        "unary": {n: summary(unary.flat(n)) for n in PATHS},
        "ttfc": {n: summary(ttfc.flat(n)) for n in PATHS},
        "added_unary_p50_us": {k: unary.added_p50_us(a, b) for k, (a, b) in hops.items()},
        "added_ttfc_p50_us": {k: ttfc.added_p50_us(a, b) for k, (a, b) in hops.items()},
        "throughput_rps": {
            str(f): {n: round(statistics.median(v), 1) for n, v in rows.items()}
            for f, rows in tp.items()
        },
        "throughput_ratio_vs_direct": {
            str(f): {n: ratio(f, n) for n in PATHS if n != "direct"} for f in tp
        },
        "targets": {"rest_added_p50_us_at_most": 2000, "gateway_grpc_added_p50_us_at_most": 1000,
                    "throughput_ratio_64_at_least": 0.99},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with remote_server_mesh("bench-hot-path") as (server, mesh):
        doc = asyncio.run(measure(server, mesh, args.quick))
    table = [("path", "unary alone p50 µs", "mixed: unary p50 µs", "TTFC p50 µs", "rps 16",
              "rps 64")]  # fmt: skip
    for n in PATHS:
        table.append((n, doc["unary_alone"][n]["p50_us"], doc["unary"][n]["p50_us"],
                      doc["ttfc"][n]["p50_us"], doc["throughput_rps"]["16"][n],
                      doc["throughput_rps"]["64"][n]))  # fmt: skip
    for key in doc["added_unary_p50_us"]:
        added = (doc["added_unary_alone_p50_us"][key], doc["added_unary_p50_us"][key],
                 doc["added_ttfc_p50_us"][key])  # fmt: skip
        table.append((f"added {key}", *added, "", ""))
    for n, per_process in doc["cpu_us_per_unary_call"].items():
        table.append((f"CPU µs/call {n}", json.dumps(per_process), "", "", "", ""))
    for f, ratios in doc["throughput_ratio_vs_direct"].items():
        table.append((f"throughput ratio at {f}", json.dumps(ratios), "", "", "", ""))
    table.append(("load average", str(doc["loadavg"]), "", "", "", ""))
    emit("hot_path", doc, table)


if __name__ == "__main__":
    main()
