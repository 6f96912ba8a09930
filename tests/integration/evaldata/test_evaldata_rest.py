"""Dataset IO, scoring and eval over REST (Envoy's transcoder): the reference's routes, JSON
bodies, and errors as HTTP statuses."""

from __future__ import annotations

import time

from tests.integration.evaldata.mesh import CHAT_MODEL, qa_rows

QA = qa_rows()


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def error(response, status: int, *words: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    for word in words:
        assert word in body["message"], body


def test_datasets_rows_and_appends_over_rest(rest, eval_mesh):
    ds = ok(rest.post("/v1/datasets", json={
        "dataset_id": "qa-rest", "purpose": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER",
        "source": {"uri": {"uri": eval_mesh.fresh("qa-rest", "csv")}}}))  # fmt: skip
    assert ds["identifier"] == "qa-rest" and ds["provider_id"] == "localfs"
    page = ok(rest.get("/v1/datasetio/iterrows/qa-rest", params={"limit": 2}))
    assert page["data"] == QA[:2] and page["has_more"] and page["next_page_token"]
    more = ok(rest.get("/v1/datasetio/iterrows/qa-rest",
                       params={"limit": 2, "page_token": page["next_page_token"]}))  # fmt: skip
    assert more["data"] == QA[2:4] and more["next_start_index"] == 4
    ok(rest.post("/v1/datasetio/append-rows/qa-rest",
                 json={"rows": [{"question": "REST?", "answer": "yes"}]}))  # fmt: skip
    tail = ok(rest.get("/v1/datasetio/iterrows/qa-rest", params={"start_index": 36}))
    assert tail["data"] == [{"question": "REST?", "answer": "yes"}] and not tail["has_more"]
    escape = {"dataset_id": "qa-escape", "purpose": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER",
              "source": {"uri": {"uri": "file:///etc/hostname"}}}  # fmt: skip
    error(rest.post("/v1/datasets", json=escape), 403, "outside the datasets root")
    error(rest.post("/v1/datasetio/append-rows/qa-rest", json={"rows": [{"question": "x"}]}),
          400, "no column 'answer'")  # fmt: skip
    error(rest.get("/v1/datasetio/iterrows/nope"), 404, "nope")


def test_scoring_over_rest(rest):
    body = {"input_rows": [{"generated_answer": "Paris", "expected_answer": "Paris"},
                           {"generated_answer": "Lyon", "expected_answer": "Paris"}],
            "scoring_functions": {"basic::equality": {}}}  # fmt: skip
    results = ok(rest.post("/v1/scoring/score", json=body))["results"]
    assert results["basic::equality"]["aggregated_results"]["accuracy"]["accuracy"] == 0.5
    fns = ok(rest.get("/v1/scoring-functions"))["data"]
    assert {"basic::equality", "llm-as-judge::base"} <= {f["identifier"] for f in fns}
    error(rest.post("/v1/scoring/score", json={**body, "scoring_functions": {"nope": {}}}),
          404, "nope")  # fmt: skip


def test_an_eval_job_over_rest(rest):
    ok(rest.post("/v1/datasets", json={
        "dataset_id": "qa-rest-eval", "purpose": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER",
        "source": {"rows": {"rows": QA[:3]}}}))  # fmt: skip
    bench = ok(rest.post("/v1alpha/eval/benchmarks", json={
        "benchmark_id": "qa-rest-bench", "dataset_id": "qa-rest-eval",
        "scoring_functions": ["basic::subset_of"]}))  # fmt: skip
    assert bench["identifier"] == "qa-rest-bench"
    config = {"benchmark_config": {"eval_candidate": {"model": {
        "model": CHAT_MODEL, "sampling_params": {"max_tokens": 4}}}}}  # fmt: skip
    job = ok(rest.post("/v1/eval/benchmarks/qa-rest-bench/jobs", json=config))
    assert job["status"] == "JOB_STATUS_SCHEDULED"
    path = f"/v1/eval/benchmarks/qa-rest-bench/jobs/{job['job_id']}"
    for _ in range(300):
        job = ok(rest.get(path))
        if job["status"] in ("JOB_STATUS_COMPLETED", "JOB_STATUS_FAILED"):
            break
        time.sleep(0.2)
    assert job["status"] == "JOB_STATUS_COMPLETED", job
    # int64 fields are strings in proto3 JSON
    assert job["progress"]["completed"] == job["progress"]["total"] == "3"
    result = ok(rest.get(path + "/result"))
    assert len(result["generations"]) == 3
    assert "accuracy" in result["scores"]["basic::subset_of"]["aggregated_results"]
    error(rest.delete(path), 400, "already ended")  # FAILED_PRECONDITION
    error(rest.get("/v1/eval/benchmarks/qa-rest-bench/jobs/nope"), 404, "nope")
    running = ok(rest.post("/v1alpha/eval/benchmarks/qa-rest-bench/jobs", json=config))
    cancelled = ok(rest.delete(f"/v1alpha/eval/benchmarks/qa-rest-bench/jobs/{running['job_id']}"))
    assert cancelled["status"] in ("JOB_STATUS_CANCELLED", "JOB_STATUS_IN_PROGRESS")
    agent = {"benchmark_config": {"eval_candidate": {"agent": {"config": {}}}}}
    error(rest.post("/v1/eval/benchmarks/qa-rest-bench/jobs", json=agent), 400, "model is required")
