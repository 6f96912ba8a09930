"""Limits on a RunShield call, checked before any provider runs."""

from __future__ import annotations

from services.common.errors import InvalidArgument
from services.safety.types import RunRequest

__all__ = ["MAX_MESSAGES", "MAX_TEXT_CHARS", "check_run"]

#: Messages one call may carry.
MAX_MESSAGES = 1000
#: Characters of text over all messages of one call.
MAX_TEXT_CHARS = 1_000_000


def check_run(request: RunRequest) -> None:
    if not request.messages:
        raise InvalidArgument(
            "messages is empty: give the conversation to check (at least one message)",
            field="messages",
        )
    if len(request.messages) > MAX_MESSAGES:
        raise InvalidArgument(
            f"{len(request.messages)} messages; a shield checks at most {MAX_MESSAGES} "
            "per call (split the conversation, or send only the new messages)",
            field="messages",
        )
    chars = sum(len(m.text) for m in request.messages)
    if chars > MAX_TEXT_CHARS:
        raise InvalidArgument(
            f"the messages hold {chars} characters of text; a shield checks at most "
            f"{MAX_TEXT_CHARS} per call",
            field="messages",
        )
