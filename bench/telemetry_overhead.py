"""Telemetry overhead: the latency the gateway adds with tracing off, on at 10% and at 100%.

`python -m bench.telemetry_overhead [--quick]` starts one service (telemetry off, so only the
gateway's cost is measured), a telemetry service receiving the spans and metrics, and three
gateway processes in front of the same service that differ only in their run.yaml's
`telemetry:` section (off / sample_ratio 0.1 / 1.0). It prints p50/p99 at 1 call in flight
(paths interleaved), the added p50 of each gateway over the direct call and of tracing over
the gateway without it (paired per round), calls/s and gateway CPU per call at 32 in flight,
and how many calls each gateway recorded (10% sampling must record about a tenth; a
gateway under full load may drop spans rather than wait: its export queue is bounded).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import grpc

from bench.harness import cpu_seconds, emit, interleaved, summary, throughput
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.telemetry.v1 import telemetry_pb2 as tpb
from llamastack.telemetry.v1 import telemetry_service_pb2 as tel
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as tel_grpc
from services.common.providers import PROVIDER_ID_METADATA
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

MODEL = "paced/echo"
GATEWAYS = {"gateway_off": None, "gateway_10pct": 0.1, "gateway_100pct": 1.0}


def run_config(workdir: Path, ratio: float | None) -> dict:
    return {
        "version": 2,
        "image_name": "bench-telemetry",
        "providers": {
            "inference": [{"provider_id": "paced", "provider_type": "bench::paced"}],
            "telemetry": [
                {
                    "provider_id": "meta-reference",
                    "provider_type": "inline::meta-reference",
                    "config": {"store": {"type": "sqlite", "db_path": str(workdir / "tel.db")}},
                }
            ],
        },
        "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
        "services": {"inference": {}, "telemetry": {}},
        "models": [{"model_id": "echo", "provider_id": "paced"}],
        "telemetry": {"enabled": ratio is not None, "sample_ratio": ratio or 0.0},
    }


class Mesh:
    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="llamastack-bench-telemetry-"))
        self.procs: list[MeshProcess] = []
        self.gateways: dict[str, MeshProcess] = {}

    def start(self) -> Mesh:
        base = write_config(self.workdir / "run.yaml", run_config(self.workdir, None))
        off = {"OTEL_SDK_DISABLED": "true"}
        self.telemetry = start_service("telemetry", base, self.workdir, env=off)
        self.service = start_service(
            "inference", base, self.workdir, module="bench.paced_service", env=off
        )
        self.procs += [self.telemetry, self.service]
        for name, ratio in GATEWAYS.items():
            config = write_config(self.workdir / f"{name}.yaml", run_config(self.workdir, ratio))
            env = {
                "LLS_RUN_CONFIG": str(config),
                "LLS_TELEMETRY_ADDR": self.telemetry.address,
                "OTEL_BSP_SCHEDULE_DELAY": "500",
                "OTEL_SERVICE_NAME": name,
            }
            gw = start_gateway(
                config, self.workdir, {"inference": self.service}, name=name, env=env
            )
            self.gateways[name] = gw
            self.procs.append(gw)
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


async def traces_by_gateway(address: str) -> dict[str, int]:
    """How many traces the telemetry service stored per gateway (one per recorded call)."""
    async with grpc.aio.insecure_channel(address) as ch:
        stub = tel_grpc.TelemetryServiceStub(ch)
        out: dict[str, int] = {}
        for name in GATEWAYS:
            cond = tpb.QueryCondition(
                key="service.name", op=tpb.QUERY_CONDITION_OP_EQ, value={"string_value": name}
            )
            count, more = 0, True
            while more:
                page = await stub.QueryTraces(
                    tel.QueryTracesRequest(attribute_filters=[cond], limit=1000, offset=count),
                    timeout=120,
                )
                count += len(page.data)
                more = page.has_more
            out[name] = count
        return out


async def measure(mesh: Mesh, quick: bool) -> dict:
    messages = [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "ping"}])]
    direct_req = inf.ChatCompletionRequest(model_id="echo", messages=messages)
    routed_req = inf.ChatCompletionRequest(model_id=MODEL, messages=messages)
    md = ((PROVIDER_ID_METADATA, "paced"),)
    channels = {"direct": grpc.aio.insecure_channel(mesh.service.address)}
    for name, gw in mesh.gateways.items():
        channels[name] = grpc.aio.insecure_channel(gw.address)
    stubs = {name: inf_grpc.InferenceServiceStub(ch) for name, ch in channels.items()}

    calls = dict.fromkeys(stubs, 0)

    def path(name: str):
        stub = stubs[name]
        req, meta = (direct_req, md) if name == "direct" else (routed_req, ())

        def call():
            calls[name] += 1
            return stub.ChatCompletion(req, metadata=meta)

        return call

    paths = {name: path(name) for name in stubs}
    rounds, per_round = (4, 100) if quick else (20, 200)
    lat = await interleaved(paths, rounds=rounds, per_round=per_round)
    one = {name: summary(lat.flat(name)) for name in lat}

    seconds = 1.5 if quick else 4.0
    many: dict[str, dict] = {}
    for name, fn in paths.items():
        pid = mesh.gateways[name].popen.pid if name in mesh.gateways else mesh.service.popen.pid
        before = cpu_seconds(pid)
        rps, l32 = await throughput(fn, 32, seconds)
        used = cpu_seconds(pid) - before
        many[name] = {
            "rps": round(rps),
            "p50_us": summary(l32)["p50_us"],
            "cpu_us_per_call": round(used / (rps * seconds) * 1e6, 1) if rps else None,
        }
    for ch in channels.values():
        await ch.close()
    await asyncio.sleep(2.0)  # the gateways' span batches (500 ms) reach the telemetry service
    recorded = await traces_by_gateway(mesh.telemetry.address)
    return {
        "in_flight_1": one,
        "in_flight_32": many,
        "added_p50_us": {
            **{name: lat.added_p50_us(name, "direct") for name in GATEWAYS},
            "tracing_10pct_over_off": lat.added_p50_us("gateway_10pct", "gateway_off"),
            "tracing_100pct_over_off": lat.added_p50_us("gateway_100pct", "gateway_off"),
        },
        "cpu_added_us_per_call": {
            name: round(many[name]["cpu_us_per_call"] - many["gateway_off"]["cpu_us_per_call"], 1)
            for name in ("gateway_10pct", "gateway_100pct")
        },
        "traces_recorded": recorded,
        "calls": {name: calls[name] for name in GATEWAYS},
        "targets": {"tracing_10pct_added_p50_us_at_most": 100},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    mesh = Mesh().start()
    try:
        doc = asyncio.run(measure(mesh, args.quick))
    finally:
        mesh.stop()
    one, many = doc["in_flight_1"], doc["in_flight_32"]
    table = [("path", "p50 µs (1)", "p99 µs (1)", "req/s (32)", "CPU µs/call (32)")]
    for name in one:
        table.append(
            (
                name,
                one[name]["p50_us"],
                one[name]["p99_us"],
                many[name]["rps"],
                many[name]["cpu_us_per_call"],
            )
        )
    emit("telemetry_overhead", doc, table)


if __name__ == "__main__":
    main()
