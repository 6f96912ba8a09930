"""What the Protobuf contracts declare, read from the generated descriptors.

Every process that needs to know the API surface (the gateway's routing table, inspect's
route listing, the contract tests) reads it here, from the same descriptors the generated
stubs carry, so nothing about the surface is written down twice.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from pathlib import Path

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, descriptor_pool

from llamastack.common.v1 import resource_pb2, routing_pb2

__all__ = [
    "INTERNAL_PACKAGES",
    "HttpBinding",
    "MethodInfo",
    "RoutingRule",
    "api_of",
    "enum_prefix",
    "field_by_path",
    "load_all",
    "methods",
    "proto_files",
    "public_services",
    "services",
]

#: Packages that are not part of the public surface (no HTTP rules, not behind Envoy).
INTERNAL_PACKAGES = frozenset({"llamastack.provider.v1"})

_HTTP_KINDS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True, slots=True)
class HttpBinding:
    method: str  # GET, POST, ...
    path: str
    body: str
    response_body: str


@dataclass(frozen=True, slots=True)
class RoutingRule:
    kind: int  # llamastack.common.v1.ResourceKind value
    field: str  # dotted path of the string field naming the resource

    @property
    def kind_name(self) -> str:
        """`model`, `shield`, `tool_group`, ... (lower snake, no prefix)."""
        name = resource_pb2.ResourceKind.Name(self.kind)
        return name.removeprefix("RESOURCE_KIND_").lower()


@dataclass(frozen=True, slots=True)
class MethodInfo:
    service: str  # llamastack.inference.v1.InferenceService
    name: str  # ChatCompletion
    request: descriptor.Descriptor
    response: descriptor.Descriptor
    client_streaming: bool
    server_streaming: bool
    http: tuple[HttpBinding, ...]
    routing: RoutingRule | None

    @property
    def path(self) -> str:
        """The gRPC method path, e.g. `/llamastack.inference.v1.InferenceService/ChatCompletion`."""
        return f"/{self.service}/{self.name}"

    @property
    def package(self) -> str:
        return self.service.rsplit(".", 1)[0]


@functools.cache
def load_all() -> descriptor_pool.DescriptorPool:
    """Import every generated `*_pb2` module so the default pool holds all contracts."""
    for module, _ in proto_files():
        importlib.import_module(module)
    return descriptor_pool.Default()


def services() -> list[descriptor.ServiceDescriptor]:
    """Every `llamastack.*` service, sorted by full name."""
    pool = load_all()
    found: dict[str, descriptor.ServiceDescriptor] = {}
    for _, proto_file in proto_files():
        fd = pool.FindFileByName(proto_file)
        for svc in fd.services_by_name.values():
            found[svc.full_name] = svc
    return [found[k] for k in sorted(found)]


def public_services() -> list[descriptor.ServiceDescriptor]:
    """Services clients call (everything but the internal provider service)."""
    return [s for s in services() if s.file.package not in INTERNAL_PACKAGES]


@functools.cache
def methods() -> tuple[MethodInfo, ...]:
    """Every RPC of every service, with its HTTP bindings and routing rule."""
    out = []
    for svc in services():
        for m in svc.methods:
            opts = m.GetOptions()
            http = (
                _bindings(opts.Extensions[annotations_pb2.http])
                if opts.HasExtension(annotations_pb2.http)
                else ()
            )
            routing = None
            if opts.HasExtension(routing_pb2.routing):
                rule = opts.Extensions[routing_pb2.routing]
                routing = RoutingRule(kind=rule.resource, field=rule.field)
            out.append(
                MethodInfo(
                    service=svc.full_name,
                    name=m.name,
                    request=m.input_type,
                    response=m.output_type,
                    client_streaming=m.client_streaming,
                    server_streaming=m.server_streaming,
                    http=http,
                    routing=routing,
                )
            )
    return tuple(out)


def api_of(package: str) -> str:
    """`llamastack.vector_io.v1` -> `vector_io`."""
    parts = package.split(".")
    return parts[1] if len(parts) >= 3 else package


def enum_prefix(enum: descriptor.EnumDescriptor) -> str:
    """The prefix every value of an enum carries (Buf style): `ModelType` -> `MODEL_TYPE`."""
    return "".join("_" + c if c.isupper() else c for c in enum.name).lstrip("_").upper()


def field_by_path(
    message: descriptor.Descriptor, path: str
) -> list[descriptor.FieldDescriptor] | None:
    """Resolve a dotted field path to its chain of fields, or None when it does not exist."""
    chain = []
    current: descriptor.Descriptor | None = message
    for part in path.split("."):
        if current is None or part not in current.fields_by_name:
            return None
        field = current.fields_by_name[part]
        chain.append(field)
        current = field.message_type
    return chain


def _bindings(rule: http_pb2.HttpRule) -> tuple[HttpBinding, ...]:
    out = []
    for r in (rule, *rule.additional_bindings):
        kind = r.WhichOneof("pattern")
        if kind in _HTTP_KINDS:
            out.append(HttpBinding(kind.upper(), getattr(r, kind), r.body, r.response_body))
        elif kind == "custom":
            out.append(HttpBinding(r.custom.kind.upper(), r.custom.path, r.body, r.response_body))
    return tuple(out)


@functools.cache
def proto_files() -> tuple[tuple[str, str], ...]:
    """(module, proto file) of every generated `*_pb2` module, e.g.
    (`llamastack.safety.v1.safety_service_pb2`, `llamastack/safety/v1/safety_service.proto`)."""
    import llamastack  # namespace package of the generated code

    out = []
    for root in llamastack.__path__:
        base = Path(root).parent
        for path in sorted(Path(root).rglob("*_pb2.py")):
            rel = path.relative_to(base).with_suffix("")
            out.append((".".join(rel.parts), str(rel).removesuffix("_pb2") + ".proto"))
    return tuple(out)
