"""Tool calling for models without a native tool API (inline llama.cpp).

The tools go into the system prompt as JSON; the model answers a call as one JSON object
`{"name": ..., "arguments": {...}}`. When a call is forced (tool_choice REQUIRED or a
tool_name) the output is constrained by a JSON schema over exactly that shape (turned into
a grammar by the provider), so even a tiny model returns a well-formed call. In AUTO mode the
output is free; `ToolCallDetector` decides from its first characters whether it is a call.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from services.inference.types import (
    Message,
    ParseStatus,
    Role,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
)

__all__ = [
    "FUNCTION_DEFINITIONS",
    "ToolCallDetector",
    "call_schema",
    "new_call_id",
    "parse_tool_calls",
    "render_call",
    "tool_prompt",
    "with_tool_prompt",
]

#: Marks where a replaced system message wants the tool definitions.
FUNCTION_DEFINITIONS = "{{function_definitions}}"
_TRIGGERS = ('{"name"', "<tool_call>", "```json", '[{"name"', "{'name'")
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")
_TAGS = re.compile(r"</?tool_call>")


def new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


def tool_prompt(tools: list[ToolSpec], forced: bool) -> str:
    """The instructions and definitions shown to the model."""
    defs = "\n".join(
        json.dumps(
            {"name": t.name, "description": t.description, "parameters": t.parameters},
            ensure_ascii=False,
        )
        for t in tools
    )
    how = (
        'Call one of them now: reply with only a JSON object {"name": <function name>, '
        '"arguments": {<argument name>: <value>}}.'
        if forced
        else 'To call a function, reply with only a JSON object {"name": <function name>, '
        '"arguments": {<argument name>: <value>}}. Otherwise answer normally.'
    )
    return f"You have access to the following functions:\n{defs}\n{how}"


def with_tool_prompt(
    messages: list[Message], tools: list[ToolSpec], forced: bool, replace: bool
) -> list[Message]:
    """The conversation with the tool instructions in its system message."""
    if not tools:
        return messages
    prompt = tool_prompt(tools, forced)
    if messages and messages[0].role is Role.SYSTEM:
        first, rest = messages[0], messages[1:]
        text = first.text
        if replace:
            text = (
                text.replace(FUNCTION_DEFINITIONS, prompt)
                if FUNCTION_DEFINITIONS in text
                else f"{text}\n\n{prompt}"
            )
        else:
            text = f"{text}\n\n{prompt}" if text else prompt
        return [Message(Role.SYSTEM, [text]), *rest]
    return [Message(Role.SYSTEM, [prompt]), *messages]


def render_call(call: ToolCall) -> str:
    """A past tool call as the model would have written it (for the prompt history)."""
    return json.dumps({"name": call.tool_name, "arguments": call.arguments}, ensure_ascii=False)


def call_schema(tools: list[ToolSpec]) -> dict[str, Any]:
    """JSON schema of a call to one of `tools` (constrained decoding)."""
    options = [
        {
            "type": "object",
            "properties": {
                "name": {"const": t.name},
                "arguments": _closed(t.parameters),
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for t in tools
    ]
    return options[0] if len(options) == 1 else {"anyOf": options}


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema without extra properties (a tiny model invents arguments otherwise)."""
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        schema = {**schema, "additionalProperties": False}
        if not schema.get("properties"):
            schema["properties"] = {}
    return schema


def parse_tool_calls(text: str, tools: list[ToolSpec]) -> list[ToolCall] | None:
    """The calls in a model's answer, or None if it is not (only) calls to known tools."""
    body = _TAGS.sub("", _FENCE.sub("", text.strip())).strip()
    if not body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        data = _json_objects(body)
        if data is None:
            return None
    items = data if isinstance(data, list) else [data]
    known = {t.name for t in tools}
    calls = []
    for item in items:
        call = _as_call(item, known)
        if call is None:
            return None
        calls.append(call)
    return calls or None


def _json_objects(body: str) -> list[Any] | None:
    """Several JSON objects one after another (one per line, or within tags)."""
    decoder = json.JSONDecoder()
    out, i = [], 0
    while i < len(body):
        if body[i].isspace() or body[i] == ",":
            i += 1
            continue
        try:
            obj, i = decoder.raw_decode(body, i)
        except ValueError:
            return None
        out.append(obj)
    return out or None


def _as_call(item: Any, known: set[str]) -> ToolCall | None:
    if not isinstance(item, dict):
        return None
    fn = item.get("function") if isinstance(item.get("function"), dict) else item
    name = fn.get("name") or fn.get("tool_name")
    args = fn.get("arguments", fn.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except ValueError:
            return None
    if name not in known or not isinstance(args, dict):
        return None
    return ToolCall(
        call_id=new_call_id(),
        tool_name=name,
        arguments=args,
        arguments_json=json.dumps(args, ensure_ascii=False),
    )


class ToolCallDetector:
    """Splits a streamed answer into text deltas or tool-call deltas.

    With `forced`, everything is a tool call. Otherwise the first characters decide: an
    answer starting like a JSON call (or `<tool_call>`) is streamed as tool-call text and
    parsed at the end; anything else passes through as text.
    """

    def __init__(self, tools: list[ToolSpec], forced: bool) -> None:
        self.tools = tools
        self._mode = "tool" if forced else ("undecided" if tools else "text")
        self._buffer = ""
        self._held_logprobs: list[dict[str, float]] = []
        self._started = False
        #: Log probabilities of the tokens that made up a tool call (no text delta has them).
        self.call_logprobs: list[dict[str, float]] = []

    def feed(self, delta: TextDelta) -> list[TextDelta | ToolCallDelta]:
        if self._mode == "text":
            return [delta]
        self._buffer += delta.text
        if self._mode == "undecided":
            self._held_logprobs += delta.logprobs or []
            head = self._buffer.lstrip()
            if any(head.startswith(t) for t in _TRIGGERS):
                self._mode = "tool"
                self.call_logprobs, self._held_logprobs = self._held_logprobs, []
                return self._tool_text(self._buffer)
            if not any(t.startswith(head) for t in _TRIGGERS):
                self._mode = "text"
                return [self._release()]
            return []
        self.call_logprobs += delta.logprobs or []
        return self._tool_text(delta.text if self._started else self._buffer)

    def _tool_text(self, text: str) -> list[TextDelta | ToolCallDelta]:
        out: list[TextDelta | ToolCallDelta] = []
        if not self._started:
            self._started = True
            out.append(ToolCallDelta(ParseStatus.STARTED))
        if text:
            out.append(ToolCallDelta(ParseStatus.IN_PROGRESS, text=text))
        return out

    def finish(self) -> tuple[list[TextDelta | ToolCallDelta], list[ToolCall]]:
        """The last deltas and the parsed calls (empty unless the answer was a call)."""
        if self._mode == "undecided":
            self._mode = "text"
            return ([self._release()] if self._buffer else []), []
        if self._mode == "text":
            return [], []
        out = self._tool_text("") if not self._started else []
        calls = parse_tool_calls(self._buffer, self.tools)
        if not calls:
            return [*out, ToolCallDelta(ParseStatus.FAILED, text=self._buffer)], []
        out += [ToolCallDelta(ParseStatus.SUCCEEDED, parsed=c) for c in calls]
        return out, calls

    def _release(self) -> TextDelta:
        """The held-back text (and its log probabilities) as one text delta."""
        out = TextDelta(self._buffer, self._held_logprobs or None)
        self._buffer, self._held_logprobs = "", []
        return out
