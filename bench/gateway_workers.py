"""Gateway workers: routing CPU per call and throughput with 1 and 2 gateway processes on a port.

`python -m bench.gateway_workers [--quick]` runs the paced service (answers at once) behind two
gateways from the same run config, one with `services.gateway.workers: 1`, one with 2, and the
bare proxy (the floor of any Python gRPC hop). The client opens 8 connections to each (the
kernel spreads connections, not calls, over workers) and measures, in alternating rounds:

- latency at 1 call in flight (paired by round: what the second worker changes);
- calls/s with 32 in flight, and the CPU time of all the gateway's processes per call.

On a 2-core machine that also runs the client and the service, calls/s cannot double with a
second worker: the cores are already shared by everything. What shows whether throughput
grows with the cores a gateway is given is its CPU time per routed call: the same with 2
workers as with 1 means N cores route N times as many calls (capacity = cores / CPU per call).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
from pathlib import Path

import grpc

from bench.harness import Rounds, cpu_seconds, emit, summary, throughput
from bench.mesh import BenchMesh
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from tests.support.processes import start_gateway

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-workers",
    "providers": {"inference": [{"provider_id": "paced", "provider_type": "bench::paced"}]},
    "services": {"inference": {}, "gateway": {"workers": "${env.LLS_GATEWAY_WORKERS:=1}"}},
    "models": [{"model_id": "echo", "provider_id": "paced"}],
}
CONNECTIONS = 8
PATHS = ("bare_proxy", "workers_1", "workers_2")


def _pids(pid: int) -> list[int]:
    """A process and its children (a gateway's workers)."""
    out = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(entry))
    return out


def _cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for p in pids)


async def measure(mesh: BenchMesh, two: object, quick: bool) -> dict:
    messages = [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "ping"}])]
    routed = inf.ChatCompletionRequest(model_id="paced/echo", messages=messages)
    plain = inf.ChatCompletionRequest(model_id="echo", messages=messages)
    addresses = {"bare_proxy": mesh.bare_proxy.address, "workers_1": mesh.gateway.address,
                 "workers_2": two.address}  # fmt: skip
    pids = {"bare_proxy": [mesh.bare_proxy.popen.pid], "workers_1": _pids(mesh.gateway.popen.pid),
            "workers_2": _pids(two.popen.pid)}  # fmt: skip
    channels = {
        name: [grpc.aio.insecure_channel(addr, options=[("grpc.use_local_subchannel_pool", 1),
                                                         ("bench.connection", i)])
               for i in range(CONNECTIONS)]
        for name, addr in addresses.items()
    }  # fmt: skip
    calls = {}
    for name, chans in channels.items():
        stubs = itertools.cycle([inf_grpc.InferenceServiceStub(c) for c in chans])
        request = plain if name == "bare_proxy" else routed

        async def call(stubs=stubs, request=request) -> None:
            await next(stubs).ChatCompletion(request)

        calls[name] = call
    rounds, per_round, seconds = (4, 100, 2.0) if quick else (10, 200, 4.0)
    try:
        for fn in calls.values():
            for _ in range(100):
                await fn()
        latency = Rounds({n: [] for n in PATHS})
        rps = {n: [] for n in PATHS}
        cpu = {n: [] for n in PATHS}
        clock = asyncio.get_running_loop().time
        for r in range(rounds):
            for name in PATHS if r % 2 == 0 else reversed(PATHS):
                samples = []
                for _ in range(per_round):
                    t = clock()
                    await calls[name]()
                    samples.append(clock() - t)
                latency[name].append(samples)
            for name in PATHS if r % 2 == 0 else reversed(PATHS):
                before = _cpu(pids[name])
                n_per_s, _ = await throughput(calls[name], 32, seconds)
                rps[name].append(n_per_s)
                cpu[name].append((_cpu(pids[name]) - before) / (n_per_s * seconds) * 1e6)
    finally:
        for chans in channels.values():
            for c in chans:
                await c.close()
    cpu_ratio = statistics.median(a / b for a, b in zip(cpu["workers_2"], cpu["workers_1"],
                                                          strict=True))  # fmt: skip
    return {
        "settings": {
            "rounds": rounds,
            "per_round": per_round,
            "seconds": seconds,
            "in_flight": 32,
            "connections_per_path": CONNECTIONS,
        },
        "processes": {n: len(p) for n, p in pids.items()},
        "latency_1_in_flight": {n: summary(latency.flat(n)) for n in PATHS},
        "added_p50_us_2_workers_over_1": latency.added_p50_us("workers_2", "workers_1"),
        "rps_32": {n: round(statistics.median(v)) for n, v in rps.items()},
        "cpu_us_per_call": {n: round(statistics.median(v), 1) for n, v in cpu.items()},
        "cpu_per_call_ratio_2_over_1": round(cpu_ratio, 3),
        "capacity_rps_per_core": {n: round(1e6 / statistics.median(v)) for n, v in cpu.items()},
        "loadavg_end": os.getloadavg()[0],
        "targets": {"cpu_per_call_ratio_within": 0.10},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    mesh = BenchMesh(RUN_CONFIG, {"inference": "bench.paced_service"})
    two = None
    try:
        mesh.start(envoy=False, bare_proxy=True)
        two = start_gateway(mesh.run_config, mesh.workdir, mesh.services, name="gateway-2",
                            env={"LLS_GATEWAY_WORKERS": "2"})  # fmt: skip
        doc = asyncio.run(measure(mesh, two, args.quick))
    finally:
        if two is not None:
            two.stop()
        mesh.stop()
    table = [("path", "processes", "p50 µs (1)", "calls/s (32)", "CPU µs/call", "calls/s/core")]
    for n in PATHS:
        table.append((n, doc["processes"][n], doc["latency_1_in_flight"][n]["p50_us"],
                      doc["rps_32"][n], doc["cpu_us_per_call"][n],
                      doc["capacity_rps_per_core"][n]))  # fmt: skip
    table.append(("CPU/call 2 workers / 1", doc["cpu_per_call_ratio_2_over_1"], "", "", "", ""))
    table.append(("added p50 µs, 2 over 1", doc["added_p50_us_2_workers_over_1"], "", "", "", ""))
    emit("gateway_workers", doc, table)


if __name__ == "__main__":
    sys.exit(main())
