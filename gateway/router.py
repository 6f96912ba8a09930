"""Descriptor-driven forwarding: one generic path for every RPC the gateway does not serve.

Routed RPCs (those with a `llamastack.common.v1.routing` option) go to the service hosting
the provider that owns the named resource; the request is parsed only as far as the routing
field (through a "view" message that declares that field alone, so everything else stays
unparsed bytes), the id is rewritten to the provider's own id, and the provider id travels
as `x-llamastack-provider-id` (and the registry identifier the caller used as
`x-llamastack-resource-id`, for messages). Other RPCs go to the one service hosting their API.
Responses are never decoded: unary replies and stream chunks pass through as bytes, chunk
by chunk. Upstream errors pass through unchanged; a service that cannot be reached is
UNAVAILABLE naming it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

from gateway.directory import Directory, ServiceEntry
from gateway.registry import Registry
from services.common import descriptors, telemetry
from services.common.errors import InvalidArgument
from services.common.interceptors import guard_stream, guard_unary
from services.common.logs import REQUEST_ID
from services.common.providers import PROVIDER_ID_METADATA, RESOURCE_ID_METADATA
from services.common.security.mesh import TOKEN_METADATA
from services.common.security.principal import FORWARDED_KEYS

__all__ = ["CallHooks", "Router", "build_handlers"]

log = logging.getLogger(__name__)

# Metadata that belongs to the hop, not to the call (and the keys the gateway sets itself;
# credentials are for the gateway, never for the services).
_HOP_KEYS = frozenset(
    {"user-agent", "content-type", "te", "host", PROVIDER_ID_METADATA, RESOURCE_ID_METADATA,
     "authorization", TOKEN_METADATA, *FORWARDED_KEYS}
)  # fmt: skip


class CallHooks(Protocol):
    """What security adds to forwarding (`gateway.auth.Security`)."""

    def upstream_metadata(self) -> tuple[tuple[str, str], ...]:
        """Metadata every forwarded call carries (mesh credential, caller's principal)."""

    def usage_sink(self) -> Any:
        """None, or a function given the trailers of the forwarded call."""


@dataclass(frozen=True, slots=True)
class _View:
    """Reads and rewrites one string field of a serialized request without a full parse."""

    cls: type[Message]
    path: tuple[str, ...]

    def read(self, data: bytes) -> tuple[Message, str]:
        msg = self.cls.FromString(data)
        target = msg
        for name in self.path[:-1]:
            target = getattr(target, name)
        return msg, getattr(target, self.path[-1])

    def rewrite(self, msg: Message, value: str) -> bytes:
        target = msg
        for name in self.path[:-1]:
            target = getattr(target, name)
        setattr(target, self.path[-1], value)
        return msg.SerializeToString()


def _view_for(method: descriptors.MethodInfo) -> _View:
    """A message class declaring only the routing field path (same numbers and types)."""
    assert method.routing is not None
    chain = descriptors.field_by_path(method.request, method.routing.field)
    assert chain, f"{method.path}: bad routing field"
    pool = descriptor_pool.DescriptorPool()
    fdp = descriptor_pb2.FileDescriptorProto(
        name=f"view/{method.service}.{method.name}.proto",
        package=f"llamastack_view.{method.name.lower()}",
        syntax="proto3",
    )
    for depth, field in enumerate(chain):
        msg = fdp.message_type.add(name=f"V{depth}")
        f = msg.field.add(name=field.name, number=field.number)
        f.label = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
        if depth == len(chain) - 1:
            f.type = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
        else:
            f.type = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
            f.type_name = f".{fdp.package}.V{depth + 1}"
    pool.Add(fdp)
    root = pool.FindMessageTypeByName(f"{fdp.package}.V0")
    return _View(message_factory.GetMessageClass(root), tuple(f.name for f in chain))


class Router:
    def __init__(
        self,
        registry: Registry,
        directory: Directory,
        default_timeout: float,
        hooks: CallHooks | None = None,
    ):
        self.registry = registry
        self.directory = directory
        self.default_timeout = default_timeout
        self.hooks = hooks

    def _forwarded(self, context: grpc.aio.ServicerContext) -> list[tuple[str, str]]:
        """The caller's metadata minus hop headers, with the call's request id (the guard
        took it from the caller or made one)."""
        out = [
            (k, v)
            for k, v in context.invocation_metadata() or ()
            if k not in _HOP_KEYS and not k.startswith((":", "grpc-"))
        ]
        if not any(k == "x-request-id" for k, _ in out):
            out.append(("x-request-id", REQUEST_ID.get()))
        if self.hooks is not None:
            out.extend(self.hooks.upstream_metadata())
        return out

    def _timeout(self, context: grpc.aio.ServicerContext) -> float:
        remaining = context.time_remaining()
        return remaining if remaining is not None else self.default_timeout

    async def _prepare(
        self,
        method: descriptors.MethodInfo,
        view: _View | None,
        data: bytes,
        context: grpc.aio.ServicerContext,
    ) -> tuple[ServiceEntry, bytes, tuple[tuple[str, str], ...]]:
        """(service, request bytes to send, metadata to send) for a call."""
        metadata = self._forwarded(context)
        if view is None:
            return self.directory.service_for(method.service), data, tuple(metadata)
        msg, ident = view.read(data)
        if not ident:  # named after the request's own field (`model_id`, OpenAI's `model`)
            field = method.routing.field
            raise InvalidArgument(
                f"{field} is required (the {method.routing.kind_name.replace('_', ' ')} to use)",
                field=field,
            )
        record = await self.registry.resolve(method.routing.kind, ident)
        entry = self.directory.service_of_provider(record.provider_id)
        if record.provider_resource_id != ident:
            data = view.rewrite(msg, record.provider_resource_id)
        metadata.append((PROVIDER_ID_METADATA, record.provider_id))
        if record.identifier.isascii():
            metadata.append((RESOURCE_ID_METADATA, record.identifier))
        return entry, data, tuple(metadata)

    def unary(self, method: descriptors.MethodInfo):
        view = _view_for(method) if method.routing else None
        calls: dict[str, grpc.aio.UnaryUnaryMultiCallable] = {}  # per service, made once

        async def handle(data: bytes, context: grpc.aio.ServicerContext) -> bytes:
            entry, payload, metadata = await self._prepare(method, view, data, context)
            call = calls.get(entry.name)
            if call is None:
                call = calls[entry.name] = entry.channel.unary_unary(method.path)
            sink = self.hooks.usage_sink() if self.hooks is not None else None
            try:
                with telemetry.outgoing(method.path, metadata) as hop:
                    timeout = self._timeout(context)
                    if sink is None:
                        return await call(payload, timeout=timeout, metadata=hop.metadata)
                    ongoing = call(payload, timeout=timeout, metadata=hop.metadata)
                    response = await ongoing
                    sink(await ongoing.trailing_metadata())
                    return response
            except grpc.aio.AioRpcError as err:
                raise entry.upstream_error(err) from None

        return guard_unary(handle)

    def stream(self, method: descriptors.MethodInfo):
        view = _view_for(method) if method.routing else None
        calls: dict[str, grpc.aio.UnaryStreamMultiCallable] = {}

        async def handle(data: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
            entry, payload, metadata = await self._prepare(method, view, data, context)
            multi = calls.get(entry.name)
            if multi is None:
                multi = calls[entry.name] = entry.channel.unary_stream(method.path)
            hop = telemetry.outgoing(method.path, metadata)
            call = multi(payload, timeout=self._timeout(context), metadata=hop.metadata)
            sink = self.hooks.usage_sink() if self.hooks is not None else None
            try:
                with hop:
                    async for chunk in call:
                        yield chunk
                    if sink is not None:
                        sink(await call.trailing_metadata())
            except grpc.aio.AioRpcError as err:
                raise entry.upstream_error(err) from None
            finally:
                if not call.done():
                    call.cancel()  # the caller went away: stop the upstream work too

        return guard_stream(handle)


def build_handlers(
    router: Router, skip_packages: Iterable[str]
) -> list[tuple[str, dict[str, grpc.RpcMethodHandler]]]:
    """(service, {method: byte-level handler}) for every public service the gateway does not
    serve itself."""
    skip = {*skip_packages, *descriptors.INTERNAL_PACKAGES}
    by_service: dict[str, dict[str, grpc.RpcMethodHandler]] = {}
    for m in descriptors.methods():
        if m.package in skip:
            continue
        if m.client_streaming:
            raise NotImplementedError(f"{m.path}: client streaming is not forwarded")
        handler = (
            grpc.unary_stream_rpc_method_handler(router.stream(m))
            if m.server_streaming
            else grpc.unary_unary_rpc_method_handler(router.unary(m))
        )
        by_service.setdefault(m.service, {})[m.name] = handler
    return sorted(by_service.items())
