"""The llama.cpp engine's plumbing: stop sequences, the FIFO pool, and cancellation of the
worker thread (the model itself is replaced by a fake generation loop)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.inference.providers.llama_cpp import engine
from services.inference.providers.llama_cpp.engine import (
    FifoPool,
    Finished,
    GenerationParams,
    ModelRunner,
    Piece,
    StopMatcher,
)


def run_matcher(stops: list[str], pieces: list[str]) -> tuple[str, bool]:
    m = StopMatcher(stops)
    out = ""
    for p in pieces:
        out += m.feed(p)
        if m.stopped:
            return out, True
    return out + m.flush(), False


@pytest.mark.parametrize(
    ("stops", "pieces", "expected"),
    [
        ([], ["a", "b"], ("ab", False)),
        (["END"], ["hello E", "N", "D more"], ("hello ", True)),
        (["END"], ["hello E", "N", "x"], ("hello ENx", False)),
        (["\n\n", "###"], ["a\n", "b#", "##c"], ("a\nb", True)),
        (["ab"], ["xa"], ("xa", False)),  # the held-back prefix comes out at the end
        (["5"], ["1, 2, 3, 4, 5, 6"], ("1, 2, 3, 4, ", True)),
    ],
)
def test_stop_matcher(stops, pieces, expected):
    assert run_matcher(stops, pieces) == expected


def test_stop_matcher_holds_back_possible_prefixes():
    m = StopMatcher(["STOP"])
    assert m.feed("abc ST") == "abc "
    assert m.feed("x") == "STx"


async def test_pool_serves_waiters_in_arrival_order():
    pool = FifoPool(["only"])
    held = await pool.acquire()
    order: list[str] = []

    async def worker(name: str) -> None:
        item = await pool.acquire()
        order.append(name)
        await asyncio.sleep(0)
        pool.release(item)

    tasks = [asyncio.create_task(worker(n)) for n in "abc"]
    await asyncio.sleep(0)
    assert pool.waiting == 3
    pool.release(held)
    # A newcomer arriving right after the release must not overtake the queue.
    late = asyncio.create_task(worker("late"))
    await asyncio.gather(*tasks, late)
    assert order == ["a", "b", "c", "late"]
    assert pool.busy == 0


async def test_pool_cancelled_waiter_is_skipped_and_handoff_is_not_lost():
    pool = FifoPool([1])
    held = await pool.acquire()
    gone = asyncio.create_task(pool.acquire())
    stays = asyncio.create_task(pool.acquire())
    await asyncio.sleep(0)
    gone.cancel()
    pool.release(held)
    assert await stays == 1
    with pytest.raises(asyncio.CancelledError):
        await gone
    pool.release(1)
    assert pool.busy == 0 and pool.waiting == 0


class FakeLlm:
    def n_ctx(self) -> int:
        return 2048


@pytest.fixture
def fake_generate(monkeypatch):
    """A generation loop that emits a piece per 'token' until cancelled or done."""
    state = {"stopped_at": None, "done": threading.Event()}

    def generate(llm, params, cancel, emit, chunked=None):
        try:
            for i in range(params.max_tokens):
                if cancel.wait(0.005):
                    state["stopped_at"] = i
                    return Finished("cancelled", 3, i)
                emit(Piece(f"t{i} "))
            return Finished("length", 3, params.max_tokens)
        finally:
            state["done"].set()

    monkeypatch.setattr(engine, "generate", generate)
    return state


async def test_runner_streams_pieces_then_finished(fake_generate):
    with ThreadPoolExecutor(1) as ex:
        runner = ModelRunner("m", [FakeLlm()], ex)
        items = [i async for i in runner.stream(GenerationParams("p", max_tokens=4))]
    assert [i.text for i in items[:-1]] == ["t0 ", "t1 ", "t2 ", "t3 "]
    assert items[-1] == Finished("length", 3, 4)


async def test_closing_the_stream_stops_the_worker_and_frees_the_instance(fake_generate):
    with ThreadPoolExecutor(1) as ex:
        runner = ModelRunner("m", [FakeLlm()], ex)
        stream = runner.stream(GenerationParams("p", max_tokens=10_000))
        assert (await anext(stream)).text == "t0 "
        await stream.aclose()
        assert await asyncio.to_thread(fake_generate["done"].wait, 10)
        assert fake_generate["stopped_at"] is not None and fake_generate["stopped_at"] < 10_000
        items = [i async for i in runner.stream(GenerationParams("p", max_tokens=2))]
        assert items[-1].reason == "length"


async def test_cancelling_the_consumer_task_stops_the_worker(fake_generate):
    with ThreadPoolExecutor(1) as ex:
        runner = ModelRunner("m", [FakeLlm()], ex)

        async def consume() -> None:
            async for _ in runner.stream(GenerationParams("p", max_tokens=10_000)):
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(fake_generate["done"].wait, 10)
        await asyncio.sleep(0.01)  # the release is scheduled on the loop
        assert runner.pool.busy == 0


async def test_worker_errors_reach_the_consumer(monkeypatch):
    def generate(llm, params, cancel, emit, chunked=None):
        raise ValueError("bad prompt")

    monkeypatch.setattr(engine, "generate", generate)
    with ThreadPoolExecutor(1) as ex:
        runner = ModelRunner("m", [FakeLlm()], ex)
        with pytest.raises(ValueError, match="bad prompt"):
            async for _ in runner.stream(GenerationParams("p", max_tokens=2)):
                pass
        await asyncio.sleep(0.01)
        assert runner.pool.busy == 0


@pytest.mark.parametrize(
    ("cached", "chunked", "tokens", "expected"),
    [
        ([], 0, [1, 2, 3], 0),  # nothing cached
        (list(range(20)), 16, list(range(20)), 16),  # same prompt: whole chunks, not the tail
        (list(range(16)), 16, list(range(16)), 8),  # the last token is always evaluated
        (list(range(40)), 40, [*range(30), 99], 24),  # diverges at 30: down to a chunk
        (list(range(40)), 8, list(range(40)), 8),  # generated tokens are never reused
        ([*range(5), 7, *range(6, 30)], 24, list(range(30)), 0),  # diverges inside chunk 0
    ],
)
def test_reuse_prefix_keeps_only_whole_chunks_a_fresh_run_would_compute(
    cached, chunked, tokens, expected
):
    assert engine.reuse_prefix(cached, chunked, tokens, 8) == expected
