"""Access control on registry records: the policy applied to the current caller.

- A resource records its owner (the registering caller's principal and attributes) in the
  `owner` field of the stored resource; resources declared in the run config have none.
- Reading covers get, list and every routed data-plane call (using a model, shield, vector
  DB, tool group, dataset, scoring function or benchmark); a tool is read through its group.
- A resource the caller may not read answers NOT_FOUND exactly as a missing one does, so
  callers cannot probe what others registered; PERMISSION_DENIED (naming the action and the
  resource) is for resources the caller can see but not change, and for registrations.
"""

from __future__ import annotations

import functools

from gateway.auth.caller import Caller, current_caller
from gateway.store import Record
from llamastack.common.v1 import resource_pb2
from services.common.kinds import TOOL
from services.common.security.errors import PermissionDenied
from services.common.security.policy import Action, Owner, Policy

__all__ = ["AccessControl", "owner_of"]


@functools.lru_cache(maxsize=4096)
def owner_of(resource: bytes) -> Owner:
    """The owner stored in a serialized resource (any kind: they share the envelope);
    cached by the stored bytes, so a hot resource is parsed once."""
    owner = resource_pb2.Resource.FromString(resource).owner
    if not owner.principal:
        return Owner()
    return Owner(owner.principal, {k: tuple(v.values) for k, v in owner.attributes.items()})


class AccessControl:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def _allowed(self, caller: Caller | None, action: str, kind: str, ident: str, owner: Owner):
        if caller is None or caller.system:
            return True
        return self._policy.allowed(caller.subject, action, kind, ident, owner)

    def readable(self, rec: Record) -> bool:
        """Whether the current caller may read (see, use) a record."""
        caller = current_caller()
        if caller is None or caller.system:
            return True
        kind, ident = (rec.kind, rec.identifier) if rec.kind != TOOL else ("tool_group", rec.parent)
        owner = owner_of(rec.resource)
        return self._policy.allowed(caller.subject, Action.READ, kind, ident, owner)

    def require(self, action: Action, rec: Record) -> None:
        """PERMISSION_DENIED unless the current caller may do `action` on a record it can
        read (check `readable` first: unreadable records are NOT_FOUND)."""
        caller = current_caller()
        if not self._allowed(caller, action, rec.kind, rec.identifier, owner_of(rec.resource)):
            raise _denied(caller, action, rec.kind, rec.identifier)

    def new_owner(self, kind: str, identifier: str) -> resource_pb2.Owner | None:
        """The owner of a resource the current caller registers (None when auth is off or
        a mesh service registers for itself); PERMISSION_DENIED when it may not create it."""
        caller = current_caller()
        if caller is None or caller.system:
            return None
        subject = caller.subject
        owner = Owner(subject.principal, subject.attributes)
        if not self._policy.allowed(subject, Action.CREATE, kind, identifier, owner):
            raise _denied(caller, Action.CREATE, kind, identifier)
        out = resource_pb2.Owner(principal=subject.principal)
        for name, values in subject.attributes.items():
            out.attributes[name].values.extend(values)
        return out


def _denied(caller: Caller | None, action: str, kind: str, identifier: str) -> PermissionDenied:
    who = caller.principal if caller is not None else "anonymous"
    return PermissionDenied(
        f"{who!r} may not {action} {kind.replace('_', ' ')} {identifier!r} (the access "
        "policy in server.auth.access_policy does not permit it)",
        action=str(action),
        resourceKind=kind,
        identifier=identifier,
        principal=who,
    )
