"""Required fields, enforced from the contracts' `(google.api.field_behavior) = REQUIRED`."""

from __future__ import annotations

import functools

from google.api import field_behavior_pb2
from google.protobuf import descriptor
from google.protobuf.message import Message

from services.common.errors import InvalidArgument

__all__ = ["check_required"]


@functools.cache
def _required(desc: descriptor.Descriptor) -> tuple[descriptor.FieldDescriptor, ...]:
    out = []
    for field in desc.fields:
        opts = field.GetOptions()
        behaviors = opts.Extensions[field_behavior_pb2.field_behavior]
        if field_behavior_pb2.REQUIRED in behaviors:
            out.append(field)
    return tuple(out)


def check_required(message: Message) -> None:
    """Raise InvalidArgument naming the first required field left empty."""
    for field in _required(message.DESCRIPTOR):
        if field.is_repeated:
            present = len(getattr(message, field.name)) > 0
        elif field.message_type is not None or field.has_presence:
            present = message.HasField(field.name)
        else:
            present = bool(getattr(message, field.name))
        if not present:
            raise InvalidArgument(
                f"{field.name} is required in {message.DESCRIPTOR.name}", field=field.name
            )
