"""The telemetry service: OTLP ingestion and queries through the mesh vs in-process.

`python -m bench.telemetry_service [--quick]`:
- ingestion: the same OTLP export requests (5-span traces, 100 spans per request, what an
  SDK's batch processor sends) to the service over gRPC vs converted and stored in-process
  (`spans_from_otlp` + the SQLite store), in spans/s;
- queries: `QueryTraces` (20 newest) and `GetSpanTree` through the gateway, directly to the
  service, and in-process (`TelemetryLogic` on the same SQLite file), p50 at 1 in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import grpc
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from bench.harness import emit, interleaved, summary
from llamastack.telemetry.v1 import telemetry_service_pb2 as tel
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as tel_grpc
from services.telemetry.otlp import spans_from_otlp
from services.telemetry.providers.meta_reference.provider import MetaReferenceProvider
from services.telemetry.service import TelemetryLogic
from tests.support.processes import start_gateway, start_service, write_config


def requests(traces: int) -> list:
    """OTLP export requests of 20 five-span traces each (100 spans)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "bench"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("bench")
    out = []
    for i in range(traces):
        with tracer.start_as_current_span(
            "POST /v1/inference/chat-completion",
            kind=SpanKind.SERVER,
            attributes={"http.status_code": 200, "n": i},
        ):
            for name in ("gateway", "hop", "inference", "chat m"):
                with tracer.start_as_current_span(name, attributes={"gen_ai.request.model": "m"}):
                    pass
        if (i + 1) % 20 == 0:
            out.append(encode_spans(exporter.get_finished_spans()))
            exporter.clear()
    return out


class _Host:
    def __init__(self, provider: MetaReferenceProvider) -> None:
        self.provider = provider

    def pick(self, provider_id=None, resource_id=""):
        return self.provider


async def measure(workdir: Path, quick: bool) -> dict:
    config = {
        "version": 2,
        "image_name": "bench-telemetry-service",
        "providers": {
            "telemetry": [
                {
                    "provider_id": "meta-reference",
                    "provider_type": "inline::meta-reference",
                    "config": {"store": {"type": "sqlite", "db_path": str(workdir / "tel.db")}},
                }
            ]
        },
        "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
        "services": {"telemetry": {}},
    }
    run_yaml = write_config(workdir / "run.yaml", config)
    off = {"OTEL_SDK_DISABLED": "true"}
    service = start_service("telemetry", run_yaml, workdir, env=off)
    gateway = start_gateway(run_yaml, workdir, {"telemetry": service}, env=off)
    try:
        batches = requests(400 if quick else 2000)
        spans = 100 * len(batches)
        # -- ingestion -------------------------------------------------------------------
        async with grpc.aio.insecure_channel(service.address) as ch:
            export = trace_service_pb2_grpc.TraceServiceStub(ch).Export
            t = time.perf_counter()
            for req in batches:
                await export(req)
            mesh_rate = spans / (time.perf_counter() - t)
        local = MetaReferenceProvider(
            "local", {"store": {"type": "sqlite", "db_path": str(workdir / "local.db")}}
        )
        await local.initialize()
        logic = TelemetryLogic(_Host(local), gateway=None)  # type: ignore[arg-type]
        t = time.perf_counter()
        for req in batches:
            await local.store.add_spans(spans_from_otlp(req, logic.expires()))
        local_rate = spans / (time.perf_counter() - t)
        # -- queries ---------------------------------------------------------------------
        trace = (await logic.query_traces([], 1, 0, []))[0][0]
        paths = {}
        async with (
            grpc.aio.insecure_channel(gateway.address) as gch,
            grpc.aio.insecure_channel(service.address) as sch,
        ):
            for name, ch in (("gateway", gch), ("direct", sch)):
                stub = tel_grpc.TelemetryServiceStub(ch)
                paths[f"query_traces_{name}"] = lambda stub=stub: stub.QueryTraces(
                    tel.QueryTracesRequest(limit=20)
                )
                paths[f"span_tree_{name}"] = lambda stub=stub: stub.GetSpanTree(
                    tel.GetSpanTreeRequest(span_id=trace.root_span_id)
                )
            paths["query_traces_in_process"] = lambda: logic.query_traces([], 20, 0, [])
            paths["span_tree_in_process"] = lambda: logic.span_tree(trace.root_span_id, [], None)
            rounds, per_round = (3, 50) if quick else (10, 100)
            lat = await interleaved(paths, rounds=rounds, per_round=per_round, warmup=20)
        await local.shutdown()
        one = {name: summary(lat.flat(name)) for name in lat}
        return {
            "spans": spans,
            "ingest_spans_per_s": {
                "service_over_grpc": round(mesh_rate),
                "in_process": round(local_rate),
            },
            "query_p50_us": {name: one[name]["p50_us"] for name in one},
            "in_flight_1": one,
            "added_p50_us": {
                "query_traces_gateway_over_in_process": lat.added_p50_us(
                    "query_traces_gateway", "query_traces_in_process"
                ),
                "span_tree_gateway_over_in_process": lat.added_p50_us(
                    "span_tree_gateway", "span_tree_in_process"
                ),
            },
        }
    finally:
        gateway.stop()
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="llamastack-bench-telemetry-service-"))
    doc = asyncio.run(measure(workdir, args.quick))
    table = [("path", "p50 µs", "p99 µs")]
    for name, s in doc["in_flight_1"].items():
        table.append((name, s["p50_us"], s["p99_us"]))
    rates = doc["ingest_spans_per_s"]
    table.append(
        ("ingest spans/s: service / in-process", rates["service_over_grpc"], rates["in_process"])
    )
    emit("telemetry_service", doc, table)


if __name__ == "__main__":
    main()
