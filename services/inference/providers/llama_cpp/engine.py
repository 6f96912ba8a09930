"""Token generation with llama.cpp off the event loop: a FIFO pool of model instances, one
worker thread per running generation, and a cancel flag checked between tokens.

Fairness: a request waits for a free instance in strict arrival order (`FifoPool` hands a
released instance straight to the oldest waiter, so a newcomer cannot overtake). With
`parallelism` instances per model that many requests generate at once; the rest queue.

Cancellation: the async consumer owns a `threading.Event`; when the consumer goes away (the
client cancelled, the deadline passed, the stream was closed) the event is set, the worker
stops before the next token, and the instance returns to the pool.

Reproducibility: the same greedy request gives the same text whatever ran before on the
instance. llama-cpp-python reuses the longest cached prefix of a prompt and evaluates only
the rest, in a batch shape that differs from a fresh evaluation, so the floating-point
results (and sometimes the chosen tokens) differ. `reuse_prefix` keeps only what a fresh
evaluation would compute identically: whole `n_batch` chunks, aligned at 0, that an earlier
prompt evaluated as whole chunks (never tokens generated one at a time).
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np

from services.common.errors import InvalidArgument

__all__ = [
    "FifoPool",
    "Finished",
    "GenerationParams",
    "ModelRunner",
    "Piece",
    "StopMatcher",
    "reuse_prefix",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class GenerationParams:
    prompt: str
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    min_p: float = 0.0
    repeat_penalty: float = 1.0
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    #: Seed of the sampler (None: a random one per generation).
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    #: GBNF text (already validated).
    grammar: str | None = None
    #: Top-k log probabilities per token (0 = none).
    logprobs: int = 0


@dataclass
class Piece:
    """Generated text released to the caller (stop-sequence look-ahead already resolved)."""

    text: str
    logprobs: list[dict[str, float]] | None = None


@dataclass
class Finished:
    #: "stop" (end of generation, stop sequence or grammar complete) or "length".
    reason: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float = 0.0


class StopMatcher:
    """Cuts generated text at the first stop sequence, holding back possible prefixes."""

    def __init__(self, stops: list[str]) -> None:
        self.stops = [s for s in stops if s]
        self._pending = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        """Text that is safe to release; sets `stopped` when a stop sequence appeared."""
        if not self.stops:
            return text
        self._pending += text
        cut = min((i for s in self.stops if (i := self._pending.find(s)) >= 0), default=-1)
        if cut >= 0:
            self.stopped = True
            out, self._pending = self._pending[:cut], ""
            return out
        hold = 0
        for s in self.stops:
            for n in range(min(len(s) - 1, len(self._pending)), 0, -1):
                if self._pending.endswith(s[:n]):
                    hold = max(hold, n)
                    break
        out = self._pending[: len(self._pending) - hold]
        self._pending = self._pending[len(out) :]
        return out

    def flush(self) -> str:
        out, self._pending = self._pending, ""
        return out


class FifoPool(Generic[T]):
    """Instances handed out strictly in request order."""

    def __init__(self, items: list[T]) -> None:
        self._idle: deque[T] = deque(items)
        self._waiters: deque[asyncio.Future[T]] = deque()
        self.size = len(items)

    @property
    def waiting(self) -> int:
        return sum(1 for w in self._waiters if not w.done())

    @property
    def busy(self) -> int:
        return self.size - len(self._idle)

    async def acquire(self) -> T:
        if self._idle and not self.waiting:
            return self._idle.popleft()
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release(fut.result())  # handed over just as the caller gave up
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(fut)
            raise

    def release(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(item)
                return
        self._idle.append(item)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class ModelRunner:
    """One model: its instances (a FIFO pool) and the generation loop."""

    def __init__(self, model_id: str, instances: list[Any], executor: Executor) -> None:
        self.model_id = model_id
        self.instances = instances
        self.pool: FifoPool[Any] = FifoPool(instances)
        self.executor = executor
        self.n_ctx: int = instances[0].n_ctx()
        #: Per instance (by id): how many leading cached tokens were evaluated in whole chunks.
        self.chunked: dict[int, int] = {id(llm): 0 for llm in instances}

    async def stream(self, params: GenerationParams) -> AsyncIterator[Piece | Finished]:
        """Pieces of text, then one Finished. Closing the iterator stops the generation."""
        llm = await self.pool.acquire()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Piece | Finished | _Failure] = asyncio.Queue()
        cancel = threading.Event()

        def emit(item: Piece | Finished | _Failure) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone at shutdown
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                emit(generate(llm, params, cancel, emit, self.chunked))
            except BaseException as exc:
                emit(_Failure(exc))
            finally:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self.pool.release, llm)

        try:
            loop.run_in_executor(self.executor, work)
        except BaseException:
            self.pool.release(llm)
            raise
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Failure):
                    raise item.exc
                yield item
                if isinstance(item, Finished):
                    return
        finally:
            cancel.set()


def reuse_prefix(cached: list[int], chunked: int, tokens: list[int], n_batch: int) -> int:
    """How many leading tokens of the cache a prompt may reuse without changing the output:
    the common prefix, cut to what was evaluated in whole chunks (`chunked`), to leave at
    least the last prompt token to evaluate, and down to a multiple of `n_batch`."""
    common = 0
    for a, b in zip(cached, tokens, strict=False):
        if a != b:
            break
        common += 1
    return min(common, chunked, len(tokens) - 1) // n_batch * n_batch


def generate(
    llm: Any,
    params: GenerationParams,
    cancel: threading.Event,
    emit: Callable[[Piece], None],
    chunked: dict[int, int] | None = None,
) -> Finished:
    """The generation loop (runs in a worker thread, owns `llm` meanwhile)."""
    import llama_cpp
    from llama_cpp.llama_grammar import LlamaGrammar

    started = time.perf_counter()
    add_bos = str(llm.metadata.get("tokenizer.ggml.add_bos_token", "true")) == "true"
    tokens = llm.tokenize(params.prompt.encode("utf-8"), add_bos=add_bos, special=True)
    n_ctx = llm.n_ctx()
    if len(tokens) >= n_ctx:
        raise InvalidArgument(
            f"the prompt is {len(tokens)} tokens; the model's context holds {n_ctx} "
            "(shorten the conversation or raise n_ctx in the provider config)"
        )
    budget = min(params.max_tokens, n_ctx - len(tokens))
    grammar = LlamaGrammar.from_string(params.grammar) if params.grammar else None
    vocab = llm._model.vocab
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    stops = StopMatcher(params.stop)
    pending_logprobs: list[dict[str, float]] = []
    count, reason = 0, "length"
    chunked = chunked if chunked is not None else {}
    n_batch = llm.n_batch
    reuse = reuse_prefix(
        llm._input_ids[: llm.n_tokens].tolist(), chunked.get(id(llm), 0), tokens, n_batch
    )
    if reuse and llm._ctx.kv_cache_seq_rm(-1, reuse, -1):
        llm.n_tokens = reuse
    else:
        reuse = 0
        llm.reset()
    chunked[id(llm)] = len(tokens) // n_batch * n_batch
    llm.set_seed(_seed(params.seed))
    gen = llm.generate(
        tokens[reuse:],
        reset=False,  # the prefix was chosen above
        top_k=params.top_k,
        top_p=params.top_p,
        min_p=params.min_p,
        typical_p=1.0,
        temp=params.temperature,
        repeat_penalty=params.repeat_penalty,
        frequency_penalty=params.frequency_penalty,
        presence_penalty=params.presence_penalty,
        grammar=grammar,
    )
    try:
        for token in gen if budget > 0 else ():
            if cancel.is_set():
                reason = "cancelled"
                break
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                reason = "stop"
                break
            count += 1
            if params.logprobs:
                pending_logprobs.append(_top_logprobs(llm, params.logprobs, token))
            text = stops.feed(decoder.decode(llm.detokenize([token])))
            if text:
                emit(Piece(text, pending_logprobs or None))
                pending_logprobs = []
            if stops.stopped:
                reason = "stop"
                break
            if count >= budget:
                break
    finally:
        gen.close()
    rest = stops.flush() if not stops.stopped else ""
    rest += decoder.decode(b"", final=True)
    if rest or pending_logprobs:
        emit(Piece(rest, pending_logprobs or None))
    seconds = time.perf_counter() - started
    if reason == "cancelled":
        log.info("generation cancelled by the caller after %d of %d tokens", count, budget)
    log.debug("%d prompt + %d generated tokens in %.2fs (%s)", len(tokens), count, seconds, reason)
    return Finished(reason, len(tokens), count, seconds)


def _seed(seed: int | None) -> int:
    """llama.cpp's seed: 32 bits; its default value (2**32 - 1) means a random seed."""
    import llama_cpp

    if seed is None:
        return llama_cpp.LLAMA_DEFAULT_SEED
    return seed & 0xFFFFFFFF if seed & 0xFFFFFFFF != llama_cpp.LLAMA_DEFAULT_SEED else 0


def _top_logprobs(llm: Any, k: int, chosen: int) -> dict[str, float]:
    """Log probabilities of the chosen token (first) and of the k likeliest tokens, from the
    logits just sampled (k + 1 entries when sampling picked a token outside the top k)."""
    import llama_cpp

    ptr = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    logits = np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),)).astype(np.float64)
    top = logits.max()
    lse = top + np.log(np.exp(logits - top).sum())
    best = np.argpartition(-logits, k)[:k]
    best = best[np.argsort(-logits[best])]
    out = {_piece(llm, chosen): float(logits[chosen] - lse)}
    for i in best:
        out.setdefault(_piece(llm, int(i)), float(logits[i] - lse))
    return out


def _piece(llm: Any, token: int) -> str:
    return llm.detokenize([token]).decode("utf-8", errors="replace")
