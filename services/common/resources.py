"""The resources a provider serves, as a table providers compose (not inherit).

Every provider that owns a kind of resource (models, shields, vector DBs, datasets, scoring
functions, benchmarks, tool groups) keeps them the same way:

- **configured** entries come from the provider's own config and are known from start-up
  (a direct call works without registration; unregistering leaves them);
- **registered** entries come from the gateway (`ProviderService.RegisterResource`): the
  table waits until its provider is ready, asks the provider's `accept` hook to validate (and
  normalise) the resource, and stores it; a refusal stores nothing;
- lookups raise NOT_FOUND naming the resource, the provider and what it does serve.

The value stored per entry is the provider's own (a loaded model, a collection handle...).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from llamastack.provider.v1 import provider_service_pb2
from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument, NotFound
from services.common.kinds import KIND_BY_NAME, KindSpec

__all__ = ["Accepted", "Entry", "Registered", "ResourceTable", "identifier", "own_id"]

V = TypeVar("V")


@dataclass
class Registered:
    """A resource as the provider accepted it (and, for tool groups, its tools)."""

    resource: provider_service_pb2.AnyResource
    tools: list[resources_pb2.Tool] = field(default_factory=list)


@dataclass
class Accepted(Generic[V]):
    """What a provider's `accept` hook returns: the resource as it will be stored (possibly
    normalised: an embedding dimension filled in) and the provider's value for it."""

    resource: Message
    value: V
    tools: list[resources_pb2.Tool] = field(default_factory=list)


@dataclass
class Entry(Generic[V]):
    id: str  # the entry's key (the provider's own id unless the table keys otherwise)
    value: V
    #: The resource as registered (None for a configured entry never registered).
    resource: Message | None = None
    configured: bool = False


Accept = Callable[[Any], Awaitable[Accepted[V]]]
Release = Callable[[Entry[V]], Awaitable[None]]
Key = Callable[[Any], str]


def own_id(resource: Message) -> str:
    """The default entry key: the provider's own id, else the identifier."""
    return resource.provider_resource_id or resource.identifier  # type: ignore[attr-defined]


def identifier(resource: Message) -> str:
    """Key entries by the registry identifier: for resources whose provider id is shared
    (several Llama Guard shields judging with one model, with different params)."""
    return resource.identifier  # type: ignore[attr-defined]


async def _accept_as_is(resource: Message) -> Accepted[Message]:
    return Accepted(resource, resource)


class ResourceTable(Generic[V]):
    """The resources of one kind a provider serves."""

    def __init__(
        self,
        kind: str,
        owner: str,
        ready: asyncio.Event,
        accept: Accept[V] | None = None,
        release: Release[V] | None = None,
        key: Key = own_id,
    ) -> None:
        """`owner` names the provider in messages ("provider llama-cpp (inline::llama-cpp)");
        `ready` is set once the provider can accept registrations; `accept` validates a
        resource being registered (the default stores it as is); `release` frees what an
        unregistered entry held (drop a collection...); `key` picks an entry's key from its
        resource (`own_id` by default, `identifier` when several entries share a provider
        id)."""
        self.kind: KindSpec = KIND_BY_NAME[kind]
        self.owner = owner
        self.ready = ready
        self._accept: Accept[Any] = accept or _accept_as_is
        self._release = release
        self._key = key
        self._entries: dict[str, Entry[V]] = {}

    # -- lookups ----------------------------------------------------------------------------

    def __contains__(self, resource_id: object) -> bool:
        return resource_id in self._entries

    def __iter__(self) -> Iterator[Entry[V]]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def ids(self) -> list[str]:
        return sorted(self._entries)

    def find(self, resource_id: str) -> V | None:
        entry = self._entries.get(resource_id)
        return entry.value if entry is not None else None

    def entry(self, resource_id: str) -> Entry[V]:
        """The entry for a call, or NOT_FOUND naming what this provider serves."""
        entry = self._entries.get(resource_id)
        if entry is None:
            word = self.kind.name.replace("_", " ")
            raise NotFound(
                f"{word} {resource_id!r} is not served by {self.owner}; its "
                f"{word}s: {self.ids() or 'none'}",
                resourceKind=self.kind.name,
                identifier=resource_id,
            )
        return entry

    def get(self, resource_id: str) -> V:
        return self.entry(resource_id).value

    def is_configured(self, resource_id: str) -> bool:
        entry = self._entries.get(resource_id)
        return entry is not None and entry.configured

    # -- changes ----------------------------------------------------------------------------

    def add_configured(self, resource_id: str, value: V, resource: Message | None = None) -> None:
        """An entry from the provider's config: known without registration, kept when
        unregistered."""
        self._entries[resource_id] = Entry(resource_id, value, resource, configured=True)

    def put(self, resource_id: str, value: V, resource: Message | None = None) -> None:
        """Replace the value of an entry (keeps whether it was configured)."""
        old = self._entries.get(resource_id)
        configured = old.configured if old is not None else False
        self._entries[resource_id] = Entry(resource_id, value, resource, configured)

    async def register(self, any_resource: provider_service_pb2.AnyResource) -> Registered:
        """Validate through `accept` (after the provider is ready) and store."""
        which = any_resource.WhichOneof("resource")
        if which != self.kind.name:
            raise InvalidArgument(
                f"{self.owner} accepts {self.kind.name} resources only, not {which or 'none'}"
            )
        await self.ready.wait()  # the caller's deadline bounds the wait
        resource = getattr(any_resource, which)
        resource_id = self._key(resource)
        accepted = await self._accept(resource)
        self.put(resource_id, accepted.value, accepted.resource)
        out = provider_service_pb2.AnyResource()
        getattr(out, which).CopyFrom(accepted.resource)
        return Registered(out, list(accepted.tools))

    async def unregister(self, any_resource: provider_service_pb2.AnyResource) -> None:
        """Forget a registered entry (configured ones stay); unknown ids are a no-op, so the
        gateway can always clean up."""
        which = any_resource.WhichOneof("resource")
        if which != self.kind.name:
            return
        resource = getattr(any_resource, which)
        resource_id = self._key(resource)
        entry = self._entries.get(resource_id)
        if entry is None or entry.configured:
            return
        del self._entries[resource_id]
        if self._release is not None:
            await self._release(entry)
