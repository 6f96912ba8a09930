"""Scoring logic: resolve each named function in the registry (one call may name functions of
several providers), merge per-call params over the registered ones, let the owning provider
score, aggregate; `score_batch` reads the dataset through the gateway and can save the
results as a new dataset.

Limits: at most `MAX_SCORE_ROWS` rows per `score` call and `MAX_BATCH_ROWS` rows per
scored dataset (INVALID_ARGUMENT / FAILED_PRECONDITION beyond).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from services.common.aggregation import aggregate
from services.common.errors import FailedPrecondition, InvalidArgument, ServiceUnavailable
from services.common.providers import ProviderHost
from services.scoring.provider import ScoringProviderBase
from services.scoring.types import FnParams, Row, ScoreResult, ScoringFn

__all__ = ["MAX_BATCH_ROWS", "MAX_SCORE_ROWS", "Datasets", "Resolve", "ScoringService"]

MAX_SCORE_ROWS = 10_000
MAX_BATCH_ROWS = 100_000

#: A registered scoring function by identifier (NOT_FOUND when it is not registered).
Resolve = Callable[[str], Awaitable[ScoringFn]]


class Datasets(Protocol):
    async def rows(self, dataset_id: str, limit: int) -> list[Row]:
        """Up to `limit` rows, and one more when the dataset has more."""

    async def save(self, source_id: str, rows: Sequence[Row], functions: Sequence[str]) -> str:
        """Register rows as a new dataset like `source_id`; its identifier."""


class ScoringService:
    def __init__(
        self,
        host: ProviderHost[ScoringProviderBase],
        resolve: Resolve,
        datasets: Datasets | None = None,
    ) -> None:
        self._host = host
        self._resolve = resolve
        self._datasets = datasets

    async def score(
        self, rows: Sequence[Row], functions: Mapping[str, FnParams | None]
    ) -> dict[str, ScoreResult]:
        if not rows:
            raise InvalidArgument("input_rows is empty; give rows to score", field="input_rows")
        if len(rows) > MAX_SCORE_ROWS:
            raise InvalidArgument(
                f"{len(rows)} rows in one call; score at most {MAX_SCORE_ROWS} rows per call "
                "(or register them as a dataset and use score_batch)",
                field="input_rows",
            )
        if not functions:
            raise InvalidArgument(
                "scoring_functions is empty; name at least one", field="scoring_functions"
            )
        ready = await asyncio.gather(*(self._prepare(f, p) for f, p in functions.items()))
        results = await asyncio.gather(*(self._score_one(p, fn, rows) for p, fn in ready))
        return dict(zip(functions, results, strict=True))

    async def _prepare(
        self, fn_id: str, override: FnParams | None
    ) -> tuple[ScoringProviderBase, ScoringFn]:
        if not self._host.ready:
            raise ServiceUnavailable("the scoring service is still starting; retry in a moment")
        fn = await self._resolve(fn_id)
        if fn.provider_id not in self._host.providers:
            raise FailedPrecondition(
                f"scoring function {fn_id} belongs to provider {fn.provider_id}, which this "
                f"scoring service does not host ({sorted(self._host.providers)})",
                scoringFnId=fn_id,
            )
        provider = self._host.get(fn.provider_id)
        return provider, provider.complete(replace(fn, params=fn.params.merged(override, fn_id)))

    async def _score_one(
        self, provider: ScoringProviderBase, fn: ScoringFn, rows: Sequence[Row]
    ) -> ScoreResult:
        score_rows = await provider.score(fn, rows)
        try:
            aggregated = aggregate(fn.params.aggregation_functions, score_rows)
        except ValueError as exc:
            raise InvalidArgument(f"scoring function {fn.identifier}: {exc}") from None
        return ScoreResult(score_rows, aggregated)

    async def score_batch(
        self, dataset_id: str, functions: Mapping[str, FnParams | None], save: bool
    ) -> tuple[str, dict[str, ScoreResult]]:
        assert self._datasets is not None, "score_batch needs dataset access"
        rows = await self._datasets.rows(dataset_id, MAX_BATCH_ROWS)
        if len(rows) > MAX_BATCH_ROWS:
            raise FailedPrecondition(
                f"dataset {dataset_id} has more than {MAX_BATCH_ROWS} rows; score_batch scores "
                "at most that many (score slices of it with score)",
                datasetId=dataset_id,
            )
        if not rows:
            raise FailedPrecondition(f"dataset {dataset_id} has no rows", datasetId=dataset_id)
        results = await self.score(rows, functions)
        saved = ""
        if save:
            scored = [
                {**row, **{fn_id: r.score_rows[i] for fn_id, r in results.items()}}
                for i, row in enumerate(rows)
            ]
            saved = await self._datasets.save(dataset_id, scored, list(functions))
        return saved, results
