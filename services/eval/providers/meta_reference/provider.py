"""`inline::meta-reference`: benchmarks, and a job worker (`services.common.jobs.run_jobs`)
that claims eval jobs from the state store under a lease, so replicas share the work and
never run a job twice, and a restarted service resumes its jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from services.common.gateway_client import GatewayClient
from services.common.jobs import JobStore, run_jobs
from services.common.settings import Settings
from services.common.state import StateStore
from services.common.state.process import open_process_state_store
from services.eval.mesh import Mesh
from services.eval.provider import EvalProviderBase
from services.eval.providers.meta_reference.config import MetaReferenceEvalConfig
from services.eval.records import EvalRecords
from services.eval.runner import EvalRunner, RunnerConfig

__all__ = ["MetaReferenceEvalProvider"]

log = logging.getLogger(__name__)


class MetaReferenceEvalProvider(EvalProviderBase):
    provider_type = "inline::meta-reference"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = MetaReferenceEvalConfig.model_validate(dict(config))
        self.evaluate_rows_max = self.config.evaluate_rows_max
        self.max_rows = self.config.max_rows
        self.max_concurrency = self.config.max_concurrency
        self.timeout_s = self.config.timeout_s
        self._store: StateStore | None = None
        self._worker: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        self._store = await open_process_state_store()
        self.jobs = JobStore(self._store, f"eval.{self.provider_id}")
        self.records = EvalRecords(self._store)
        self.mesh = Mesh(GatewayClient(Settings().gateway_addr), self.config.timeout_s)
        runner = EvalRunner(
            self.jobs,
            self.records,
            self.mesh,
            RunnerConfig(
                max_concurrency=self.config.max_concurrency,
                lease_s=self.config.lease_s,
                max_attempts=self.config.max_attempts,
                timeout_s=self.config.timeout_s,
                max_rows=self.config.max_rows,
            ),
        )
        self._worker = asyncio.create_task(
            run_jobs(
                self.jobs,
                runner,
                lease_s=self.config.lease_s,
                poll_s=self.config.poll_s,
                concurrency=self.config.job_concurrency,
            ),
            name=f"eval-worker-{self.provider_id}",
        )
        self._worker.add_done_callback(_log_exit)

    async def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._store is not None:
            await self.mesh.gateway.close()
            await self._store.close()


def _log_exit(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the eval job worker stopped", exc_info=task.exception())
