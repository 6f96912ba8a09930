"""Eval through the gateway with SmolLM2 and basic scoring: benchmarks, jobs with progress,
cancel, a killed eval service whose job resumes without generating a row twice, results whose
aggregates the test recomputes, evaluate_rows, and refusals."""

from __future__ import annotations

import sqlite3
import time

import grpc
import pytest
from google.protobuf import json_format

from llamastack.common.v1 import job_pb2
from llamastack.eval.v1 import eval_service_pb2 as ev
from llamastack.registry.v1 import benchmark_service_pb2 as bs
from tests.integration.evaldata.mesh import CHAT_MODEL, qa_rows, register_qa

QA = qa_rows()
FNS = ["basic::equality", "basic::subset_of"]
DONE = {job_pb2.JOB_STATUS_COMPLETED, job_pb2.JOB_STATUS_FAILED, job_pb2.JOB_STATUS_CANCELLED}


@pytest.fixture(scope="module")
def bench(datasets, benchmarks):
    register_qa(datasets, "qa-eval")
    request = bs.RegisterBenchmarkRequest(
        benchmark_id="qa-bench", dataset_id="qa-eval", scoring_functions=FNS
    )
    return benchmarks.RegisterBenchmark(request, timeout=60).benchmark.identifier


def config(num_examples: int | None = None, max_tokens: int = 6, **candidate) -> dict:
    out = {"eval_candidate": {"model": {
        "model": CHAT_MODEL, "sampling_params": {"greedy": {}, "max_tokens": max_tokens},
        "system_message": {"role": "ROLE_SYSTEM",
                           "content": [{"text": "Answer with one word."}]},
        **candidate}}}  # fmt: skip
    if num_examples is not None:
        out["num_examples"] = num_examples
    return out


def run(evals, bench, cfg) -> job_pb2.Job:
    request = json_format.ParseDict({"benchmark_id": bench, "benchmark_config": cfg},
                                    ev.RunEvalRequest())  # fmt: skip
    return evals.RunEval(request, timeout=60).job


def status(evals, bench, job_id) -> job_pb2.Job:
    request = ev.GetJobStatusRequest(benchmark_id=bench, job_id=job_id)
    return evals.GetJobStatus(request, timeout=30).job


def wait(evals, bench, job_id, until, timeout=180.0) -> tuple[job_pb2.Job, list[job_pb2.Job]]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            job = status(evals, bench, job_id)
        except grpc.RpcError as err:  # a restarted service: the gateway reconnects within 1 s
            if err.code() != grpc.StatusCode.UNAVAILABLE:
                raise
            time.sleep(0.2)
            continue
        seen.append(job)
        if until(job):
            return job, seen
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not get there: {seen[-1]}")


def test_a_benchmark_must_name_registered_things(benchmarks, bench):
    for dataset, fns, missing in (("no-such-data", FNS, "no-such-data"),
                                  ("qa-eval", ["no-such-fn"], "no-such-fn")):  # fmt: skip
        with pytest.raises(grpc.RpcError) as err:
            benchmarks.RegisterBenchmark(
                bs.RegisterBenchmarkRequest(benchmark_id="bad-bench", dataset_id=dataset,
                                            scoring_functions=fns), timeout=30)  # fmt: skip
        assert err.value.code() == grpc.StatusCode.NOT_FOUND and missing in err.value.details()


def test_an_eval_job_reports_progress_and_its_aggregates_match_its_rows(evals, bench):
    job = run(evals, bench, config(num_examples=6))
    assert job.status == job_pb2.JOB_STATUS_SCHEDULED and job.job_id
    done, seen = wait(evals, bench, job.job_id, lambda j: j.status in DONE)
    assert done.status == job_pb2.JOB_STATUS_COMPLETED, done.error
    assert done.progress.completed == done.progress.total == 6
    assert done.started_at.seconds and done.completed_at.seconds
    running = [j for j in seen if j.status == job_pb2.JOB_STATUS_IN_PROGRESS]
    assert running and all(j.progress.total in (0, 6) for j in running)
    counts = [j.progress.completed for j in seen]
    assert counts == sorted(counts)  # progress only moves forward
    result = evals.GetJobResult(ev.GetJobResultRequest(benchmark_id=bench, job_id=job.job_id))
    generations = [json_format.MessageToDict(g) for g in result.generations]
    assert len(generations) == 6 and all("generated_answer" in g for g in generations)
    expected = [r["answer"] for r in QA[:6]]
    equal = [float(g["generated_answer"].strip() == e) for g, e in
             zip(generations, expected, strict=True)]  # fmt: skip
    subset = [float(e in g["generated_answer"]) for g, e in
              zip(generations, expected, strict=True)]  # fmt: skip
    for fn, scores in (("basic::equality", equal), ("basic::subset_of", subset)):
        got = json_format.MessageToDict(result.scores[fn], preserving_proto_field_name=True)
        assert [r["score"] for r in got["score_rows"]] == scores
        assert got["aggregated_results"]["accuracy"] == {
            "accuracy": sum(scores) / 6, "num_correct": sum(scores), "num_total": 6}  # fmt: skip
    again = run(evals, bench, config(num_examples=2))  # greedy: the same answers
    wait(evals, bench, again.job_id, lambda j: j.status in DONE)
    second = evals.GetJobResult(ev.GetJobResultRequest(benchmark_id=bench, job_id=again.job_id))
    assert list(second.generations) == list(result.generations[:2])


def test_cancel_stops_a_running_job(evals, bench):
    job = run(evals, bench, config())
    wait(evals, bench, job.job_id, lambda j: j.progress.completed >= 1)
    cancelling = evals.CancelJob(ev.CancelJobRequest(benchmark_id=bench, job_id=job.job_id)).job
    assert cancelling.status in (job_pb2.JOB_STATUS_IN_PROGRESS, job_pb2.JOB_STATUS_CANCELLED)
    done, _ = wait(evals, bench, job.job_id, lambda j: j.status in DONE, timeout=30)
    assert done.status == job_pb2.JOB_STATUS_CANCELLED and done.progress.completed < 36
    for call, request in (
        (evals.CancelJob, ev.CancelJobRequest(benchmark_id=bench, job_id=job.job_id)),
        (evals.GetJobResult, ev.GetJobResultRequest(benchmark_id=bench, job_id=job.job_id)),
    ):
        with pytest.raises(grpc.RpcError) as err:
            call(request, timeout=30)
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "cancelled" in err.value.details()


@pytest.mark.parametrize("signal", ["SIGKILL", "SIGTERM"])
def test_a_restarted_eval_service_resumes_its_job_without_regenerating(
    eval_mesh, evals, bench, signal
):
    job = run(evals, bench, config(num_examples=16))
    wait(evals, bench, job.job_id, lambda j: j.progress.completed >= 3)
    service = eval_mesh.services["eval"]
    if signal == "SIGKILL":
        service.kill()  # no chance to release the lease: it expires (3 s here)
    else:
        service.stop()  # SIGTERM: the stopping service releases the lease
    service.start()
    done, seen = wait(evals, bench, job.job_id, lambda j: j.status in DONE)
    assert done.status == job_pb2.JOB_STATUS_COMPLETED, done.error
    assert any("resumed" in j.progress.message for j in seen)
    db = sqlite3.connect(eval_mesh.workdir / "state" / "registry.db")
    versions = db.execute(
        "SELECT version FROM state_v1 WHERE collection = 'eval.rows' AND parent = ?",
        (job.job_id,),
    ).fetchall()
    db.close()
    assert sorted(v for (v,) in versions) == [1] * 16  # each row written once: none redone
    result = evals.GetJobResult(ev.GetJobResultRequest(benchmark_id=bench, job_id=job.job_id))
    assert len(result.generations) == 16


def test_evaluate_rows_is_synchronous(evals, bench):
    cfg = json_format.ParseDict(config(max_tokens=4), ev.EvaluateRowsRequest().benchmark_config)
    rows = [json_format.ParseDict(r, ev.EvaluateRowsRequest().input_rows.add()) for r in QA[:2]]
    request = ev.EvaluateRowsRequest(benchmark_id=bench, input_rows=rows,
                                     scoring_functions=["basic::subset_of"],
                                     benchmark_config=cfg)  # fmt: skip
    resp = evals.EvaluateRows(request, timeout=120)
    assert len(resp.generations) == 2 and len(resp.scores["basic::subset_of"].score_rows) == 2
    request.input_rows.extend(rows * 11)
    with pytest.raises(grpc.RpcError) as err:
        evals.EvaluateRows(request, timeout=30)
    assert (
        err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "run_eval" in err.value.details()
    )


def test_an_agent_candidate_answers_each_row_in_a_turn_of_its_own(evals, bench, gateway_channel):
    from llamastack.agents.v1 import agents_service_pb2 as ag
    from llamastack.agents.v1 import agents_service_pb2_grpc as ag_grpc

    agent = {"model": CHAT_MODEL, "instructions": "Answer with one word.",
             "sampling_params": {"greedy": {}, "max_tokens": 6}}  # fmt: skip
    cfg = {"eval_candidate": {"agent": {"config": agent}}, "num_examples": 2}
    job = run(evals, bench, cfg)
    done, _ = wait(evals, bench, job.job_id, lambda j: j.status in DONE)
    assert done.status == job_pb2.JOB_STATUS_COMPLETED, done
    result = evals.GetJobResult(ev.GetJobResultRequest(benchmark_id=bench, job_id=job.job_id))
    answers = [g.fields["generated_answer"].string_value for g in result.generations]
    assert len(answers) == 2 and all(answers), result.generations
    assert all("error" not in g.fields for g in result.generations)
    # Each row was a turn of the job's agent, in a session of its own, and can be read back.
    agents = ag_grpc.AgentsServiceStub(gateway_channel)
    (made,) = [a for a in agents.ListAgents(ag.ListAgentsRequest()).data
               if a.agent_config.instructions == "Answer with one word."]  # fmt: skip
    sessions = agents.ListSessions(ag.ListSessionsRequest(agent_id=made.agent_id)).data
    turns = [agents.GetSession(ag.GetSessionRequest(agent_id=made.agent_id,
                                                    session_id=s.session_id)).session.turns
             for s in sessions]  # fmt: skip
    assert [len(t) for t in turns] == [1, 1]
    turns = [t[0] for t in turns]
    assert sorted(t.output_message.content[0].text for t in turns) == sorted(answers)
    # The same greedy rows give the same answers.
    again = run(evals, bench, cfg)
    wait(evals, bench, again.job_id, lambda j: j.status in DONE)
    second = evals.GetJobResult(ev.GetJobResultRequest(benchmark_id=bench, job_id=again.job_id))
    assert [g.fields["generated_answer"].string_value for g in second.generations] == answers


def test_refusals(evals, bench):
    no_model = {"eval_candidate": {"agent": {"config": {"instructions": "hi"}}}}
    no_such = {"eval_candidate": {"agent": {"config": {"model": "no-such-model"}}}}
    cases = [
        (no_model, grpc.StatusCode.INVALID_ARGUMENT, "agent.config.model is required"),
        (no_such, grpc.StatusCode.NOT_FOUND, "no-such-model"),
        (config(model="no-such-model"), grpc.StatusCode.NOT_FOUND, "no-such-model"),
        ({**config(), "num_examples": 0}, grpc.StatusCode.INVALID_ARGUMENT, "num_examples"),
        ({**config(), "scoring_params": {"basic::nope": {"basic": {}}}},
         grpc.StatusCode.INVALID_ARGUMENT, "basic::nope"),
        ({}, grpc.StatusCode.INVALID_ARGUMENT, "benchmark_config"),
    ]  # fmt: skip
    for cfg, code, words in cases:
        with pytest.raises(grpc.RpcError) as err:
            run(evals, bench, cfg)
        assert err.value.code() == code and words in err.value.details(), err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        status(evals, bench, "no-such-job")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as err:
        status(evals, "no-such-bench", "x")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_two_eval_replicas_share_the_jobs_and_never_run_one_twice(eval_mesh, evals, bench):
    import json

    from tests.support.processes import start_service

    replica_dir = eval_mesh.workdir / "replica"
    replica_dir.mkdir(exist_ok=True)
    gateway_env = {"LLS_GATEWAY_ADDR": eval_mesh.services["eval"].env["LLS_GATEWAY_ADDR"]}
    replica = start_service("eval", eval_mesh.run_config, replica_dir, env=gateway_env)
    db = sqlite3.connect(eval_mesh.workdir / "state" / "registry.db")
    try:
        jobs = [run(evals, bench, config(num_examples=10)).job_id for _ in range(2)]
        owners: dict[str, str] = {}
        deadline = time.monotonic() + 120
        while len(owners) < 2 and time.monotonic() < deadline:
            for job_id, data in db.execute(
                "SELECT key, data FROM state_v1 WHERE collection = 'jobs.eval.meta-reference'"
            ):
                record = json.loads(data)
                if job_id in jobs and record["status"] == "running":
                    owners[job_id] = record["lease_owner"]
            time.sleep(0.05)
        assert len(set(owners.values())) == 2, owners  # one job each, at the same time
        for job_id in jobs:
            done, _ = wait(evals, bench, job_id, lambda j: j.status in DONE)
            assert done.status == job_pb2.JOB_STATUS_COMPLETED, done.error
            versions = db.execute(
                "SELECT version FROM state_v1 WHERE collection = 'eval.rows' AND parent = ?",
                (job_id,),
            ).fetchall()
            assert sorted(v for (v,) in versions) == [1] * 10
    finally:
        db.close()
        replica.stop()
