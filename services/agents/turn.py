"""One run of a turn in this process: a new turn, or a turn resumed with tool results.

The run holds the session's lock (renewing its lease in the background), keeps the turn in
the state store after every step (a step_complete event means the step is stored), and
ends the turn exactly once: COMPLETED, AWAITING_INPUT (lock kept, without a lease), FAILED
with the error, or CANCELLED when the call ends first. Cancelling the call cancels the
task that runs the turn, and with it the inference and tool calls in flight.

Writes are shielded from cancellation (a cancelled write would still land in the store's
thread, behind the run's back), and the session is freed only once the turn's end is
stored: if it cannot be, the lock stays until its lease expires and a sweeper marks the
turn FAILED, so a turn is never left IN_PROGRESS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import message_pb2, tool_pb2
from services.agents import events, steps
from services.agents.config import AgentsConfig
from services.agents.events import Event
from services.agents.leases import AWAITING, LeaseLost, Lock, SessionLocks
from services.agents.store import AgentStore, StoredTurn, now
from services.agents.tools import ToolPlan
from services.agents.upstream import Upstream
from services.agents.validation import DEFAULT_MAX_INFER_ITERS
from services.common.errors import FailedPrecondition, LlamaStackError
from services.common.security.policy import Subject
from services.common.state import Conflict

__all__ = ["Caller", "Deps", "TurnRun", "error_text"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    store: AgentStore
    locks: SessionLocks
    upstream: Upstream
    config: AgentsConfig


@dataclass(frozen=True)
class Caller:
    """The call running a turn: its deadline (time.monotonic), whether it streams (then
    model calls stream too, and their deltas become step_progress events), and who calls
    (the principal the gateway forwarded; None without authentication)."""

    deadline: float
    streaming: bool
    who: Subject | None = None


class TurnRun:
    def __init__(
        self,
        deps: Deps,
        agent: pb.Agent,
        session: pb.Session,
        stored: StoredTurn,
        lock: Lock,
        plan: ToolPlan,
        tool_config: tool_pb2.ToolConfig,
        caller: Caller,
    ) -> None:
        """`stored` is a new turn (version 0, written when the run starts) or the stored
        turn being resumed."""
        self.deps, self.agent, self.session = deps, agent, session
        self.stored, self.lock, self.plan = stored, lock, plan
        self.tool_config = tool_config
        self.deadline, self.streaming = caller.deadline, caller.streaming
        self.config = agent.agent_config
        #: The session's turns (read when the run starts), for the conversation.
        self.earlier: list[pb.Turn] = []
        #: Set by a shield step that found an ERROR violation.
        self.violation: message_pb2.Message | None = None
        self._write: asyncio.Future[None] | None = None
        self._beat: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        #: The turn's end (or its pause) is stored: the session may be freed.
        self._settled = False

    @property
    def turn(self) -> pb.Turn:
        return self.stored.turn

    @property
    def max_iters(self) -> int:
        c = self.config
        return c.max_infer_iters if c.HasField("max_infer_iters") else DEFAULT_MAX_INFER_ITERS

    def remaining(self, cap: float | None = None) -> float:
        left = max(0.001, self.deadline - time.monotonic())
        return min(left, cap) if cap else left

    async def save(self) -> None:
        """Store the turn; the write completes even if the caller is cancelled meanwhile."""
        self._write = asyncio.ensure_future(self._put())
        await asyncio.shield(self._write)

    async def _put(self) -> None:
        try:
            await self.deps.store.put_turn(self.stored)
        except Conflict:
            raise LeaseLost(
                f"turn {self.turn.turn_id} was changed elsewhere (its lease expired and it was "
                "marked failed, or its session was deleted); this run stops"
            ) from None

    # -- lifecycle ---------------------------------------------------------------------------

    async def events(self, body: AsyncIterator[Event]) -> AsyncIterator[Event]:
        """`turn_start`, the body's events, and the turn's end, whatever happens."""
        self._beat = asyncio.create_task(self._heartbeat())
        try:
            if self.stored.version == 0:
                await self.save()
            self.earlier = await self.deps.store.turns(self.session.session_id)
            yield events.turn_start(self.turn.turn_id)
            async with contextlib.aclosing(body):
                async for event in body:
                    yield event
        except (asyncio.CancelledError, GeneratorExit):
            # The call ended (cancelled, deadline) or its consumer closed the stream early.
            await self._end(pb.TURN_STATUS_CANCELLED, self._cancel_reason())
            raise
        except LeaseLost as exc:
            log.warning("%s", exc)
            raise FailedPrecondition(str(exc), turnId=self.turn.turn_id) from None
        except Exception as exc:
            await self._end(pb.TURN_STATUS_FAILED, error_text(exc))
            raise
        finally:
            await self._stop_heartbeat()
            if self._settled and self.lock.state != AWAITING:
                await asyncio.shield(self.deps.locks.release(self.lock))

    def _cancel_reason(self) -> str:
        # The gateway may cancel its upstream call a moment before this hop's own deadline.
        if time.monotonic() >= self.deadline - 0.25:
            return "the call's deadline passed before the turn finished"
        return (
            "the call ended before the turn finished (cancelled by the caller, or the agents "
            "service stopped)"
        )

    async def _end(self, status: int, error: str) -> None:
        if self._write is not None:  # a write the cancellation interrupted lands first
            with contextlib.suppress(BaseException):
                await asyncio.shield(self._write)
        if self.stored.version == 0:  # the turn was never stored: nothing to end
            self._settled = True
            return
        turn = self.turn
        turn.status, turn.error = status, error
        turn.completed_at.CopyFrom(now())
        try:
            await asyncio.shield(self.save())
            self._settled = True
        except Exception:  # the store is down or the turn was taken: the lease expiry tells
            log.exception("could not record the end of turn %s", turn.turn_id)

    async def _heartbeat(self) -> None:
        """Renew the lease every third of it until told to stop (never cut mid-write: a
        renewal landing after the lock's next change would make that change conflict)."""
        locks: SessionLocks = self.deps.locks
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), locks.lease_s / 3)
                return
            try:
                await locks.renew(self.lock)
            except LeaseLost as exc:
                log.warning("%s", exc)
                return
            except Exception:
                log.exception("renewing the lease of turn %s failed", self.turn.turn_id)

    async def _stop_heartbeat(self) -> None:
        self._stopping.set()
        if self._beat is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.shield(self._beat)

    # -- the loop ----------------------------------------------------------------------------

    async def loop(self) -> AsyncIterator[Event]:
        """Inference and server-side tools until an answer, a client tool call or the
        iteration limit; then output shields and the end of the turn."""
        while True:
            async for event in steps.inference(self):
                yield event
            response = self.turn.steps[-1].inference.model_response
            done_iters = sum(1 for s in self.turn.steps if s.WhichOneof("details") == "inference")
            if not response.tool_calls or response.stop_reason == (
                message_pb2.STOP_REASON_OUT_OF_TOKENS
            ):
                break
            if done_iters >= self.max_iters:
                log.info("turn %s: max_infer_iters (%d) reached", self.turn.turn_id, done_iters)
                break
            # A call the turn already made is answered from its result, not run (or handed
            # to the caller) again: small models repeat calls until max_infer_iters.
            done = steps.answered(self.turn)
            repeats = {
                c.call_id: done[key]
                for c in response.tool_calls
                if (key := steps.call_key(c)) is not None and key in done
            }
            client = [
                c
                for c in response.tool_calls
                if c.tool_name in self.plan.client and c.call_id not in repeats
            ]
            here = [c for c in response.tool_calls if c not in client]
            if here:
                async for event in steps.tools(self, here, repeats):
                    yield event
            if client:
                async for event in self._pause(response, client):
                    yield event
                return
        answer = message_pb2.Message()
        answer.CopyFrom(response)
        if response.tool_calls:
            answer.stop_reason = message_pb2.STOP_REASON_END_OF_TURN
        if self.config.output_shields:
            async for event in steps.shields(
                self, self.config.output_shields, [*self.turn.input_messages, answer],
                "assistant-output",
            ):  # fmt: skip
                yield event
            answer = self.violation or answer
        yield await self.finish(answer)

    async def finish(self, answer: message_pb2.Message) -> Event:
        turn = self.turn
        turn.output_message.CopyFrom(answer)
        turn.status = pb.TURN_STATUS_COMPLETED
        turn.completed_at.CopyFrom(now())
        await self.save()
        self._settled = True
        return events.turn_complete(turn)

    async def _pause(
        self, response: message_pb2.Message, calls: list[message_pb2.ToolCall]
    ) -> AsyncIterator[Event]:
        """Client tools must run: record their step as started, keep the session for the
        caller's ResumeTurn, and hand the calls over."""
        step = events.new_step(self.turn.turn_id, "tool_execution")
        step.tool_execution.tool_calls.extend(calls)
        yield events.step_start(step)
        turn = self.turn
        turn.steps.append(step)
        turn.output_message.CopyFrom(
            message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT,
                content=response.content,
                tool_calls=calls,
                stop_reason=message_pb2.STOP_REASON_END_OF_MESSAGE,
            )
        )
        turn.status = pb.TURN_STATUS_AWAITING_INPUT
        await self.save()
        self._settled = True
        await self._stop_heartbeat()
        await asyncio.shield(self.deps.locks.pause(self.lock))
        yield events.turn_awaiting_input(turn)


def error_text(exc: BaseException) -> str:
    """What a failed turn records as its error."""
    if isinstance(exc, grpc.aio.AioRpcError):
        return f"{exc.code().name}: {exc.details()}"
    if isinstance(exc, LlamaStackError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"
