"""The inference domain: plain Python values the service logic and providers work with.

The servicer converts protobuf to these and back (`convert.py`); nothing below imports
protobuf, so providers and their unit tests never see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "ChatEvent",
    "ChatRequest",
    "ChatResponse",
    "ChatStreamItem",
    "CompletionRequest",
    "CompletionResponse",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "EventType",
    "Image",
    "Message",
    "ModelType",
    "ParseStatus",
    "Part",
    "ResponseFormat",
    "Role",
    "Sampling",
    "StopReason",
    "StreamEnd",
    "TextDelta",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "ToolSpec",
    "Truncation",
    "Usage",
    "text_of",
]


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class StopReason(StrEnum):
    END_OF_TURN = "end_of_turn"
    END_OF_MESSAGE = "end_of_message"
    OUT_OF_TOKENS = "out_of_tokens"


class ToolChoice(StrEnum):
    AUTO = "auto"
    REQUIRED = "required"
    NONE = "none"


class ModelType(StrEnum):
    LLM = "llm"
    EMBEDDING = "embedding"


class Truncation(StrEnum):
    NONE = "none"
    START = "start"
    END = "end"


class ParseStatus(StrEnum):
    STARTED = "started"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    SUCCEEDED = "succeeded"


class EventType(StrEnum):
    START = "start"
    PROGRESS = "progress"
    COMPLETE = "complete"


@dataclass(frozen=True)
class Image:
    """An image by URL or inline bytes."""

    url: str = ""
    data: bytes = b""


#: One content item: text or an image.
Part = str | Image


def text_of(parts: list[Part]) -> str:
    """The text of content items (images are skipped; callers reject them where needed)."""
    return "".join(p for p in parts if isinstance(p, str))


@dataclass
class ToolCall:
    call_id: str
    tool_name: str
    arguments: dict[str, Any]
    arguments_json: str = ""


@dataclass
class Message:
    role: Role
    content: list[Part] = field(default_factory=list)
    context: list[Part] = field(default_factory=list)
    stop_reason: StopReason | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    call_id: str = ""

    @property
    def text(self) -> str:
        return text_of(self.content)


@dataclass
class Sampling:
    """Sampling after defaults: `strategy` is greedy, top_p or top_k."""

    strategy: str = "greedy"
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    #: 0 = the provider's default.
    max_tokens: int = 0
    repetition_penalty: float = 1.0
    stop: list[str] = field(default_factory=list)
    #: Extras the OpenAI API carries (defaults change nothing): a sampling seed, OpenAI's
    #: frequency/presence penalties, min-p filtering.
    seed: int | None = None
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    min_p: float = 0.0


@dataclass
class ResponseFormat:
    json_schema: dict[str, Any] | None = None
    grammar: str | None = None


@dataclass
class ToolSpec:
    """A tool the model may call; `parameters` is a JSON schema of its arguments."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object"})


@dataclass
class ChatRequest:
    model_id: str
    messages: list[Message]
    sampling: Sampling = field(default_factory=Sampling)
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: ToolChoice = ToolChoice.AUTO
    #: Force a call to this tool.
    tool_name: str = ""
    #: Replace the system prompt (with `{{function_definitions}}`) instead of appending.
    replace_system_message: bool = False
    response_format: ResponseFormat | None = None
    #: Top-k log probabilities per token; 0 = none.
    logprobs: int = 0

    @property
    def forced_tools(self) -> list[ToolSpec]:
        """The tools one of which must be called (empty when the model may answer freely)."""
        if self.tool_name:
            return [t for t in self.tools if t.name == self.tool_name]
        if self.tool_choice is ToolChoice.REQUIRED:
            return list(self.tools)
        return []

    @property
    def offered_tools(self) -> list[ToolSpec]:
        """The tools shown to the model."""
        if self.tool_name:
            return self.forced_tools
        return [] if self.tool_choice is ToolChoice.NONE else list(self.tools)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def metrics(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass
class ChatResponse:
    message: Message
    usage: Usage
    logprobs: list[dict[str, float]] | None = None


@dataclass
class TextDelta:
    text: str
    logprobs: list[dict[str, float]] | None = None


@dataclass
class ToolCallDelta:
    status: ParseStatus
    text: str = ""
    parsed: ToolCall | None = None


@dataclass
class StreamEnd:
    """The last item a provider's stream yields."""

    stop_reason: StopReason
    usage: Usage
    logprobs: list[dict[str, float]] | None = None


#: What a provider's chat stream yields: deltas, then one StreamEnd.
ChatStreamItem = TextDelta | ToolCallDelta | StreamEnd


@dataclass
class ChatEvent:
    """One event of a streamed chat completion, as the service emits it."""

    event_type: EventType
    delta: TextDelta | ToolCallDelta | None = None
    stop_reason: StopReason | None = None
    usage: Usage | None = None


@dataclass
class CompletionRequest:
    model_id: str
    content: list[Part]
    sampling: Sampling = field(default_factory=Sampling)
    response_format: ResponseFormat | None = None
    logprobs: int = 0


@dataclass
class CompletionResponse:
    content: str
    stop_reason: StopReason
    usage: Usage
    logprobs: list[dict[str, float]] | None = None


@dataclass
class EmbeddingsRequest:
    model_id: str
    contents: list[Part]
    truncation: Truncation = Truncation.NONE
    output_dimension: int | None = None
    #: "query", "document" or "" (models that do not distinguish ignore it).
    task_type: str = ""


@dataclass
class EmbeddingsResponse:
    embeddings: list[list[float]]
    usage: Usage
