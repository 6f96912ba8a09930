"""Where the registry lives: one interface, two backends (SQLite, Redis).

Records are keyed by (kind, identifier) under a versioned key space (`registry_v1` table /
`<ns>:registry:v1:` keys). There is no per-process cache: every read goes to the backend,
so gateway replicas sharing one backend always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Record", "RegistryStore"]


@dataclass(frozen=True, slots=True)
class Record:
    kind: str  # "model", "shield", "tool_group", "tool", ...
    identifier: str
    provider_id: str
    provider_resource_id: str
    #: The typed resource (e.g. a serialized registry.v1.Model), as the provider accepted it.
    resource: bytes
    #: The resource as built from the registration request, before the provider saw it;
    #: registering the same request again compares equal to it (idempotency).
    requested: bytes
    #: For tools: the tool group that provides them.
    parent: str = ""


class RegistryStore(Protocol):
    async def get(self, kind: str, identifier: str) -> Record | None: ...

    async def put_if_absent(self, record: Record, children: list[Record] = ...) -> Record | None:
        """Store `record` (and its children) unless the key exists; return the existing one."""

    async def delete(self, kind: str, identifier: str, child_kind: str = "") -> bool:
        """Delete a record and the `child_kind` records whose parent it is."""

    async def list(self, kind: str, after: str, limit: int, parent: str = "") -> list[Record]:
        """Records of a kind ordered by identifier, starting after `after`."""

    async def by_provider(self, provider_id: str) -> list[Record]:
        """Every record owned by a provider (to re-register them after a restart)."""

    async def close(self) -> None: ...
