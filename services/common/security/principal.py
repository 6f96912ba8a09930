"""The caller's identity as the gateway forwards it to API services.

With authentication on, every call the gateway forwards carries
`x-llamastack-principal` (the principal, percent-encoded) and `x-llamastack-attributes`
(compact JSON `{"roles": [...], "teams": [...]}`), so services can scope their own objects
(agents, sessions, jobs) by owner. Services trust these headers because only the gateway can
reach them (`services.common.security.mesh`); the gateway drops them from external callers.
When a service calls the gateway on a caller's behalf (an agent's inference), the mesh's
gateway client sends them back, and the gateway authorizes the call as that principal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote, unquote

from services.common.security.policy import Subject

__all__ = ["ATTRIBUTES_METADATA", "FORWARDED_KEYS", "PRINCIPAL_METADATA", "decode", "encode"]

PRINCIPAL_METADATA = "x-llamastack-principal"
ATTRIBUTES_METADATA = "x-llamastack-attributes"
FORWARDED_KEYS = frozenset({PRINCIPAL_METADATA, ATTRIBUTES_METADATA})


def encode(subject: Subject) -> tuple[tuple[str, str], ...]:
    attrs = {k: list(v) for k, v in sorted(subject.attributes.items()) if v}
    return (
        (PRINCIPAL_METADATA, quote(subject.principal, safe="@:/+=._-")),
        (ATTRIBUTES_METADATA, json.dumps(attrs, separators=(",", ":"))),
    )


def decode(metadata: Iterable[tuple[str, str | bytes]] | None) -> Subject | None:
    """The forwarded caller in a call's metadata, or None (unauthenticated stack, or a call
    that did not come through the gateway's authentication)."""
    principal, attrs = None, "{}"
    for key, value in metadata or ():
        if key == PRINCIPAL_METADATA and isinstance(value, str):
            principal = unquote(value)
        elif key == ATTRIBUTES_METADATA and isinstance(value, str):
            attrs = value
    if not principal:
        return None
    try:
        raw = json.loads(attrs)
        attributes = {str(k): tuple(str(x) for x in v) for k, v in raw.items()}
    except (ValueError, AttributeError, TypeError):
        attributes = {}
    return Subject(principal, attributes)
