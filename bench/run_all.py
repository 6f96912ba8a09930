"""`make bench`: every benchmark, one after the other, each in its own process.

Prints each benchmark's table and JSON document, then a summary of the targets; the full
documents are kept under bench/results/. Exits 0 whatever the numbers (targets are reported,
not enforced).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

BENCHES = [
    "unary_overhead",
    "streaming_overhead",
    "real_model",
    "registry_scale",
    "reproducibility",
    "llama_build",
    "safety_overhead",
    "openai_overhead",
    "hot_path",
    "gateway_workers",
    "auth_overhead",
    "vector_query",
    "rag_ingest",
    "evaldata",
    "agents_overhead",
    "telemetry_overhead",
    "telemetry_service",
    "stream_load",
]
RESULTS = Path(__file__).parent / "results"


def main() -> None:
    args = sys.argv[1:]
    started = time.monotonic()
    failed = []
    for name in BENCHES:
        print(f"\n=== {name} ===", file=sys.stderr, flush=True)
        t = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", f"bench.{name}", *args], check=False)
        print(f"({name}: {time.monotonic() - t:.0f} s)", file=sys.stderr)
        if proc.returncode:
            failed.append(name)
    print(f"\n=== summary ({time.monotonic() - started:.0f} s) ===", file=sys.stderr)
    for name in BENCHES:
        path = RESULTS / f"{name}.json"
        if name in failed or not path.exists():
            print(f"{name}: FAILED", file=sys.stderr)
            continue
        doc = json.loads(path.read_text())
        print(f"{name}: {json.dumps(_headline(name, doc))}", file=sys.stderr)
    sys.exit(1 if failed else 0)


def _headline(name: str, doc: dict) -> dict:
    if name == "unary_overhead":
        return {"added_p50_us": doc["added_p50_us"],
                "gateway_rps_32": doc["in_flight_32"]["gateway"]["rps"],
                "gateway_capacity_rps_per_core": doc["gateway_capacity_rps_per_core"]}  # fmt: skip
    if name == "streaming_overhead":
        return {"added_ttfc_us": doc["added_ttfc_us"], "added_gap_us": doc["added_gap_us"],
                "chunks_per_s": doc["chunks_per_s"], "chunks_lost": doc["chunks_lost"]}  # fmt: skip
    if name == "real_model":
        return {"ratio": doc["ratio_tokens_per_s_mesh/in_process"],
                "added_ttft_ms": doc["added_ttft_ms"]}  # fmt: skip
    if name == "telemetry_overhead":
        return {"added_p50_us": doc["added_p50_us"], "traces_recorded": doc["traces_recorded"]}
    if name == "telemetry_service":
        return {"ingest_spans_per_s": doc["ingest_spans_per_s"],
                "query_p50_us": doc["query_p50_us"]}  # fmt: skip
    if name == "registry_scale":
        return {"routed_p50_ratio": doc["routed_p50_ratio_largest_over_smallest"]}
    if name == "reproducibility":
        engine = doc["modes"]["engine (whole chunks)"]
        return {"speedup_engine_over_fresh": doc["speedup_engine_over_fresh"],
                "engine_reproducible": engine["reproducible"]}  # fmt: skip
    if name == "llama_build":
        return {"ratio_ours_over_native": doc["ratio_tokens_per_s_ours/native"]}
    if name == "safety_overhead":
        return {"gateway_added_over_in_process_p50_us":
                doc["added_p50_us"]["gateway_over_in_process"],
                "moderation_added_over_run_shield_gateway_p50_us":
                doc["added_p50_us"]["moderation_over_run_shield_gateway"]}  # fmt: skip
    if name == "openai_overhead":
        return doc["added_p50_us"]
    if name == "hot_path":
        return {"added_unary_alone_p50_us": doc["added_unary_alone_p50_us"],
                "added_ttfc_p50_us": doc["added_ttfc_p50_us"],
                "throughput_ratio_vs_direct": doc["throughput_ratio_vs_direct"]}  # fmt: skip
    if name == "gateway_workers":
        return {"cpu_per_call_ratio_2_over_1": doc["cpu_per_call_ratio_2_over_1"],
                "rps_32": doc["rps_32"], "cpu_us_per_call": doc["cpu_us_per_call"]}  # fmt: skip
    if name == "auth_overhead":
        return {"added_p50_us": doc["added_p50_us"],
                "security_cpu_us_per_call": doc["in_process_cpu_us_per_call"]}  # fmt: skip
    if name == "vector_query":
        return {case: r["mesh_added_p50_us"] for case, r in doc["cases"].items()}
    if name == "rag_ingest":
        return {"mesh_chunks_per_s": doc["mesh"]["chunks_per_s"],
                "ratio": doc["ratio_chunks_per_s_mesh/in_process"]}  # fmt: skip
    if name == "evaldata":
        return {"score_ratio": doc["ratio_score_mesh/in_process"],
                "job_bookkeeping_ms_per_row": doc["job_bookkeeping_ms_per_row"]}  # fmt: skip
    if name == "agents_overhead":
        return {scenario: {"mesh_cost_per_step_ms": doc[scenario]["mesh_cost_per_step_ms"],
                           "streamed": doc[scenario]["mesh_cost_per_step_streamed_ms"]}
                for scenario in ("instant_model", "smollm2")}  # fmt: skip
    if name == "stream_load":
        return {"chunks_sent": doc["chunks_sent"], "chunks_received": doc["chunks_received"],
                "errors": doc["errors"], "rss_growth_mb": doc["rss_growth_mb"]}  # fmt: skip
    return {}


if __name__ == "__main__":
    main()
