"""The agents service logic: agents and sessions, and where turns start, resume and end.

Everything lives in the state store; nothing that matters is kept in this process, so any
replica can serve any session. Turns of one session run one at a time (FAILED_PRECONDITION
while one runs or awaits tool results), across replicas (`leases.SessionLocks`).
"""

from __future__ import annotations

import base64
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.agents.v1 import agents_service_pb2 as service_pb
from llamastack.common.v1 import message_pb2, tool_pb2
from llamastack.registry.v1 import resources_pb2
from services.agents import events, steps
from services.agents.documents import inline_context
from services.agents.events import Event
from services.agents.leases import AWAITING, RUNNING, Lock
from services.agents.store import StoredTurn, now, owner_of
from services.agents.tools import ToolPlan, check_tool_config, resolve_tools
from services.agents.turn import Caller, Deps, TurnRun
from services.agents.validation import (
    check_agent_config,
    check_session_name,
    check_tool_responses,
    check_toolgroups,
    check_turn_input,
)
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    ObjectNotFound,
    ResourceTypeMismatch,
)
from services.common.security.policy import Subject
from services.common.state import Conflict

__all__ = ["AgentsService", "final_turn"]

log = logging.getLogger(__name__)
TurnRequest = service_pb.StreamTurnRequest
ResumeRequest = service_pb.StreamResumeTurnRequest


class AgentsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.store, self.locks, self.upstream = deps.store, deps.locks, deps.upstream

    # -- agents ------------------------------------------------------------------------------

    async def create_agent(self, config: pb.AgentConfig, who: Subject | None) -> pb.Agent:
        check_agent_config(config)
        model = await self.upstream.model(config.model)
        if model.model_type == resources_pb2.MODEL_TYPE_EMBEDDING:
            raise ResourceTypeMismatch(
                f"agent_config.model {config.model!r} is an embedding model; agents need an LLM",
                field="agent_config.model",
            )
        for shield in dict.fromkeys([*config.input_shields, *config.output_shields]):
            await self.upstream.shield(shield)
        plan = await resolve_tools(
            self.upstream, list(config.client_tools), list(config.toolgroups)
        )
        check_tool_config(plan, config.tool_config, "agent_config.tool_config")
        agent = pb.Agent(agent_id=str(uuid.uuid4()), agent_config=config, created_at=now())
        owner = owner_of(who)
        if owner is not None:
            agent.owner.CopyFrom(owner)
        await self.store.create_agent(agent)
        return agent

    async def delete_agent(self, agent_id: str, who: Subject | None) -> None:
        agent = await self.store.get_agent(agent_id, who)
        for session in await self.store.delete_agent(agent):
            await self._forget_session(session)

    # -- sessions ----------------------------------------------------------------------------

    async def create_session(self, agent_id: str, name: str, who: Subject | None) -> pb.Session:
        check_session_name(name)
        await self.store.get_agent(agent_id, who)
        session = pb.Session(
            session_id=str(uuid.uuid4()), session_name=name, agent_id=agent_id, started_at=now()
        )
        await self.store.create_session(session)
        return session

    async def get_session(
        self, agent_id: str, session_id: str, turn_ids: list[str], who: Subject | None
    ) -> pb.Session:
        agent = await self.store.get_agent(agent_id, who)
        session = await self.store.get_session(agent, session_id)
        turns = await self.store.turns(session_id)
        if turn_ids:
            wanted = set(turn_ids)
            turns = [t for t in turns if t.turn_id in wanted]
        session.turns.extend(turns)
        return session

    async def list_sessions(
        self, agent_id: str, page_size: int, token: str, who: Subject | None
    ) -> tuple[list[pb.Session], str]:
        agent = await self.store.get_agent(agent_id, who)
        return await self.store.list_sessions(agent, page_size, token)

    async def delete_session(self, agent_id: str, session_id: str, who: Subject | None) -> None:
        agent = await self.store.get_agent(agent_id, who)
        await self._forget_session(await self.store.delete_session(agent, session_id))

    async def _forget_session(self, session: pb.Session) -> None:
        await self.locks.drop(session.session_id)
        if session.vector_db_id:
            try:
                await self.upstream.unregister_vector_db(session.vector_db_id)
            except Exception as exc:  # the session is gone either way; say what is left
                log.warning("session %s: vector DB %s was not unregistered: %s",
                            session.session_id, session.vector_db_id, exc)  # fmt: skip

    # -- turns -------------------------------------------------------------------------------

    async def get_turn(
        self, agent_id: str, session_id: str, turn_id: str, who: Subject | None
    ) -> pb.Turn:
        agent = await self.store.get_agent(agent_id, who)
        session = await self.store.get_session(agent, session_id)
        return (await self.store.get_turn(session, turn_id)).turn

    async def get_step(
        self, agent_id: str, session_id: str, turn_id: str, step_id: str, who: Subject | None
    ) -> pb.Step:
        turn = await self.get_turn(agent_id, session_id, turn_id, who)
        for step in turn.steps:
            if step.step_id == step_id:
                return step
        raise ObjectNotFound(
            f"step {step_id!r} does not exist in turn {turn_id!r}", turnId=turn_id, stepId=step_id
        )

    async def stream_turn(self, req: TurnRequest, caller: Caller) -> AsyncIterator[Event]:
        agent = await self.store.get_agent(req.agent_id, caller.who)
        session = await self.store.get_session(agent, req.session_id)
        check_turn_input(req.messages, req.documents)
        check_toolgroups(req.toolgroups, "toolgroups")
        plan, tool_config = await self._tools(agent, req)
        turn = pb.Turn(
            turn_id=str(uuid.uuid4()), session_id=session.session_id,
            input_messages=req.messages, started_at=now(), status=pb.TURN_STATUS_IN_PROGRESS,
        )  # fmt: skip
        rag_docs = list(req.documents) if plan.rag_args is not None else []
        if req.documents and not rag_docs:
            _append_context(turn, inline_context(list(req.documents)))
        overrides = TurnRequest(toolgroups=req.toolgroups)
        if req.HasField("tool_config"):
            overrides.tool_config.CopyFrom(req.tool_config)
        lock = await self._take_session(session, turn.turn_id, overrides)
        stored = StoredTurn(turn, 0)  # written by the run, which ends it whatever happens
        run = TurnRun(self.deps, agent, session, stored, lock, plan, tool_config, caller)
        async for event in run.events(self._new_turn(run, rag_docs)):
            yield event

    async def _new_turn(self, run: TurnRun, rag_docs: list[pb.Document]) -> AsyncIterator[Event]:
        shields = run.config.input_shields
        if shields:
            async for event in steps.shields(run, shields, list(run.turn.input_messages),
                                             "user-input"):  # fmt: skip
                yield event
            if run.violation is not None:
                yield await run.finish(run.violation)
                return
        if run.plan.rag_args is not None and (rag_docs or run.session.vector_db_id):
            async for event in steps.memory(run, rag_docs):
                yield event
        async for event in run.loop():
            yield event

    async def stream_resume(self, req: ResumeRequest, caller: Caller) -> AsyncIterator[Event]:
        agent = await self.store.get_agent(req.agent_id, caller.who)
        session = await self.store.get_session(agent, req.session_id)
        stored = await self.store.get_turn(session, req.turn_id)
        turn = stored.turn
        lock = await self.locks.get(session.session_id)
        if (
            turn.status != pb.TURN_STATUS_AWAITING_INPUT
            or lock is None
            or lock.turn_id != turn.turn_id
            or lock.state != AWAITING
        ):
            state = pb.TurnStatus.Name(turn.status)
            raise FailedPrecondition(
                f"turn {turn.turn_id} does not await tool results (it is {state}"
                f"{', being resumed' if lock and lock.turn_id == turn.turn_id else ''}); only "
                "a turn in TURN_STATUS_AWAITING_INPUT can be resumed",
                turnId=turn.turn_id,
            )
        pending = turn.steps[-1]
        calls = list(pending.tool_execution.tool_calls)
        check_tool_responses(req.tool_responses, [c.call_id for c in calls], turn.turn_id)
        overrides = TurnRequest.FromString(base64.b64decode(lock.overrides))
        plan, tool_config = await self._tools(agent, overrides)
        lock = await self.locks.resume(lock)
        run = TurnRun(self.deps, agent, session, stored, lock, plan, tool_config, caller)
        async for event in run.events(self._resumed(run, pending, calls, req.tool_responses)):
            yield event

    async def _resumed(self, run: TurnRun, pending: pb.Step, calls, responses):
        by_id = {r.call_id: r for r in responses}
        for call in calls:
            response = pending.tool_execution.tool_responses.add()
            response.CopyFrom(by_id[call.call_id])
            response.tool_name = response.tool_name or call.tool_name
        pending.completed_at.CopyFrom(now())
        turn = run.turn
        turn.status = pb.TURN_STATUS_IN_PROGRESS
        turn.ClearField("output_message")
        await run.save()
        yield events.step_complete(pending)
        async for event in run.loop():
            yield event

    async def _tools(
        self, agent: pb.Agent, req: TurnRequest
    ) -> tuple[ToolPlan, tool_pb2.ToolConfig]:
        config = agent.agent_config
        groups = list(req.toolgroups) or list(config.toolgroups)
        tool_config = req.tool_config if req.HasField("tool_config") else config.tool_config
        plan = await resolve_tools(self.upstream, list(config.client_tools), groups)
        where = "tool_config" if req.HasField("tool_config") else "agent_config.tool_config"
        check_tool_config(plan, tool_config, where)
        return plan, tool_config

    async def _take_session(
        self, session: pb.Session, turn_id: str, overrides: TurnRequest
    ) -> Lock:
        sid = session.session_id
        current = await self.locks.get(sid)
        if current is not None and not await self._holds(current):
            await self.locks.release(current)  # left behind by a run that ended oddly
            current = None
        if current is not None:
            if current.state == AWAITING:
                raise FailedPrecondition(
                    f"turn {current.turn_id} of session {sid} awaits the results of client "
                    "tool calls; resume it (ResumeTurn) or delete the session before starting "
                    "a new turn",
                    turnId=current.turn_id,
                )
            if not current.expired:
                raise FailedPrecondition(
                    f"turn {current.turn_id} is in progress on session {sid}; one turn runs "
                    "at a time per session, so wait for it to finish",
                    turnId=current.turn_id,
                )
            await self.recover(current)
        encoded = base64.b64encode(overrides.SerializeToString()).decode()
        return await self.locks.acquire(sid, turn_id, encoded)

    async def _holds(self, lock: Lock) -> bool:
        """Whether the lock's turn still runs or awaits input (else the lock is stale). A
        running lock's turn may not be written yet: it holds while its lease lasts."""
        stored = await self.store.find_turn(lock.turn_id)
        if stored is None:
            return lock.state == RUNNING and not lock.expired
        return stored.turn.status in (pb.TURN_STATUS_IN_PROGRESS, pb.TURN_STATUS_AWAITING_INPUT)

    async def recover(self, lock: Lock) -> None:
        """A running turn whose lease expired: its process died. Mark it failed."""
        stored = await self.store.find_turn(lock.turn_id)
        if stored is not None and stored.turn.status == pb.TURN_STATUS_IN_PROGRESS:
            turn = stored.turn
            turn.status = pb.TURN_STATUS_FAILED
            turn.error = (
                "the agents service process running this turn stopped before it finished "
                f"(its lease of {self.locks.lease_s:g}s expired); start a new turn"
            )
            turn.completed_at.CopyFrom(now())
            try:
                await self.store.put_turn(stored)
                log.warning("turn %s marked failed: its lease expired", turn.turn_id)
            except Conflict:
                return  # someone else recovered or finished it
        await self.locks.release(lock)

    async def sweep(self) -> None:
        for lock in await self.locks.expired():
            await self.recover(lock)


def _append_context(turn: pb.Turn, context) -> None:
    users = [m for m in turn.input_messages if m.role == message_pb2.ROLE_USER]
    if not users:
        raise InvalidArgument(
            "documents are appended to the turn's last user message, and it has none",
            field="documents",
        )
    users[-1].context.extend(context)


async def final_turn(stream: AsyncIterator[Event]) -> pb.Turn:
    """The turn a stream of events ends with (for the unary RPCs)."""
    turn = None
    async with contextlib.aclosing(stream):
        async for event in stream:
            kind = event.WhichOneof("payload")
            if kind in ("turn_complete", "turn_awaiting_input"):
                turn = getattr(event, kind).turn
    if turn is None:
        raise RuntimeError("the turn ended without turn_complete or turn_awaiting_input")
    return turn
