"""Who is calling: set by the security interceptor for each call, read by the registry, the
router and the key service."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from services.common.security import principal
from services.common.security.config import QuotaLimits
from services.common.security.policy import Subject

__all__ = ["CALLER", "Caller", "current_caller"]


@dataclass(frozen=True, slots=True)
class Caller:
    subject: Subject
    #: How the caller proved who it is: `api_key`, `jwt`, `bootstrap`, or `mesh` (an API
    #: service calling on someone's behalf, or for itself when `system`).
    via: str
    key_id: str = ""
    #: The limits of the API key used, on top of the principal's.
    key_limits: QuotaLimits | None = None
    #: A mesh service calling for itself (no forwarded principal): not subject to policies.
    system: bool = False
    #: Metadata the gateway sends upstream for this caller (principal, attributes).
    upstream: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, subject: Subject, via: str, **kw) -> Caller:
        return cls(subject, via, upstream=principal.encode(subject), **kw)

    @property
    def principal(self) -> str:
        return self.subject.principal


CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar(
    "llamastack_caller", default=None
)


def current_caller() -> Caller | None:
    """The authenticated caller of the call being served; None when auth is off."""
    return CALLER.get()
