"""Checks every service shares: required fields (from the contracts'
`(google.api.field_behavior) = REQUIRED`) and the identifier rule."""

from __future__ import annotations

import functools
import re

from google.api import field_behavior_pb2
from google.protobuf import descriptor
from google.protobuf.message import Message

from services.common.errors import InvalidArgument

__all__ = [
    "IDENTIFIER_MAX_LENGTH",
    "PROVIDER_ID_MAX_LENGTH",
    "check_identifier",
    "check_provider_resource_id",
    "check_required",
]

#: Identifiers of registered resources (and of agents, sessions, jobs): at most this many
#: characters of `A-Z a-z 0-9 . _ - : @ + =` and `/` between non-empty segments, starting
#: with a letter or digit. They appear in REST paths, CLI tables and logs, so nothing that
#: needs escaping, no whitespace, no `.`/`..` segments.
IDENTIFIER_MAX_LENGTH = 256
_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]*(?:/[A-Za-z0-9._:@+=-]+)*")
#: The provider's own id for a resource (a model name on a remote server...): looser (any
#: printable characters but whitespace) and longer.
PROVIDER_ID_MAX_LENGTH = 1024
_PROVIDER_ID = re.compile(r"[!-~]+")


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


def check_identifier(value: str, field: str) -> None:
    """INVALID_ARGUMENT unless `value` follows the identifier rule (see IDENTIFIER_MAX_LENGTH)."""
    if len(value) > IDENTIFIER_MAX_LENGTH:
        raise InvalidArgument(
            f"{field} is {len(value)} characters long; identifiers have at most "
            f"{IDENTIFIER_MAX_LENGTH}",
            field=field,
        )
    segments = value.split("/")
    if not _IDENTIFIER.fullmatch(value) or any(s in (".", "..") for s in segments):
        raise InvalidArgument(
            f"{field} {value[:80]!r} is not a valid identifier: use letters, digits and "
            "'. _ - : @ + =', with '/' only between non-empty segments, starting with a "
            "letter or digit",
            field=field,
        )


def check_provider_resource_id(value: str, field: str) -> None:
    if len(value) > PROVIDER_ID_MAX_LENGTH:
        raise InvalidArgument(
            f"{field} is {len(value)} characters long; at most {PROVIDER_ID_MAX_LENGTH}",
            field=field,
        )
    if value and not _PROVIDER_ID.fullmatch(value):
        raise InvalidArgument(
            f"{field} {value[:80]!r} contains whitespace or non-ASCII characters",
            field=field,
        )
