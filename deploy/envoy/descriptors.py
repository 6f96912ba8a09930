"""The descriptor set as Envoy's gRPC-JSON transcoder can load it.

Envoy (1.40) refuses a descriptor set in which an HTTP rule sets `response_body` on a field
that is not `google.api.HttpBody` ("Setting response_body is not supported yet for non-HttpBody
fields", envoyproxy/envoy#11136). Our contracts use `response_body` so that REST answers the
bare resource (`GET /v1/models/{id}` -> the Model, as in the reference). We clear those
settings in the copy Envoy loads and remember, per gRPC method, which field REST must answer;
the Envoy config unwraps it (see `config.py`).

`convert_grpc_status` prints the `google.rpc.Status` of an error, details included, as the JSON
body; it can only print detail types the descriptor set holds. No contract imports
`google/rpc/error_details.proto` (errors travel in trailers, not in messages), so without it
every error with an `ErrorInfo` came back as an empty body. We add those files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.api import annotations_pb2
from google.protobuf import any_pb2, descriptor_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

__all__ = ["PreparedDescriptor", "prepare_descriptor"]

#: What `convert_grpc_status` needs to print error details, dependencies first.
_ERROR_FILES = (any_pb2, duration_pb2, status_pb2, error_details_pb2)


@dataclass(frozen=True)
class PreparedDescriptor:
    #: Serialized FileDescriptorSet without non-HttpBody `response_body` settings.
    data: bytes
    #: gRPC path (`/pkg.Service/Method`) -> the response field REST answers.
    response_body: dict[str, str] = field(default_factory=dict)
    #: Full names of every service in the set.
    services: frozenset[str] = frozenset()


def prepare_descriptor(data: bytes) -> PreparedDescriptor:
    """Clear `response_body` where Envoy cannot honour it; report what was cleared."""
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    present = {fd.name for fd in fds.file}
    for module in _ERROR_FILES:  # dependencies first
        if module.DESCRIPTOR.name not in present:
            module.DESCRIPTOR.CopyToProto(fds.file.add())
    messages = {
        name: m
        for fd in fds.file
        for name, m in _all_messages(fd.message_type, f"{fd.package}." if fd.package else "")
    }
    unwrap: dict[str, str] = {}
    services = set()
    for fd in fds.file:
        for svc in fd.service:
            full = f"{fd.package}.{svc.name}" if fd.package else svc.name
            services.add(full)
            for method in svc.method:
                if not method.options.HasExtension(annotations_pb2.http):
                    continue
                rule = method.options.Extensions[annotations_pb2.http]
                response = messages.get(method.output_type.lstrip("."))
                fields = set()
                for r in (rule, *rule.additional_bindings):
                    if r.response_body and not _is_http_body(response, r.response_body):
                        fields.add(r.response_body)
                        r.ClearField("response_body")
                if len(fields) > 1:
                    raise ValueError(
                        f"{full}.{method.name}: bindings answer different response fields "
                        f"{sorted(fields)}; REST can unwrap only one per method"
                    )
                if fields:
                    unwrap[f"/{full}/{method.name}"] = fields.pop()
    return PreparedDescriptor(
        data=fds.SerializeToString(), response_body=unwrap, services=frozenset(services)
    )


def _all_messages(messages, prefix: str) -> list[tuple[str, descriptor_pb2.DescriptorProto]]:
    """(full name, message) of every message, nested ones included."""
    out = []
    for m in messages:
        out.append((f"{prefix}{m.name}", m))
        out += _all_messages(m.nested_type, f"{prefix}{m.name}.")
    return out


def _is_http_body(response: descriptor_pb2.DescriptorProto | None, name: str) -> bool:
    if response is None:
        return False
    for f in response.field:
        if f.name == name:
            return f.type_name.lstrip(".") == "google.api.HttpBody"
    return False
