"""Jobs every service shares (eval runs, batch inference, ingestion, training): one record
shape in the state store, leases so that several replicas never run the same job twice, and
a worker loop with progress, cancellation and resume.

A job is `queued` until a worker claims it (`running`, with a lease it renews on every
progress report); it ends `completed`, `failed` (with an error saying why) or `cancelled`.
A worker that dies stops renewing: when the lease expires another worker (or the same
service after a restart) claims the job again, with its last `checkpoint`, so the handler
resumes where the last progress report left it. `cancel()` stops a queued job at once and
asks a running one to stop at its next progress report.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from services.common.errors import FailedPrecondition, ObjectNotFound
from services.common.state import Conflict, StateStore, cursor

__all__ = ["Job", "JobCancelled", "JobControl", "JobStatus", "JobStore", "LeaseLost", "run_jobs"]

log = logging.getLogger(__name__)
_ACTIVE, _DONE = "active", "done"
_RETRIES = 20


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobCancelled(Exception):
    """Raised by `JobControl.progress` when the job was cancelled."""


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease)."""


@dataclass
class Job:
    id: str
    kind: str
    status: JobStatus = JobStatus.QUEUED
    params: dict[str, Any] = field(default_factory=dict)
    total: int = 0
    completed: int = 0
    created_at: float = 0.0
    started_at: float | None = None
    updated_at: float = 0.0
    finished_at: float | None = None
    error: str = ""
    cancel_requested: bool = False
    lease_owner: str = ""
    lease_until: float = 0.0
    attempts: int = 0
    #: What a resumed run needs to continue (e.g. the rows done so far).
    checkpoint: dict[str, Any] = field(default_factory=dict)
    #: A small summary; large results are the service's own documents.
    result: dict[str, Any] = field(default_factory=dict)
    #: The stored version (for conditional writes; not serialised).
    version: int = 0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the pace so far (None until there is a pace)."""
        if self.status is not JobStatus.RUNNING or not self.started_at or not self.completed:
            return None
        elapsed = max(0.0, self.updated_at - self.started_at)
        return elapsed / self.completed * max(0, self.total - self.completed)

    def to_bytes(self) -> bytes:
        data = {k: v for k, v in asdict(self).items() if k != "version"}
        data["status"] = self.status.value
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes, version: int) -> Job:
        raw = json.loads(data)
        known = {f.name for f in fields(cls)}
        job = cls(**{k: v for k, v in raw.items() if k in known})
        job.status = JobStatus(job.status)
        job.version = version
        return job


class JobStore:
    """The jobs of one kind (`eval`, `batch_inference`...) in the state store."""

    def __init__(self, store: StateStore, kind: str, worker_id: str | None = None) -> None:
        self.store = store
        self.kind = kind
        self.collection = f"jobs.{kind}"
        #: Who this process is when it holds a lease.
        self.worker_id = worker_id or uuid.uuid4().hex

    async def create(
        self, params: dict[str, Any], total: int = 0, job_id: str | None = None
    ) -> Job:
        now = time.time()
        job = Job(job_id or uuid.uuid4().hex, self.kind, params=params, total=total,
                  created_at=now, updated_at=now)  # fmt: skip
        await self._write(job, expect=0)
        return job

    async def get(self, job_id: str) -> Job:
        doc = await self.store.get(self.collection, job_id)
        if doc is None:
            raise ObjectNotFound(f"{self.kind} job {job_id!r} does not exist", jobId=job_id)
        return Job.from_bytes(doc.data, doc.version)

    async def list(self, active: bool, after: str = "", limit: int = 100) -> tuple[list[Job], str]:
        """Jobs in creation order (active ones, or finished ones) and the next cursor."""
        docs = await self.store.list(
            self.collection, parent=_ACTIVE if active else _DONE, after=after, limit=limit
        )
        jobs = [Job.from_bytes(d.data, d.version) for d in docs]
        return jobs, (cursor(docs[-1]) if len(docs) == limit else "")

    async def claim(self, lease_s: float) -> Job | None:
        """A queued job, or a running one whose lease expired, now leased to this worker."""
        after = ""
        while True:
            jobs, after = await self.list(active=True, after=after, limit=100)
            now = time.time()
            for job in jobs:
                runnable = job.status is JobStatus.QUEUED or (
                    job.status is JobStatus.RUNNING and job.lease_until < now
                )
                if not runnable:
                    continue
                resumed = job.status is JobStatus.RUNNING
                job.status, job.lease_owner, job.lease_until = (
                    JobStatus.RUNNING, self.worker_id, now + lease_s,
                )  # fmt: skip
                job.started_at = job.started_at or now
                job.attempts += 1
                job.updated_at = now
                try:
                    await self._write(job, expect=job.version)
                except Conflict:
                    continue  # another worker was faster
                if resumed:
                    log.info("%s job %s resumed after its lease expired", self.kind, job.id)
                return job
            if not after:
                return None

    async def progress(
        self,
        job: Job,
        lease_s: float,
        completed: int | None = None,
        total: int | None = None,
        checkpoint: dict[str, Any] | None = None,
    ) -> Job:
        """Record progress and renew the lease; raise LeaseLost or JobCancelled."""

        def change(current: Job) -> None:
            if current.lease_owner != self.worker_id or current.status is not JobStatus.RUNNING:
                raise LeaseLost(f"{self.kind} job {job.id} is now held by {current.lease_owner}")
            if completed is not None:
                current.completed = completed
            if total is not None:
                current.total = total
            if checkpoint is not None:
                current.checkpoint = checkpoint
            current.lease_until = time.time() + lease_s

        updated = await self._update(job.id, change)
        if updated.cancel_requested:
            raise JobCancelled(job.id)
        return updated

    async def finish(self, job: Job, result: dict[str, Any]) -> Job:
        def change(current: Job) -> None:
            current.status, current.result = JobStatus.COMPLETED, result
            current.completed = max(current.completed, current.total)

        return await self._update(job.id, change)

    async def fail(self, job: Job, error: str) -> Job:
        def change(current: Job) -> None:
            current.status, current.error = JobStatus.FAILED, error

        return await self._update(job.id, change)

    async def mark_cancelled(self, job: Job) -> Job:
        def change(current: Job) -> None:
            current.status = JobStatus.CANCELLED

        return await self._update(job.id, change)

    async def cancel(self, job_id: str) -> Job:
        """Stop a queued job now; ask a running one to stop at its next progress report."""

        def change(current: Job) -> None:
            if current.status.terminal:
                raise FailedPrecondition(
                    f"{self.kind} job {job_id} already ended ({current.status.value})",
                    jobId=job_id,
                )
            current.cancel_requested = True
            if current.status is JobStatus.QUEUED:
                current.status = JobStatus.CANCELLED

        return await self._update(job_id, change)

    async def _update(self, job_id: str, change: Callable[[Job], None]) -> Job:
        for _ in range(_RETRIES):
            current = await self.get(job_id)
            change(current)
            current.updated_at = time.time()
            if current.status.terminal and current.finished_at is None:
                current.finished_at = current.updated_at
                current.lease_owner, current.lease_until = "", 0.0
            try:
                await self._write(current, expect=current.version)
                return current
            except Conflict:
                await asyncio.sleep(0.01)
        raise Conflict(f"{self.kind} job {job_id} kept changing under us")

    async def _write(self, job: Job, expect: int | None) -> None:
        doc = await self.store.put(
            self.collection,
            job.id,
            job.to_bytes(),
            parent=_DONE if job.status.terminal else _ACTIVE,
            sort=f"{job.created_at:017.6f}",
            expect=expect,
        )
        job.version = doc.version


@dataclass
class JobControl:
    """What a job handler gets: its job (with the checkpoint to resume from) and a way to
    report progress, which renews the lease and raises JobCancelled when asked to stop."""

    jobs: JobStore
    job: Job
    lease_s: float

    async def progress(
        self,
        completed: int,
        total: int | None = None,
        checkpoint: dict[str, Any] | None = None,
    ) -> None:
        self.job = await self.jobs.progress(self.job, self.lease_s, completed, total, checkpoint)


Handler = Callable[[JobControl], Awaitable[dict[str, Any]]]


async def run_jobs(
    jobs: JobStore,
    handler: Handler,
    *,
    lease_s: float = 30.0,
    poll_s: float = 0.5,
    concurrency: int = 1,
) -> None:
    """Claim and run jobs until cancelled. The handler returns the job's result summary and
    calls `control.progress(...)` at least every `lease_s` seconds."""
    gate = asyncio.Semaphore(concurrency)
    running: set[asyncio.Task[None]] = set()

    async def one(job: Job) -> None:
        control = JobControl(jobs, job, lease_s)
        try:
            result = await handler(control)
            await jobs.finish(control.job, result)
        except JobCancelled:
            await jobs.mark_cancelled(control.job)
        except LeaseLost as exc:
            log.warning("%s", exc)
        except asyncio.CancelledError:
            raise  # the service is stopping: the lease expires and the job resumes later
        except Exception as exc:
            log.exception("%s job %s failed", jobs.kind, job.id)
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            await jobs.fail(control.job, message)
        finally:
            gate.release()

    try:
        while True:
            await gate.acquire()
            job = await jobs.claim(lease_s)
            if job is None:
                gate.release()
                await asyncio.sleep(poll_s)
                continue
            task = asyncio.create_task(one(job))
            running.add(task)
            task.add_done_callback(running.discard)
    finally:
        for task in list(running):
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
