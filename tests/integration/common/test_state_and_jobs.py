"""The state store (SQLite and a real Redis server) and the job store built on it."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.common.errors import FailedPrecondition, ObjectNotFound
from services.common.jobs import JobCancelled, JobStatus, JobStore, LeaseLost, run_jobs
from services.common.state import Conflict, cursor
from services.common.state.redis import RedisStateStore
from services.common.state.sqlite import SqliteStateStore


@pytest.fixture(params=["sqlite", "redis"])
async def store(request, tmp_path, redis_url):
    if request.param == "sqlite":
        s = SqliteStateStore(tmp_path / "state.db")
    else:
        s = RedisStateStore(redis_url, namespace=f"t{uuid.uuid4().hex[:8]}")
    yield s
    await s.close()


async def test_put_get_versions_and_conditional_writes(store):
    doc = await store.put("c", "k", b"one", expect=0)
    assert doc.version == 1 and (await store.get("c", "k")).data == b"one"
    with pytest.raises(Conflict):
        await store.put("c", "k", b"again", expect=0)  # exists already
    doc = await store.put("c", "k", b"two", expect=1)
    assert doc.version == 2
    with pytest.raises(Conflict):
        await store.put("c", "k", b"stale", expect=1)
    assert (await store.get("c", "k")).data == b"two"
    with pytest.raises(Conflict):
        await store.delete("c", "k", expect=1)
    assert await store.delete("c", "k", expect=2)
    assert await store.get("c", "k") is None and not await store.delete("c", "k")


async def test_listing_is_ordered_paged_and_per_parent(store):
    for i in range(7):
        await store.put("turns", f"t{i}", b"x", parent="s1", sort=f"{10 - i:03d}")
    await store.put("turns", "other", b"x", parent="s2")
    page1 = await store.list("turns", parent="s1", limit=4)
    page2 = await store.list("turns", parent="s1", after=cursor(page1[-1]), limit=4)
    keys = [d.key for d in page1 + page2]
    assert keys == [f"t{i}" for i in range(6, -1, -1)]  # by sort, not by key
    # moving a document to another parent moves it between listings
    await store.put("turns", "t0", b"y", parent="s2", sort="000")
    assert [d.key for d in await store.list("turns", parent="s2")] == [
        "other",
        "t0",
    ]  # "" sorts first
    assert await store.delete_children("turns", "s1") == 6
    assert await store.list("turns", parent="s1") == []


async def test_counters_add_atomically_and_expire(store):
    results = await asyncio.gather(*(store.incr("rpm:alice", 1, ttl_s=0.3) for _ in range(20)))
    assert sorted(results) == list(range(1, 21))
    await asyncio.sleep(0.4)
    assert await store.incr("rpm:alice", 5, ttl_s=0.3) == 5


async def test_jobs_claim_lease_progress_and_finish(store):
    a, b = JobStore(store, "eval", "worker-a"), JobStore(store, "eval", "worker-b")
    job = await a.create({"benchmark": "qa"}, total=10)
    claimed = await a.claim(lease_s=30)
    assert claimed.id == job.id and claimed.status is JobStatus.RUNNING
    assert await b.claim(lease_s=30) is None  # leased: nobody else runs it
    claimed = await a.progress(claimed, 30, completed=4, checkpoint={"rows": 4})
    with pytest.raises(LeaseLost):
        await b.progress(claimed, 30, completed=5)
    done = await a.finish(claimed, {"accuracy": 0.5})
    assert done.status is JobStatus.COMPLETED and done.completed == 10 and done.finished_at
    active, _ = await a.list(active=True)
    finished, _ = await a.list(active=False)
    assert active == [] and [j.id for j in finished] == [job.id]
    with pytest.raises(FailedPrecondition):
        await a.cancel(job.id)
    with pytest.raises(ObjectNotFound):
        await a.get("nope")


async def test_an_expired_lease_is_resumed_from_its_checkpoint(store):
    a, b = JobStore(store, "eval", "worker-a"), JobStore(store, "eval", "worker-b")
    await a.create({}, total=3)
    first = await a.claim(lease_s=0.1)
    await a.progress(first, 0.1, completed=2, checkpoint={"done": [0, 1]})
    await asyncio.sleep(0.2)  # worker a died
    again = await b.claim(lease_s=30)
    assert again.id == first.id and again.checkpoint == {"done": [0, 1]} and again.attempts == 2


async def test_cancel_stops_queued_jobs_at_once_and_running_ones_at_their_next_report(store):
    jobs = JobStore(store, "eval", "w")
    queued = await jobs.create({})
    assert (await jobs.cancel(queued.id)).status is JobStatus.CANCELLED
    running = await jobs.create({})
    claimed = await jobs.claim(lease_s=30)
    assert claimed.id == running.id
    assert (await jobs.cancel(running.id)).cancel_requested
    with pytest.raises(JobCancelled):
        await jobs.progress(claimed, 30, completed=1)


async def test_run_jobs_reports_progress_cancels_and_records_failures(store):
    jobs = JobStore(store, "batch", "w")
    ok, boom, slow = [await jobs.create({"n": n}, total=3) for n in (3, -1, 1000)]

    async def handler(control):
        n = control.job.params["n"]
        if n < 0:
            raise ValueError("n must be positive")
        for i in range(n):
            await control.progress(i + 1)
            await asyncio.sleep(0.01)
        return {"sum": n}

    worker = asyncio.create_task(run_jobs(jobs, handler, poll_s=0.02, concurrency=2))
    try:
        for _ in range(200):
            if (await jobs.get(slow.id)).completed > 5:
                break
            await asyncio.sleep(0.02)
        await jobs.cancel(slow.id)
        for _ in range(200):
            states = [(await jobs.get(j.id)).status for j in (ok, boom, slow)]
            if all(s.terminal for s in states):
                break
            await asyncio.sleep(0.02)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert (await jobs.get(ok.id)).result == {"sum": 3}
    failed = await jobs.get(boom.id)
    assert failed.status is JobStatus.FAILED and "n must be positive" in failed.error
    assert (await jobs.get(slow.id)).status is JobStatus.CANCELLED
