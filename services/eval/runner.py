"""Running one eval job (the `run_jobs` handler): snapshot the benchmark's rows, generate and
score each row not yet done with bounded concurrency, store it, report progress; at the end
aggregate every row's scores.

Resume: rows already stored are skipped, so a job claimed again after its service stopped
(its lease released on SIGTERM, or expired after a crash) continues where it was. A job that
keeps dying is failed after `max_attempts` claims, with the reason. Transient mesh errors
(UNAVAILABLE: the gateway or a service restarting) are retried for up to a minute; anything
else fails the job with the error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc

from services.common.aggregation import aggregate
from services.common.errors import FailedPrecondition, LlamaStackError
from services.common.jobs import JobControl, JobStore
from services.eval.candidates import TRANSIENT, Generate, generator
from services.eval.mesh import Mesh
from services.eval.records import EvalRecords
from services.eval.rows import Prompt, prompt_of, scoring_row
from services.eval.types import Candidate, EvalPlan

__all__ = ["EvalRunner", "RunnerConfig", "retrying"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30)


@dataclass(frozen=True)
class RunnerConfig:
    max_concurrency: int = 4
    lease_s: float = 30.0
    max_attempts: int = 5
    timeout_s: float = 600.0
    max_rows: int = 100_000
    #: Progress is written at most this often (row documents are the record of what is done).
    report_s: float = 0.2


async def retrying(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, retried on transient mesh errors; other errors become a clear failure."""
    for delay in (*_RETRY_DELAYS, None):
        try:
            return await call()
        except grpc.aio.AioRpcError as err:
            if err.code() in TRANSIENT and delay is not None:
                log.warning("%s: %s, retrying in %ss", what, err.code().name, delay)
                await asyncio.sleep(delay)
                continue
            raise FailedPrecondition(f"{what}: {err.code().name}: {err.details()}") from None
    raise AssertionError("unreachable")


async def _first_error(coros: list[Coroutine[Any, Any, None]]) -> None:
    """Run all; the first exception cancels the others and is raised as is."""
    tasks = [asyncio.create_task(c) for c in coros]
    if not tasks:
        return
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class EvalRunner:
    def __init__(
        self,
        jobs: JobStore,
        records: EvalRecords,
        mesh: Mesh,
        config: RunnerConfig,
        make_generator: Callable[[Candidate, Any, float], Generate] = generator,
    ) -> None:
        self.jobs = jobs
        self.records = records
        self.mesh = mesh
        self.config = config
        self.make_generator = make_generator

    async def __call__(self, control: JobControl) -> dict[str, Any]:
        try:
            return await self._run(control)
        except asyncio.CancelledError:
            # The service is stopping: release the lease so a replica (or this service once
            # restarted) resumes the job at once rather than after the lease expires.
            try:
                await self.jobs.progress(control.job, lease_s=0.0)
            except Exception:
                log.debug("could not release the lease of job %s", control.job.id)
            raise

    async def _run(self, control: JobControl) -> dict[str, Any]:
        job = control.job
        plan = EvalPlan.from_json(job.params["plan"])
        if job.attempts > self.config.max_attempts:
            raise FailedPrecondition(
                f"the job was started {job.attempts} times without finishing (its eval service "
                f"stopped or crashed each time); it had {job.completed} of {job.total} rows"
            )
        if not job.checkpoint.get("inputs"):
            dataset = plan.benchmark.dataset_id
            limit = plan.num_examples or self.config.max_rows + 1
            rows = await retrying(
                f"reading dataset {dataset}", lambda: self.mesh.rows(dataset, limit)
            )
            if not rows:
                raise FailedPrecondition(f"dataset {dataset} has no rows")
            if len(rows) > self.config.max_rows:
                raise FailedPrecondition(
                    f"dataset {dataset} has more than {self.config.max_rows} rows, the most "
                    "one job evaluates; set benchmark_config.num_examples"
                )
            await self.records.save_inputs(job.id, rows)
            await control.progress(0, total=len(rows), checkpoint={"inputs": True})
        inputs = await self.records.inputs(job.id)
        done = await self.records.rows(job.id)
        if done:
            log.info("eval job %s resumes at %d of %d rows", job.id, len(done), len(inputs))
        await self._generate(control, plan, inputs, set(done))
        stored = await self.records.rows(job.id)
        ordered = [stored[i] for i in range(len(inputs))]
        aggregated = {
            fn: aggregate(plan.aggregations.get(fn, []), [r["scores"][fn] for r in ordered])
            for fn in plan.benchmark.scoring_functions
        }
        return {"aggregated_results": aggregated, "rows": len(inputs)}

    async def _generate(
        self, control: JobControl, plan: EvalPlan, inputs: list[dict], done: set[int]
    ) -> None:
        generate = self.make_generator(plan.candidate, self.mesh.gateway, self.config.timeout_s)
        gate = asyncio.Semaphore(self.config.max_concurrency)
        state = {"completed": len(done)}
        changed = asyncio.Event()
        pending = [i for i in range(len(inputs)) if i not in done]

        async def one(index: int) -> None:
            async with gate:
                record = await self._row(plan, generate, inputs[index], index)
                if await self.records.save_row(control.job.id, index, record):
                    state["completed"] += 1
                changed.set()

        async def heartbeat() -> None:
            """One writer of the job record: progress when rows finished (at most every
            `report_s`), else every third of the lease to keep it; it learns of a cancel."""
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), self.config.lease_s / 3)
                changed.clear()
                await control.progress(state["completed"])
                await asyncio.sleep(self.config.report_s)

        beat = asyncio.create_task(heartbeat())
        work = asyncio.create_task(_first_error([one(i) for i in pending]))
        try:
            finished, _ = await asyncio.wait({beat, work}, return_when=asyncio.FIRST_COMPLETED)
            if beat in finished:
                beat.result()  # JobCancelled or LeaseLost from a heartbeat
            await work
        finally:
            for task in (beat, work):
                task.cancel()
            await asyncio.gather(beat, work, return_exceptions=True)

    async def _row(self, plan: EvalPlan, generate: Generate, row: dict, index: int) -> dict:
        error = ""
        try:
            prompt = prompt_of(row, index)
        except LlamaStackError as exc:
            prompt, error = Prompt(), exc.message
        answer = ""
        if not error:
            generation = await retrying(f"generating row {index}", lambda: generate(prompt))
            answer, error = generation.generated_answer, generation.error
        scored = await retrying(
            f"scoring row {index}",
            lambda: self.mesh.score([scoring_row(row, prompt, answer)], plan.scoring_params),
        )
        out: dict[str, Any] = {"generation": {"generated_answer": answer}}
        if error:
            out["generation"]["error"] = error
        out["scores"] = {fn: result[0][0] for fn, result in scored.items()}
        return out
