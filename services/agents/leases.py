"""One turn at a time per session, across replicas: a lock document per busy session.

`agents.lock/<session_id>` exists while a turn of the session is running (with the process
that runs it and a lease it renews) or awaits client tool results (no lease: the caller
resumes it whenever it likes). Every change is a conditional write, so two replicas never
both start a turn on one session. A running turn whose lease expired belongs to a process
that died: whoever notices first (the sweeper of any replica, or a new turn on the session)
marks the turn FAILED and frees the session.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass

from services.common.errors import FailedPrecondition
from services.common.state import Conflict, StateStore, list_all

__all__ = ["AWAITING", "RUNNING", "LeaseLost", "Lock", "SessionLocks"]

LOCKS = "agents.lock"
RUNNING, AWAITING = "running", "awaiting"


class LeaseLost(Exception):
    """The lock changed under a running turn (it expired and was taken, or the session went)."""


@dataclass
class Lock:
    session_id: str
    turn_id: str
    state: str
    owner: str = ""
    until: float = 0.0
    #: What the turn's request overrode (tool groups, tool config), for its resumption:
    #: base64 of a serialised StreamTurnRequest holding only those fields.
    overrides: str = ""
    version: int = 0

    @property
    def expired(self) -> bool:
        return self.state == RUNNING and self.until < time.time()

    def to_bytes(self) -> bytes:
        data = {k: v for k, v in asdict(self).items() if k not in ("session_id", "version")}
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_doc(cls, session_id: str, data: bytes, version: int) -> Lock:
        raw = json.loads(data)
        return cls(session_id, raw["turn_id"], raw["state"], raw.get("owner", ""),
                   raw.get("until", 0.0), raw.get("overrides", ""), version)  # fmt: skip


class SessionLocks:
    def __init__(self, state: StateStore, owner: str, lease_s: float) -> None:
        self.state, self.owner, self.lease_s = state, owner, lease_s

    async def get(self, session_id: str) -> Lock | None:
        doc = await self.state.get(LOCKS, session_id)
        return Lock.from_doc(session_id, doc.data, doc.version) if doc else None

    async def acquire(self, session_id: str, turn_id: str, overrides: str) -> Lock:
        """Take a free session for a new turn."""
        lock = Lock(session_id, turn_id, RUNNING, self.owner, time.time() + self.lease_s,
                    overrides)  # fmt: skip
        try:
            await self._write(lock, expect=0)
        except Conflict:
            raise FailedPrecondition(
                f"another turn just started on session {session_id}; one turn runs at a time "
                "per session",
                sessionId=session_id,
            ) from None
        return lock

    async def resume(self, lock: Lock) -> Lock:
        """An awaiting turn's lock, now running here."""
        running = Lock(lock.session_id, lock.turn_id, RUNNING, self.owner,
                       time.time() + self.lease_s, lock.overrides, lock.version)  # fmt: skip
        try:
            await self._write(running, expect=lock.version)
        except Conflict:
            raise FailedPrecondition(
                f"turn {lock.turn_id} is being resumed by another call",
                turnId=lock.turn_id,
            ) from None
        return running

    async def renew(self, lock: Lock) -> None:
        lock.until = time.time() + self.lease_s
        await self._keep(lock)

    async def pause(self, lock: Lock) -> None:
        """The turn awaits client tool results: the session stays taken, without a lease."""
        lock.state, lock.owner, lock.until = AWAITING, "", 0.0
        await self._keep(lock)

    async def _keep(self, lock: Lock) -> None:
        """Write a changed lock of ours; LeaseLost when it changed under us."""
        try:
            await self._write(lock, expect=lock.version)
        except Conflict:
            raise LeaseLost(
                f"turn {lock.turn_id} lost its lease on session {lock.session_id}"
            ) from None

    async def release(self, lock: Lock) -> None:
        # Conflict: taken over, or deleted with its session; nothing of ours is left.
        with contextlib.suppress(Conflict):
            await self.state.delete(LOCKS, lock.session_id, expect=lock.version)

    async def drop(self, session_id: str) -> None:
        await self.state.delete(LOCKS, session_id)

    async def expired(self) -> list[Lock]:
        """Running turns whose lease expired (their process died)."""
        locks = (
            Lock.from_doc(doc.key, doc.data, doc.version)
            for doc in await list_all(self.state, LOCKS, batch=200)
        )
        return [lock for lock in locks if lock.expired]

    async def _write(self, lock: Lock, expect: int) -> None:
        doc = await self.state.put(LOCKS, lock.session_id, lock.to_bytes(), expect=expect)
        lock.version = doc.version
