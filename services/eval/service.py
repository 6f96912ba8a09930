"""Eval logic: submit a benchmark run as a job (checked and fixed into a plan at once), report
and cancel jobs, assemble their results; evaluate a few rows synchronously."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.common.errors import FailedPrecondition, InvalidArgument, ObjectNotFound
from services.common.jobs import Job, JobStatus
from services.common.providers import ProviderHost
from services.eval.candidates import candidate_model, generator
from services.eval.provider import EvalProviderBase
from services.eval.rows import Prompt, prompt_of, scoring_row
from services.eval.runner import retrying
from services.eval.types import Benchmark, Candidate, EvalPlan, Row

__all__ = ["EvalResult", "EvalService"]


@dataclass
class EvalResult:
    generations: list[Row]
    #: fn id -> (score rows, aggregated results)
    scores: dict[str, tuple[list[Row], dict[str, Any]]]


class EvalService:
    def __init__(self, host: ProviderHost[EvalProviderBase]) -> None:
        self._host = host

    def _benchmark(
        self, provider_id: str | None, benchmark_id: str
    ) -> tuple[EvalProviderBase, Benchmark]:
        provider = self._host.pick(provider_id, benchmark_id)
        return provider, provider.benchmarks.get(benchmark_id)

    async def run_eval(
        self,
        provider_id: str | None,
        benchmark_id: str,
        candidate: Candidate,
        overrides: Mapping[str, dict[str, Any]],
        num_examples: int | None,
    ) -> Job:
        provider, bench = self._benchmark(provider_id, benchmark_id)
        model = candidate_model(candidate)
        if num_examples is not None and not 1 <= num_examples <= provider.max_rows:
            raise InvalidArgument(
                f"num_examples must be between 1 and {provider.max_rows} (got {num_examples})",
                field="benchmark_config.num_examples",
            )
        _check_overrides(bench.identifier, bench.scoring_functions, overrides)
        await provider.mesh.check_model(model)
        aggregations = {}
        for fn in bench.scoring_functions:
            aggregations[fn] = await provider.mesh.aggregations(fn, dict(overrides.get(fn, {})))
        plan = EvalPlan(
            bench,
            candidate,
            {fn: dict(overrides.get(fn, {})) for fn in bench.scoring_functions},
            aggregations,
            num_examples,
        )
        return await provider.jobs.create({"plan": plan.to_json()})

    async def _job(self, provider_id: str | None, benchmark_id: str, job_id: str):
        """The job, from its own record: it carries its benchmark, so a restarted service
        answers before the gateway has registered the benchmarks with it again."""
        provider = self._host.pick(provider_id, benchmark_id)
        job = await provider.jobs.get(job_id)
        if EvalPlan.from_json(job.params["plan"]).benchmark.benchmark_id != benchmark_id:
            raise ObjectNotFound(
                f"job {job_id} is not a job of benchmark {benchmark_id}", jobId=job_id
            )
        return provider, job

    async def status(self, provider_id: str | None, benchmark_id: str, job_id: str) -> Job:
        return (await self._job(provider_id, benchmark_id, job_id))[1]

    async def cancel(self, provider_id: str | None, benchmark_id: str, job_id: str) -> Job:
        provider, _ = await self._job(provider_id, benchmark_id, job_id)
        return await provider.jobs.cancel(job_id)

    async def result(self, provider_id: str | None, benchmark_id: str, job_id: str) -> EvalResult:
        provider, job = await self._job(provider_id, benchmark_id, job_id)
        if job.status is not JobStatus.COMPLETED:
            detail = f": {job.error}" if job.error else f" ({job.completed} of {job.total} rows)"
            raise FailedPrecondition(
                f"job {job_id} is {job.status.value}{detail}; results exist once it completed",
                jobId=job_id,
            )
        rows = await provider.records.rows(job_id)
        ordered = [rows[i] for i in sorted(rows)]
        aggregated = job.result.get("aggregated_results", {})
        plan = EvalPlan.from_json(job.params["plan"])
        return EvalResult(
            [r["generation"] for r in ordered],
            {
                fn: ([r["scores"][fn] for r in ordered], aggregated.get(fn, {}))
                for fn in plan.benchmark.scoring_functions
            },
        )

    async def evaluate_rows(
        self,
        provider_id: str | None,
        benchmark_id: str,
        rows: Sequence[Row],
        functions: Sequence[str],
        candidate: Candidate,
        overrides: Mapping[str, dict[str, Any]],
    ) -> EvalResult:
        provider, _ = self._benchmark(provider_id, benchmark_id)
        model = candidate_model(candidate)
        if not rows or len(rows) > provider.evaluate_rows_max:
            raise InvalidArgument(
                f"evaluate_rows takes 1 to {provider.evaluate_rows_max} rows (got {len(rows)}); "
                "run larger sets as a job with run_eval",
                field="input_rows",
            )
        _check_overrides("this call", tuple(functions), overrides)
        await provider.mesh.check_model(model)
        generate = generator(candidate, provider.mesh.gateway, provider.timeout_s)
        gate = asyncio.Semaphore(provider.max_concurrency)
        prompts = [prompt_of(r, i) for i, r in enumerate(rows)]

        async def one(i: int, prompt: Prompt) -> dict[str, str]:
            async with gate:
                generation = await retrying(f"generating row {i}", lambda: generate(prompt))
            out = {"generated_answer": generation.generated_answer}
            if generation.error:
                out["error"] = generation.error
            return out

        generations = list(await asyncio.gather(*(one(i, p) for i, p in enumerate(prompts))))
        scored_rows = [
            scoring_row(r, p, g["generated_answer"])
            for r, p, g in zip(rows, prompts, generations, strict=True)
        ]
        scores = await retrying(
            "scoring",
            lambda: provider.mesh.score(
                scored_rows, {fn: dict(overrides.get(fn, {})) for fn in functions}
            ),
        )
        return EvalResult(generations, scores)


def _check_overrides(what: str, functions: Sequence[str], overrides: Mapping[str, Any]) -> None:
    unknown = sorted(set(overrides) - set(functions))
    if unknown:
        raise InvalidArgument(
            f"scoring_params names {unknown}, which {what} does not score with "
            f"({', '.join(functions)})",
            field="benchmark_config.scoring_params",
        )
