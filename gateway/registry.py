"""Registry semantics, the same for every resource kind.

- Registering the same request again returns the stored resource (idempotent); a different
  resource under an existing identifier is ALREADY_EXISTS.
- Without `provider_id`, the one provider that can own the kind is chosen; when several
  could, the error lists them.
- The owning provider is asked first (ProviderService.RegisterResource); nothing is stored
  when it refuses or cannot be reached.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import grpc
from google.protobuf.message import Message

from gateway.auth.access import AccessControl
from gateway.directory import Directory, ServiceEntry
from gateway.store import Record, RegistryStore
from llamastack.common.v1 import resource_pb2
from llamastack.provider.v1 import provider_service_pb2
from llamastack.registry.v1 import resources_pb2
from services.common import pagination
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ProviderAmbiguous,
    ProviderNotFound,
)
from services.common.kinds import KIND_BY_NAME, KIND_BY_VALUE, TOOL, KindSpec
from services.common.security.policy import Action
from services.common.validation import check_identifier, check_provider_resource_id

__all__ = ["Registry"]

log = logging.getLogger(__name__)


class Registry:
    def __init__(
        self,
        store: RegistryStore,
        directory: Directory,
        timeout: float = 120.0,
        access: AccessControl | None = None,
    ):
        self.store = store
        self.directory = directory
        self.timeout = timeout
        #: The access policy (None when auth is off): records the caller may not read are
        #: NOT_FOUND, lists skip them (`gateway.auth.access`).
        self.access = access

    # -- lookups --------------------------------------------------------------------------

    async def record(self, spec: KindSpec, identifier: str) -> Record:
        rec = await self.store.get(spec.name, identifier)
        if rec is None:
            raise _not_found(spec.name, identifier)
        return rec

    async def get(self, spec: KindSpec, identifier: str) -> Message:
        rec = self._visible(await self.record(spec, identifier))
        return spec.resource_cls.FromString(rec.resource)

    def _visible(self, rec: Record) -> Record:
        if self.access is not None and not self.access.readable(rec):
            raise _not_found(rec.kind, rec.identifier)
        return rec

    async def list(
        self, kind: str, cls: type[Message], size: int, token: str, parent: str = ""
    ) -> tuple[list[Message], str]:
        limit = pagination.page_size(size)
        after = pagination.decode(token, parent)
        records = await self._readable_page(kind, after, limit + 1, parent)
        more = len(records) > limit
        records = records[:limit]
        next_token = pagination.encode(records[-1].identifier, parent) if more else ""
        return [cls.FromString(r.resource) for r in records], next_token

    async def _readable_page(self, kind: str, after: str, want: int, parent: str) -> list[Record]:
        """Up to `want` records after `after` that the caller may read."""
        if self.access is None:
            return await self.store.list(kind, after, want, parent)
        out: list[Record] = []
        batch_size = max(want, 100)
        while len(out) < want:
            batch = await self.store.list(kind, after, batch_size, parent)
            out.extend(r for r in batch if self.access.readable(r))
            if len(batch) < batch_size:
                break
            after = batch[-1].identifier
        return out[:want]

    async def resolve(self, kind: int, identifier: str) -> Record:
        """The record a routed call names (the gateway's hot path)."""
        if kind == resource_pb2.RESOURCE_KIND_TOOL:
            return await self.tool(identifier)
        spec = KIND_BY_VALUE.get(kind)
        if spec is None:
            raise InvalidArgument(f"resource kind {kind} cannot be routed")
        if not identifier:
            raise InvalidArgument(f"{spec.id_field} is required", field=spec.id_field)
        return self._visible(await self.record(spec, identifier))

    async def tool(self, name: str) -> Record:
        """A tool by name, or as `group/tool`."""
        if not name:
            raise InvalidArgument("tool_name is required", field="tool_name")
        rec = await self.store.get(TOOL, name)
        if rec is None and "/" in name:
            group, _, tool = name.rpartition("/")
            candidate = await self.store.get(TOOL, tool)
            rec = candidate if candidate is not None and candidate.parent == group else None
        if rec is None:
            raise _not_found(TOOL, name)
        return self._visible(rec)

    # -- register / unregister --------------------------------------------------------------

    async def register(self, spec: KindSpec, request: Any) -> Message:
        provider_id = await self._choose_provider(spec, request)
        candidate = spec.build(request, provider_id)
        resource = candidate.resource
        check_identifier(resource.identifier, spec.id_field)
        if resource.provider_resource_id != resource.identifier:
            check_provider_resource_id(
                resource.provider_resource_id, spec.provider_resource_field or spec.id_field
            )
        owner = self.access.new_owner(spec.name, resource.identifier) if self.access else None
        await spec.references(resource, self._lookup)
        requested = resource.SerializeToString(deterministic=True)
        existing = await self.store.get(spec.name, resource.identifier)
        if existing is not None:
            return self._same_or_conflict(spec, existing, requested)
        if owner is not None:
            resource.owner.CopyFrom(owner)

        entry = self.directory.service_of_provider(provider_id)
        accepted = await self._provider_call(
            entry,
            "RegisterResource",
            provider_service_pb2.RegisterResourceRequest(resource=_any(spec, resource)),
        )
        final = getattr(accepted.resource, spec.name) if accepted.HasField("resource") else resource
        # The registry owns the identifier, the owning provider, the owner and the time.
        final.identifier, final.provider_id = resource.identifier, provider_id
        if owner is not None:
            final.owner.CopyFrom(owner)
        if "created" in final.DESCRIPTOR.fields_by_name:
            final.created = int(time.time())
        children = await self._tool_records(final, accepted.tools) if spec.child_kind else []
        record = Record(
            kind=spec.name,
            identifier=final.identifier,
            provider_id=provider_id,
            provider_resource_id=final.provider_resource_id,
            resource=final.SerializeToString(deterministic=True),
            requested=requested,
        )
        raced = await self.store.put_if_absent(record, children)
        if raced is not None:
            return self._same_or_conflict(spec, raced, requested)
        log.info("registered %s %s with provider %s", spec.name, final.identifier, provider_id)
        return final

    async def unregister(self, spec: KindSpec, identifier: str) -> None:
        rec = self._visible(await self.record(spec, identifier))
        if self.access is not None:
            self.access.require(Action.DELETE, rec)
        if self.directory.hosts(rec.provider_id):
            entry = self.directory.service_of_provider(rec.provider_id)
            resource = spec.resource_cls.FromString(rec.resource)
            await self._provider_call(
                entry,
                "UnregisterResource",
                provider_service_pb2.UnregisterResourceRequest(resource=_any(spec, resource)),
            )
        await self.store.delete(spec.name, identifier, spec.child_kind)
        log.info("unregistered %s %s", spec.name, identifier)

    async def resync(self, entry: ServiceEntry, concurrency: int = 16) -> None:
        """Register the stored resources of a service's providers with it again (after the
        service restarted: providers keep registrations in memory)."""
        if not await self.directory.wait_serving(entry, timeout=600):
            log.warning("%s did not become ready; its resources were not re-registered", entry.name)
            return
        records = [
            rec
            for provider_id in list(entry.providers)
            for rec in await self.store.by_provider(provider_id)
            if rec.kind in KIND_BY_NAME  # tools come back with their group
        ]
        gate = asyncio.Semaphore(concurrency)

        async def one(rec: Record) -> bool:
            spec = KIND_BY_NAME[rec.kind]
            request = provider_service_pb2.RegisterResourceRequest(
                resource=_any(spec, spec.resource_cls.FromString(rec.resource))
            )
            async with gate:
                try:
                    await entry.stub.RegisterResource(request, timeout=self.timeout)
                    return True
                except grpc.aio.AioRpcError as err:
                    log.warning(
                        "re-registering %s %s with %s failed: %s",
                        rec.kind, rec.identifier, entry.name, err.details(),
                    )  # fmt: skip
                    return False

        done = sum(await asyncio.gather(*(one(r) for r in records)))
        if records:
            log.info("re-registered %d of %d resources with %s", done, len(records), entry.name)

    # -- helpers ----------------------------------------------------------------------------

    async def _choose_provider(self, spec: KindSpec, request: Any) -> str:
        able = self.directory.providers_for_kind(spec.value)
        able_ids = frozenset(p.provider_id for p in able)
        named = getattr(request, spec.provider_field, "") if spec.provider_field else ""
        requested = named or spec.provider_hint(request, able_ids)
        if requested and (named or requested not in able_ids):
            # An explicit provider (or a hint naming one that cannot own the kind) must fit.
            if not self.directory.hosts(requested):
                raise ProviderNotFound(
                    f"provider {requested!r} is not configured; providers that can own a "
                    f"{spec.name}: {sorted(able_ids)}",
                    providerId=requested,
                )
            if requested not in able_ids:
                raise InvalidArgument(
                    f"provider {requested!r} cannot own a {spec.name}; providers that can: "
                    f"{sorted(able_ids)}",
                    providerId=requested,
                )
        if requested:
            return requested
        if not able:
            raise FailedPrecondition(
                f"no provider of this distribution can own a {spec.name}; add one to the run config"
            )
        if len(able) == 1:
            return able[0].provider_id
        preferred = [p for p in able if p.provider_type in spec.build(request, "").preferred_types]
        if len(preferred) == 1:
            return preferred[0].provider_id
        raise ProviderAmbiguous(
            f"several providers can own a {spec.name}: "
            f"{', '.join(sorted(able_ids))}; set provider_id to one of them",
            providers=",".join(sorted(able_ids)),
        )

    async def _lookup(self, kind: str, identifier: str) -> Message:
        return await self.get(KIND_BY_NAME[kind], identifier)

    def _same_or_conflict(self, spec: KindSpec, existing: Record, requested: bytes) -> Message:
        if self.access is not None and not self.access.readable(existing):
            raise AlreadyExists(
                f"the identifier {existing.identifier!r} is taken; choose another",
                resourceKind=spec.name,
                identifier=existing.identifier,
            )
        if existing.requested == requested:
            return spec.resource_cls.FromString(existing.resource)
        raise AlreadyExists(
            f"a different {spec.name} is already registered as {existing.identifier!r} "
            f"(provider {existing.provider_id}); unregister it first or use another identifier",
            resourceKind=spec.name,
            identifier=existing.identifier,
        )

    async def _tool_records(self, group: resources_pb2.ToolGroup, tools: Any) -> list[Record]:
        out, taken = [], []
        for tool in tools:
            name = tool.identifier or tool.provider_resource_id
            existing = await self.store.get(TOOL, name)
            if existing is not None and existing.parent != group.identifier:
                taken.append(f"{name!r} (by {existing.parent!r})")
            t = resources_pb2.Tool()
            t.CopyFrom(tool)
            t.identifier, t.toolgroup_id, t.provider_id = name, group.identifier, group.provider_id
            t.owner.CopyFrom(group.owner)  # a tool is read through its group
            t.provider_resource_id = t.provider_resource_id or name
            data = t.SerializeToString(deterministic=True)
            out.append(
                Record(TOOL, name, group.provider_id, t.provider_resource_id, data, b"",
                       parent=group.identifier)
            )  # fmt: skip
        if taken:
            raise AlreadyExists(
                f"tool group {group.identifier!r} provides tools that other groups already "
                f"provide: {', '.join(taken)}; unregister those groups first",
                resourceKind=TOOL,
                identifier=group.identifier,
            )
        return out

    async def _provider_call(self, entry: ServiceEntry, method: str, request: Message) -> Any:
        try:
            return await getattr(entry.stub, method)(request, timeout=self.timeout)
        except grpc.aio.AioRpcError as err:
            raise entry.upstream_error(err) from None


def _any(spec: KindSpec, resource: Message) -> provider_service_pb2.AnyResource:
    out = provider_service_pb2.AnyResource()
    getattr(out, spec.name).CopyFrom(resource)
    return out


def _not_found(kind: str, identifier: str) -> NotFound:
    hint = {"tool": "tools"}.get(kind, f"{kind}s")
    return NotFound(
        f"{kind.replace('_', ' ')} {identifier!r} is not registered; list the registered "
        f"{hint.replace('_', ' ')} to see what exists",
        resourceKind=kind,
        identifier=identifier,
    )
