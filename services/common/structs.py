"""Free-form rows (dataset IO, scoring, eval) as `google.protobuf.Struct` and back.

Reading uses a direct walk of the values (about 30% faster than
`json_format.MessageToDict`; thousands of rows cross per call); writing uses
`Struct.update`, the fastest way measured. Numbers come back as floats (Struct holds only
doubles), as with `MessageToDict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import struct_pb2

__all__ = ["from_struct", "to_struct", "to_structs"]


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [_value(v) for v in value.list_value.values]
    return None


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return {key: _value(value) for key, value in struct.fields.items()}


def to_struct(row: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(row)
    return out


def to_structs(rows: Iterable[Mapping[str, Any]]) -> list[struct_pb2.Struct]:
    return [to_struct(r) for r in rows]
