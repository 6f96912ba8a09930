"""Resources declared in the run.yaml, registered at start-up through the normal path.

Entries use the reference's YAML shapes (`model_type: llm`, `purpose: eval/question-answer`,
`source: {type: uri, uri: ...}`, `params: {type: basic, ...}`); they are turned into the
registration requests of our contracts here.
"""

from __future__ import annotations

import logging
from typing import Any

import grpc
from google.protobuf import descriptor, json_format

from gateway.registry import Registry
from services.common import descriptors
from services.common.config import RunConfig
from services.common.errors import LlamaStackError
from services.common.kinds import KINDS, KindSpec

__all__ = ["register_declared", "to_request"]

log = logging.getLogger(__name__)

_STRUCTS = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"}


def to_request(spec: KindSpec, entry: dict[str, Any]) -> Any:
    request_cls = spec.request(f"Register{spec.label}")
    data = _normalize(request_cls.DESCRIPTOR, entry)
    return json_format.ParseDict(data, request_cls(), ignore_unknown_fields=False)


def _normalize(desc: descriptor.Descriptor, value: Any) -> Any:
    """Reference-shaped YAML -> proto3 JSON for `desc`."""
    if not isinstance(value, dict):
        return value
    value = dict(value)
    kind = value.get("type")
    if isinstance(kind, str) and "type" not in desc.fields_by_name:
        name = kind.replace("-", "_")
        field = desc.fields_by_name.get(name)
        if field is not None and field.containing_oneof is not None:
            rest = {k: v for k, v in value.items() if k != "type"}
            inner = rest if field.message_type is not None else rest.get(name)
            return {name: _field(field, inner)}
    return {
        k: _field(desc.fields_by_name[k], v) if k in desc.fields_by_name else v
        for k, v in value.items()
    }


def _field(field: descriptor.FieldDescriptor, value: Any) -> Any:
    if field.enum_type is not None:
        return (
            [_enum(field.enum_type, v) for v in value]
            if field.is_repeated
            else _enum(field.enum_type, value)
        )
    msg = field.message_type
    if msg is None or msg.full_name in _STRUCTS:
        return value
    if msg.GetOptions().map_entry:
        vfield = msg.fields_by_name["value"]
        return {k: _field(vfield, v) for k, v in (value or {}).items()}
    if field.is_repeated:
        return [_normalize(msg, v) for v in value]
    return _normalize(msg, value)


def _enum(enum: descriptor.EnumDescriptor, value: Any) -> Any:
    """`llm` -> `MODEL_TYPE_LLM`; `{type: string}` -> `PARAM_TYPE_STRING`."""
    if isinstance(value, dict):
        value = value.get("type", value)
    if not isinstance(value, str) or value in enum.values_by_name:
        return value
    candidate = (
        f"{descriptors.enum_prefix(enum)}_{value.upper().replace('-', '_').replace('/', '_')}"
    )
    return candidate if candidate in enum.values_by_name else value


async def register_declared(registry: Registry, config: RunConfig) -> None:
    """Register every resource of the run.yaml; a bad entry is logged, not fatal."""
    for spec in KINDS:
        kind = spec.name
        for entry in config.resources(spec.section):
            try:
                resource = await registry.register(spec, to_request(spec, entry))
                log.info("declared %s %s is registered", kind, resource.identifier)
            except (LlamaStackError, json_format.ParseError, ValueError) as exc:
                log.error("cannot register declared %s %s: %s", kind, entry, exc)
            except grpc.aio.AioRpcError as err:
                log.error("cannot register declared %s %s: %s", kind, entry, err.details())
