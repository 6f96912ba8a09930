"""Unary overhead: the same cheap routed RPC direct, through the gateway, through Envoy REST.

`python -m bench.unary_overhead [--quick]` prints a JSON document: p50/p99 at 1 call in
flight (paths interleaved), requests/s at 32 in flight, the latency each hop adds, and the
gateway's CPU time per routed call (its capacity on one core). A fourth path, `bare_proxy`
(bench/bare_proxy.py: a grpc.aio hop that only forwards bytes), is the floor any Python gRPC
hop costs here; the gateway's own logic is what it adds above that.
"""

from __future__ import annotations

import argparse
import asyncio

import grpc
import httpx

from bench.harness import cpu_seconds, emit, interleaved, summary, throughput
from bench.mesh import BenchMesh
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from services.common.providers import PROVIDER_ID_METADATA

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-unary",
    "providers": {"inference": [{"provider_id": "paced", "provider_type": "bench::paced"}]},
    "services": {"inference": {}},
    "models": [{"model_id": "echo", "provider_id": "paced"}],
}
MODEL = "paced/echo"


async def measure(mesh: BenchMesh, quick: bool) -> dict:
    messages = [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "ping"}])]
    direct_req = inf.ChatCompletionRequest(model_id="echo", messages=messages)
    routed_req = inf.ChatCompletionRequest(model_id=MODEL, messages=messages)
    body = {"model_id": MODEL, "messages": [{"role": "ROLE_USER", "content": [{"text": "ping"}]}]}
    md = ((PROVIDER_ID_METADATA, "paced"),)
    gw = mesh.gateway

    async with (
        grpc.aio.insecure_channel(mesh.services["inference"].address) as dch,
        grpc.aio.insecure_channel(gw.address) as gch,
        grpc.aio.insecure_channel(mesh.bare_proxy.address) as pch,
        httpx.AsyncClient(base_url=mesh.rest, limits=httpx.Limits(max_connections=64)) as http,
    ):
        direct_stub, gw_stub = (
            inf_grpc.InferenceServiceStub(dch),
            inf_grpc.InferenceServiceStub(gch),
        )

        async def direct():
            await direct_stub.ChatCompletion(direct_req, metadata=md)

        async def gateway():
            await gw_stub.ChatCompletion(routed_req)

        proxy_stub = inf_grpc.InferenceServiceStub(pch)

        async def bare_proxy():
            await proxy_stub.ChatCompletion(direct_req)

        async def envoy():
            r = await http.post("/v1/inference/chat-completion", json=body)
            r.raise_for_status()

        paths = {
            "direct": direct,
            "bare_proxy": bare_proxy,
            "gateway": gateway,
            "envoy_rest": envoy,
        }
        pids = {"bare_proxy": mesh.bare_proxy.popen.pid, "gateway": gw.popen.pid}
        rounds, per_round = (4, 100) if quick else (20, 200)
        lat = await interleaved(paths, rounds=rounds, per_round=per_round)
        one = {name: summary(lat.flat(name)) for name in lat}

        seconds = 1.5 if quick else 4.0
        many: dict[str, dict] = {}
        for rnd in range(1 if quick else 2):
            for name, fn in paths.items() if rnd % 2 == 0 else reversed(paths.items()):
                pid = pids.get(name, gw.popen.pid)  # Envoy's calls go through the gateway
                before = cpu_seconds(pid)
                rps, l32 = await throughput(fn, 32, seconds)
                hop_cpu = cpu_seconds(pid) - before
                calls = rps * seconds
                entry = many.setdefault(name, {"rps": [], "p50_us": [], "hop_cpu_us": []})
                entry["rps"].append(round(rps))
                entry["p50_us"].append(summary(l32)["p50_us"])
                entry["hop_cpu_us"].append(round(hop_cpu / calls * 1e6, 1) if calls else 0)
        concurrent = {
            name: {"rps": max(e["rps"]), "p50_us": min(e["p50_us"]),
                   "hop_cpu_us_per_call": min(e["hop_cpu_us"]) if name != "direct" else None}
            for name, e in many.items()
        }  # fmt: skip

    g, e = one["gateway"]["p50_us"], one["envoy_rest"]["p50_us"]
    d = one["direct"]["p50_us"]
    gw_cpu = concurrent["gateway"]["hop_cpu_us_per_call"]
    floor_cpu = concurrent["bare_proxy"]["hop_cpu_us_per_call"]
    return {
        "in_flight_1": one,
        "in_flight_32": concurrent,
        # Paired by round: each is the median over rounds of that round's difference.
        "added_p50_us": {
            "bare_proxy": lat.added_p50_us("bare_proxy", "direct"),
            "gateway": lat.added_p50_us("gateway", "direct"),
            "gateway_over_bare_proxy": lat.added_p50_us("gateway", "bare_proxy"),
            "envoy_rest_over_gateway": lat.added_p50_us("envoy_rest", "gateway"),
        },
        "ratio_p50": {"gateway/direct": round(g / d, 3), "envoy_rest/direct": round(e / d, 3)},
        "gateway_capacity_rps_per_core": round(1e6 / gw_cpu) if gw_cpu else None,
        "bare_proxy_capacity_rps_per_core": round(1e6 / floor_cpu) if floor_cpu else None,
        "targets": {
            "gateway_added_p50_us_under": 500,
            "gateway_rps_at_least": 3000,
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
    one, many = doc["in_flight_1"], doc["in_flight_32"]
    table = [("path", "p50 µs (1)", "p99 µs (1)", "req/s (32)", "hop CPU µs/call")]
    for name in one:
        table.append((name, one[name]["p50_us"], one[name]["p99_us"], many[name]["rps"],
                      many[name]["hop_cpu_us_per_call"] or "-"))  # fmt: skip
    emit("unary_overhead", doc, table)


if __name__ == "__main__":
    main()
