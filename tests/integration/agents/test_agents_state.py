"""Agents, sessions, turns and session locks on both state store backends (SQLite and a real
Redis server): what replicas share."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from llamastack.agents.v1 import agents_pb2 as pb
from services.agents.config import AgentsConfig
from services.agents.leases import AWAITING, RUNNING, LeaseLost, SessionLocks
from services.agents.service import AgentsService, TurnRequest
from services.agents.store import AgentStore, StoredTurn, now, owner_of
from services.agents.turn import Deps
from services.common.errors import FailedPrecondition, InvalidArgument, ObjectNotFound
from services.common.security.policy import Subject
from services.common.state import Conflict
from services.common.state.redis import RedisStateStore
from services.common.state.sqlite import SqliteStateStore


@pytest.fixture(params=["sqlite", "redis"])
async def state(request, tmp_path, redis_url):
    if request.param == "sqlite":
        s = SqliteStateStore(tmp_path / "state.db")
    else:
        s = RedisStateStore(redis_url, namespace=f"t{uuid.uuid4().hex[:8]}")
    yield s
    await s.close()


async def _agent_and_session(store: AgentStore) -> tuple[pb.Agent, pb.Session]:
    agent = pb.Agent(agent_id=uuid.uuid4().hex, created_at=now())
    agent.agent_config.model = "m"
    await store.create_agent(agent)
    session = pb.Session(session_id=uuid.uuid4().hex, agent_id=agent.agent_id, started_at=now())
    await store.create_session(session)
    return agent, session


async def test_objects_paging_and_cascading_delete(state):
    store = AgentStore(state)
    agents = [(await _agent_and_session(store))[0] for _ in range(3)]
    page, token = await store.list_agents(2, "")
    rest, end = await store.list_agents(2, token)
    assert [a.agent_id for a in page + rest] == [a.agent_id for a in agents] and not end
    with pytest.raises(InvalidArgument):
        await store.list_sessions(agents[0], 2, token)  # another query's token

    agent, session = await _agent_and_session(store)
    turns = []
    for i in range(3):
        turn = pb.Turn(turn_id=f"t{i}-{uuid.uuid4().hex}", session_id=session.session_id,
                       started_at=now())  # fmt: skip
        await store.put_turn(StoredTurn(turn, 0))
        turns.append(turn)
    assert await store.turns(session.session_id) == turns
    await store.set_vector_db(session, "session-db")
    assert (await store.get_session(agent, session.session_id)).vector_db_id == ("session-db")
    (deleted,) = await store.delete_agent(agent)
    assert deleted.vector_db_id == "session-db"
    assert await store.turns(session.session_id) == []
    with pytest.raises(ObjectNotFound):
        await store.get_session(agent, session.session_id)


async def test_a_turn_cannot_be_overwritten_by_a_stale_writer(state):
    store = AgentStore(state)
    _, session = await _agent_and_session(store)
    turn = pb.Turn(turn_id="t", session_id=session.session_id, started_at=now())
    mine = StoredTurn(turn, 0)
    await store.put_turn(mine)
    theirs = await store.get_turn(session, "t")
    theirs.turn.status = pb.TURN_STATUS_FAILED
    await store.put_turn(theirs)
    mine.turn.status = pb.TURN_STATUS_COMPLETED
    with pytest.raises(Conflict):
        await store.put_turn(mine)


async def test_session_locks_across_replicas(state):
    a, b = SessionLocks(state, "replica-a", 30.0), SessionLocks(state, "replica-b", 30.0)
    lock = await a.acquire("s", "t1", "")
    with pytest.raises(FailedPrecondition):
        await b.acquire("s", "t2", "")
    await a.renew(lock)
    await a.pause(lock)
    assert (await b.get("s")).state == AWAITING
    resumed = await b.resume(await b.get("s"))
    with pytest.raises(FailedPrecondition):
        await a.resume(lock)  # stale: b resumed it first
    with pytest.raises(LeaseLost):
        await a.renew(lock)
    assert (await a.get("s")).owner == "replica-b" and resumed.state == RUNNING
    await b.release(resumed)
    assert await a.get("s") is None


async def test_expired_turns_are_marked_failed_by_any_replica(state):
    store = AgentStore(state)
    _, session = await _agent_and_session(store)
    turn = pb.Turn(turn_id="t", session_id=session.session_id, started_at=now(),
                   status=pb.TURN_STATUS_IN_PROGRESS)  # fmt: skip
    await store.put_turn(StoredTurn(turn, 0))
    dead = SessionLocks(state, "dead-replica", 0.05)
    await dead.acquire(session.session_id, "t", "")
    await asyncio.sleep(0.1)
    alive = SessionLocks(state, "alive-replica", 30.0)
    service = AgentsService(Deps(store, alive, None, AgentsConfig()))  # type: ignore[arg-type]
    await service.sweep()
    failed = (await store.get_turn(session, "t")).turn
    assert failed.status == pb.TURN_STATUS_FAILED and "lease" in failed.error
    assert failed.HasField("completed_at")
    assert await alive.get(session.session_id) is None  # the session is free again


async def test_a_lock_left_by_an_ended_turn_is_cleared_by_the_next_turn(state):
    store = AgentStore(state)
    _, session = await _agent_and_session(store)
    locks = SessionLocks(state, "replica", 30.0)
    service = AgentsService(Deps(store, locks, None, AgentsConfig()))  # type: ignore[arg-type]
    # A running lock whose turn is not written yet holds the session (the run writes it next).
    starting = await locks.acquire(session.session_id, "t1", "")
    with pytest.raises(FailedPrecondition, match="t1 is in progress"):
        await service._take_session(session, "t2", TurnRequest())
    # A lock whose turn already ended (a run interrupted between its last two writes) does not.
    ended = pb.Turn(turn_id="t1", session_id=session.session_id, started_at=now(),
                    status=pb.TURN_STATUS_CANCELLED)  # fmt: skip
    await store.put_turn(StoredTurn(ended, 0))
    await locks.pause(starting)
    lock = await service._take_session(session, "t2", TurnRequest())
    assert (await locks.get(session.session_id)).turn_id == "t2" == lock.turn_id


async def test_an_agent_created_with_authentication_is_its_creator_s(state):
    store = AgentStore(state)
    alice, bob = Subject("alice", {"roles": ("user",)}), Subject("bob")
    mine = pb.Agent(agent_id="mine", created_at=now(), owner=owner_of(alice))
    await store.create_agent(mine)
    shared = pb.Agent(agent_id="shared", created_at=now())  # created without authentication
    await store.create_agent(shared)
    assert (await store.get_agent("mine", alice)).owner.attributes["roles"].values == ["user"]
    for who in (bob, None):
        with pytest.raises(ObjectNotFound, match="agent 'mine' does not exist"):
            await store.get_agent("mine", who)
        assert [a.agent_id for a in (await store.list_agents(1, "", who))[0]] == ["shared"]
    page, token = await store.list_agents(1, "", alice)
    rest, end = await store.list_agents(1, token, alice)
    assert [a.agent_id for a in page + rest] == ["mine", "shared"] and not end
