"""Eval jobs without processes: row shapes, and the job runner over a real SQLite state store
with a stand-in mesh (resume without regenerating, cancel, failing after max attempts)."""

from __future__ import annotations

import asyncio

import pytest

from services.common.errors import InvalidArgument
from services.common.jobs import JobStatus, JobStore, run_jobs
from services.common.state.sqlite import SqliteStateStore
from services.eval.candidates import Generation
from services.eval.records import EvalRecords
from services.eval.rows import prompt_of, scoring_row
from services.eval.runner import EvalRunner, RunnerConfig
from services.eval.types import Benchmark, Candidate, EvalPlan

ROWS = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(6)]


def test_rows_of_every_shape_become_prompts():
    assert prompt_of({"question": "hi", "answer": "x"}, 0).messages == (("user", "hi"),)
    chat = prompt_of({"chat_completion_input": '[{"role": "user", "content": "hi"}]'}, 0)
    assert chat.messages == (("user", "hi"),)
    parts = prompt_of({"messages": [{"role": "system", "content": [{"type": "text",
                                                                  "text": "be brief"}]},
                                    {"role": "user", "content": "hi"}]}, 0)  # fmt: skip
    assert parts.messages == (("system", "be brief"), ("user", "hi"))
    assert prompt_of({"completion_input": "1 + 1 ="}, 0).text == "1 + 1 ="
    with pytest.raises(InvalidArgument, match="row 3 has no input"):
        prompt_of({"answer": "x"}, 3)
    with pytest.raises(InvalidArgument, match="roles"):
        prompt_of({"messages": [{"role": "robot", "content": "x"}]}, 0)
    row = scoring_row({"question": "q", "answer": "a", "meta": {"x": 1}}, prompt_of(
        {"question": "q"}, 0), "gen")  # fmt: skip
    assert row == {"question": "q", "answer": "a", "input_query": "q", "expected_answer": "a",
                   "generated_answer": "gen"}  # fmt: skip


class FakeMesh:
    gateway = None

    def __init__(self) -> None:
        self.scored = 0

    async def rows(self, dataset_id, limit):
        return ROWS[:limit]

    async def score(self, rows, params):
        self.scored += len(rows)
        return {"basic::equality": ([{"score": float(r["generated_answer"] == r["expected_answer"])}
                                     for r in rows], {})}  # fmt: skip


def plan(num_examples=None) -> dict:
    bench = Benchmark("qa-bench", "qa-bench", "qa", ("basic::equality",))
    p = EvalPlan(bench, Candidate("model", model="m"), {"basic::equality": {}},
                 {"basic::equality": ["accuracy"]}, num_examples)  # fmt: skip
    return {"plan": p.to_json()}


@pytest.fixture
async def store(tmp_path):
    s = SqliteStateStore(tmp_path / "state.db")
    yield s
    await s.close()


def runner_for(store, generated: list[int], gate: asyncio.Event | None = None,
               stuck: frozenset[int] = frozenset(), **config):  # fmt: skip
    """A runner whose stand-in model answers row i with "a<i>" for even i; rows wait for
    `gate`, and rows in `stuck` never finish."""

    async def generate(prompt):
        index = int(prompt.messages[0][1][1:])
        generated.append(index)
        if gate is not None:
            await gate.wait()
        if index in stuck:
            await asyncio.Event().wait()
        return Generation(f"a{index}" if index % 2 == 0 else "wrong")

    jobs = JobStore(store, "eval.test", worker_id=f"w{len(generated)}")
    runner = EvalRunner(jobs, EvalRecords(store), FakeMesh(),
                        RunnerConfig(max_concurrency=2, lease_s=30, **config),
                        make_generator=lambda *_: generate)  # fmt: skip
    return jobs, runner


async def wait_for(jobs, job_id, done):
    for _ in range(2000):  # 20 s: a loaded machine is slow
        job = await jobs.get(job_id)
        if done(job):
            return job
        await asyncio.sleep(0.01)
    raise AssertionError(f"job stuck: {job}")


async def test_a_job_generates_scores_and_aggregates(store):
    generated: list[int] = []
    jobs, runner = runner_for(store, generated)
    job = await jobs.create(plan(num_examples=4))
    worker = asyncio.create_task(run_jobs(jobs, runner, poll_s=0.01))
    try:
        done = await wait_for(jobs, job.id, lambda j: j.status.terminal)
    finally:
        worker.cancel()
    assert done.status is JobStatus.COMPLETED, done.error
    assert done.result["aggregated_results"]["basic::equality"]["accuracy"]["accuracy"] == 0.5
    assert sorted(generated) == [0, 1, 2, 3] and done.completed == done.total == 4


async def test_a_resumed_job_regenerates_nothing(store):
    first: list[int] = []
    jobs, gated = runner_for(store, first, stuck=frozenset({3, 4, 5}))
    job = await jobs.create(plan())
    control_job = await jobs.claim(lease_s=30)
    from services.common.jobs import JobControl

    control = JobControl(jobs, control_job, 30)
    task = asyncio.create_task(gated(control))
    await wait_for(jobs, job.id, lambda j: j.completed == 3)  # rows 0-2 done, 3-5 hang
    task.cancel()  # the service stops: the runner releases the lease
    await asyncio.gather(task, return_exceptions=True)
    released = await jobs.get(job.id)
    done_before = set(await EvalRecords(store).rows(job.id))
    assert released.status is JobStatus.RUNNING and released.lease_until <= released.updated_at
    second: list[int] = []
    jobs2, runner2 = runner_for(store, second)
    worker = asyncio.create_task(run_jobs(jobs2, runner2, poll_s=0.01))
    try:
        finished = await wait_for(jobs2, job.id, lambda j: j.status.terminal)
    finally:
        worker.cancel()
    assert finished.status is JobStatus.COMPLETED and finished.attempts == 2
    assert done_before == {0, 1, 2} and sorted(second) == [3, 4, 5]  # nothing generated twice


async def test_cancel_stops_a_running_job_and_attempts_are_bounded(store):
    generated: list[int] = []
    gate = asyncio.Event()
    jobs, runner = runner_for(store, generated, gate, max_attempts=1)
    job = await jobs.create(plan())
    worker = asyncio.create_task(run_jobs(jobs, runner, poll_s=0.01))
    try:
        await wait_for(jobs, job.id, lambda j: j.total == 6)
        await jobs.cancel(job.id)
        gate.set()
        cancelled = await wait_for(jobs, job.id, lambda j: j.status.terminal)
        assert cancelled.status is JobStatus.CANCELLED
        again = await jobs.create(plan())
        finished = await wait_for(jobs, again.id, lambda j: j.status.terminal)
        assert finished.status is JobStatus.COMPLETED and finished.attempts == 1
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    # a job whose workers keep dying fails with the reason after max_attempts claims
    stuck = await jobs.create(plan())
    for _ in range(2):
        assert (await jobs.claim(lease_s=0.01)).id == stuck.id
        await asyncio.sleep(0.02)
    from services.common.jobs import JobControl

    with pytest.raises(Exception, match="started 2 times"):
        await runner(JobControl(jobs, await jobs.get(stuck.id), 30))
