"""The safety service's domain types: plain dataclasses, no protobuf."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["Level", "ModerationRequest", "Role", "RunRequest", "ShieldMessage", "Violation"]


class Role(Enum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class Level(Enum):
    INFO = "info"
    WARN = "warn"
    #: Agents end the turn on an ERROR violation.
    ERROR = "error"


@dataclass(frozen=True)
class ShieldMessage:
    """One message as shields read it: its role and its text (content, user context and
    the assistant's tool calls, one per line). Images are not read."""

    role: Role
    text: str


@dataclass(frozen=True)
class RunRequest:
    #: The shield's identifier (what the caller named, not the provider's own id).
    shield_id: str
    messages: tuple[ShieldMessage, ...]
    params: dict[str, Any] = field(default_factory=dict)
    #: Seconds left before the caller's deadline (None: no deadline).
    timeout: float | None = None


@dataclass(frozen=True)
class Violation:
    level: Level
    #: Safe to show the user.
    user_message: str
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The moderation categories it falls in, each with its level (OpenAI's names where
    #: one fits, else the shield's own: see `services/safety/moderation.py`).
    categories: dict[str, Level] = field(default_factory=dict)


@dataclass(frozen=True)
class ModerationRequest:
    """OpenAI's moderation request: a shield and its inputs."""

    #: The shield's identifier (what the caller named).
    shield_id: str
    #: `input` as OpenAI's JSON (a string, strings, or content parts); None when absent.
    input: Any
    #: Seconds left before the caller's deadline (None: no deadline).
    timeout: float | None = None
