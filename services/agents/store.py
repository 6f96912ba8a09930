"""Agents, sessions and turns in the state store (SQLite embedded, Redis in clusters).

Each object is its contract message, serialised: `agents.agent` (key agent_id), `agents.session`
(key session_id, parent agent_id; stored without its turns) and `agents.turn` (key turn_id,
parent session_id, steps included). Lists are ordered by creation time. Nothing is cached,
so every replica sees the same sessions at once. Turns are written with the version last
read or written (`expect`), so a writer that lost its lease cannot overwrite the turn. An
agent created with authentication on belongs to its creator: others get NOT_FOUND for it,
its sessions and turns, and lists skip it (as the registry does for what a caller may not
read).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import timestamp_pb2

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import resource_pb2 as common_resource_pb2
from services.common import pagination
from services.common.errors import ObjectNotFound
from services.common.security.policy import Subject
from services.common.state import Conflict, Doc, StateStore, cursor, list_all

__all__ = ["AgentStore", "StoredTurn", "now", "owner_of", "sort_key", "visible"]

AGENTS, SESSIONS, TURNS = "agents.agent", "agents.session", "agents.turn"
_BATCH = 200


def now() -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.GetCurrentTime()
    return ts


def sort_key(ts: timestamp_pb2.Timestamp) -> str:
    return f"{ts.seconds:012d}.{ts.nanos:09d}"


def owner_of(who: Subject | None) -> common_resource_pb2.Owner | None:
    if who is None:
        return None
    owner = common_resource_pb2.Owner(principal=who.principal)
    for name, values in who.attributes.items():
        owner.attributes[name].values.extend(values)
    return owner


def visible(agent: pb.Agent, who: Subject | None) -> bool:
    """Agents created with authentication on are their creator's alone; others everyone's."""
    owner = agent.owner.principal
    return not owner or (who is not None and who.principal == owner)


class StoredTurn:
    """A turn and the version it was read or written at."""

    __slots__ = ("turn", "version")

    def __init__(self, turn: pb.Turn, version: int) -> None:
        self.turn, self.version = turn, version


class AgentStore:
    def __init__(self, state: StateStore) -> None:
        self.state = state

    # -- agents ------------------------------------------------------------------------------

    async def create_agent(self, agent: pb.Agent) -> None:
        await self.state.put(
            AGENTS, agent.agent_id, agent.SerializeToString(),
            sort=sort_key(agent.created_at), expect=0,
        )  # fmt: skip

    async def get_agent(self, agent_id: str, who: Subject | None = None) -> pb.Agent:
        """The agent, if `who` may see it (else NOT_FOUND, as if it did not exist)."""
        doc = await self.state.get(AGENTS, agent_id)
        agent = pb.Agent.FromString(doc.data) if doc is not None else None
        if agent is None or not visible(agent, who):
            raise ObjectNotFound(
                f"agent {agent_id!r} does not exist (list agents with ListAgents)",
                agentId=agent_id,
            )
        return agent

    async def list_agents(
        self, page_size: int, token: str, who: Subject | None = None
    ) -> tuple[list[pb.Agent], str]:
        return await self._page(AGENTS, "", pb.Agent, page_size, token, lambda a: visible(a, who))

    async def delete_agent(self, agent: pb.Agent) -> list[pb.Session]:
        """Delete an agent with its sessions and turns; the deleted sessions."""
        sessions = await self._all(SESSIONS, agent.agent_id, pb.Session)
        for session in sessions:
            await self.state.delete_children(TURNS, session.session_id)
        await self.state.delete_children(SESSIONS, agent.agent_id)
        await self.state.delete(AGENTS, agent.agent_id)
        return sessions

    # -- sessions ----------------------------------------------------------------------------

    async def create_session(self, session: pb.Session) -> None:
        await self.state.put(
            SESSIONS, session.session_id, session.SerializeToString(),
            parent=session.agent_id, sort=sort_key(session.started_at), expect=0,
        )  # fmt: skip

    async def get_session(self, agent: pb.Agent, session_id: str) -> pb.Session:
        """The agent's session, without its turns."""
        doc = await self.state.get(SESSIONS, session_id)
        if doc is None or doc.parent != agent.agent_id:
            raise ObjectNotFound(
                f"session {session_id!r} does not exist for agent {agent.agent_id!r} "
                "(list them with ListSessions)",
                agentId=agent.agent_id,
                sessionId=session_id,
            )
        return pb.Session.FromString(doc.data)

    async def list_sessions(
        self, agent: pb.Agent, page_size: int, token: str
    ) -> tuple[list[pb.Session], str]:
        return await self._page(SESSIONS, agent.agent_id, pb.Session, page_size, token)

    async def set_vector_db(self, session: pb.Session, vector_db_id: str) -> None:
        for _ in range(10):
            doc = await self.state.get(SESSIONS, session.session_id)
            if doc is None:
                raise ObjectNotFound(f"session {session.session_id!r} was deleted")
            stored = pb.Session.FromString(doc.data)
            stored.vector_db_id = vector_db_id
            try:
                await self.state.put(
                    SESSIONS, session.session_id, stored.SerializeToString(),
                    parent=doc.parent, sort=doc.sort, expect=doc.version,
                )  # fmt: skip
                session.vector_db_id = vector_db_id
                return
            except Conflict:
                continue
        raise Conflict(f"session {session.session_id} kept changing")

    async def delete_session(self, agent: pb.Agent, session_id: str) -> pb.Session:
        session = await self.get_session(agent, session_id)
        await self.state.delete_children(TURNS, session_id)
        await self.state.delete(SESSIONS, session_id)
        return session

    # -- turns -------------------------------------------------------------------------------

    async def turns(self, session_id: str) -> list[pb.Turn]:
        """Every turn of a session, oldest first."""
        return await self._all(TURNS, session_id, pb.Turn)

    async def get_turn(self, session: pb.Session, turn_id: str) -> StoredTurn:
        doc = await self.state.get(TURNS, turn_id)
        if doc is None or doc.parent != session.session_id:
            raise ObjectNotFound(
                f"turn {turn_id!r} does not exist in session {session.session_id!r}",
                sessionId=session.session_id,
                turnId=turn_id,
            )
        return StoredTurn(pb.Turn.FromString(doc.data), doc.version)

    async def find_turn(self, turn_id: str) -> StoredTurn | None:
        doc = await self.state.get(TURNS, turn_id)
        return StoredTurn(pb.Turn.FromString(doc.data), doc.version) if doc else None

    async def put_turn(self, stored: StoredTurn) -> None:
        """Write the turn if nobody else wrote it since (raise Conflict otherwise)."""
        turn = stored.turn
        doc = await self.state.put(
            TURNS, turn.turn_id, turn.SerializeToString(),
            parent=turn.session_id, sort=sort_key(turn.started_at), expect=stored.version,
        )  # fmt: skip
        stored.version = doc.version

    # -- helpers -----------------------------------------------------------------------------

    async def _page(self, collection, parent, cls, page_size, token, keep=None):
        """One page of the items `keep` accepts (all by default), in stored order."""
        size = pagination.page_size(page_size)
        after = pagination.decode(token, parent)
        kept: list[tuple[Any, Doc]] = []
        while len(kept) <= size:
            docs = await self.state.list(collection, parent=parent, after=after, limit=size + 1)
            for doc in docs:
                item = cls.FromString(doc.data)
                if keep is None or keep(item):
                    kept.append((item, doc))
            if len(docs) <= size:
                break
            after = cursor(docs[-1])
        page = kept[:size]
        more = len(kept) > size
        token = pagination.encode(cursor(page[-1][1]), parent) if more and page else ""
        return [item for item, _ in page], token

    async def _all(self, collection, parent, cls) -> list:
        docs = await list_all(self.state, collection, parent=parent, batch=_BATCH)
        return [cls.FromString(d.data) for d in docs]
