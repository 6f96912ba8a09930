"""Request checks every provider relies on (INVALID_ARGUMENT with a message saying what to fix).

Required fields are enforced earlier, from the contract, by the server interceptor.
"""

from __future__ import annotations

import math
from typing import Any

from services.common.errors import InvalidArgument
from services.inference.types import (
    ChatRequest,
    CompletionRequest,
    EmbeddingsRequest,
    Message,
    ResponseFormat,
    Role,
    Sampling,
    ToolChoice,
)

__all__ = [
    "MAX_LOGPROBS",
    "MAX_STOP_SEQUENCES",
    "MAX_TOKENS_LIMIT",
    "check_chat",
    "check_completion",
    "check_embeddings",
    "check_json_schema",
    "check_sampling",
]

MAX_STOP_SEQUENCES = 4
MAX_LOGPROBS = 20
#: No model generates more in one request; larger values are mistakes. Values above the
#: model's context window are refused by the provider, which knows the window.
MAX_TOKENS_LIMIT = 1_048_576
_JSON_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}
#: Fields each role may carry besides `content`.
_ALLOWED = {
    Role.SYSTEM: set(),
    Role.USER: {"context"},
    Role.ASSISTANT: {"stop_reason", "tool_calls"},
    Role.TOOL: {"call_id"},
}


def check_chat(request: ChatRequest) -> None:
    if not request.messages:
        raise InvalidArgument("messages must not be empty", field="messages")
    for i, message in enumerate(request.messages):
        _check_message(i, message)
    check_sampling(request.sampling)
    _check_logprobs(request.logprobs)
    _check_response_format(request.response_format)
    _check_tools(request)


def check_completion(request: CompletionRequest) -> None:
    check_sampling(request.sampling)
    _check_logprobs(request.logprobs)
    _check_response_format(request.response_format)


def check_embeddings(request: EmbeddingsRequest) -> None:
    if not request.contents:
        raise InvalidArgument("contents must not be empty", field="contents")
    if request.output_dimension is not None and request.output_dimension < 1:
        raise InvalidArgument(
            f"output_dimension must be >= 1 (got {request.output_dimension})",
            field="output_dimension",
        )


def _check_message(i: int, m: Message) -> None:
    where = f"messages[{i}]"
    present = {
        "context": bool(m.context),
        "stop_reason": m.stop_reason is not None,
        "tool_calls": bool(m.tool_calls),
        "call_id": bool(m.call_id),
    }
    for name, is_set in present.items():
        if is_set and name not in _ALLOWED[m.role]:
            allowed = ", ".join(sorted({"content", *_ALLOWED[m.role]}))
            raise InvalidArgument(
                f"{where}: {m.role.value} messages cannot carry {name} "
                f"(allowed for this role: {allowed})",
                field=f"{where}.{name}",
            )
    if m.role in (Role.USER, Role.SYSTEM) and not any(
        not isinstance(p, str) or p for p in m.content
    ):
        raise InvalidArgument(
            f"{where}: a {m.role.value} message needs content (text or an image); it is empty",
            field=f"{where}.content",
        )
    if m.role is Role.TOOL and not m.call_id:
        raise InvalidArgument(
            f"{where}: a tool message needs call_id (the call_id of the tool call it answers)",
            field=f"{where}.call_id",
        )
    for j, call in enumerate(m.tool_calls):
        if not call.tool_name:
            raise InvalidArgument(
                f"{where}.tool_calls[{j}]: tool_name is required",
                field=f"{where}.tool_calls[{j}].tool_name",
            )


def check_sampling(s: Sampling) -> None:
    if s.max_tokens < 0:
        raise InvalidArgument(
            f"sampling_params.max_tokens must be >= 0 (0 = the provider's default); "
            f"got {s.max_tokens}",
            field="sampling_params.max_tokens",
        )
    if s.max_tokens > MAX_TOKENS_LIMIT:
        raise InvalidArgument(
            f"sampling_params.max_tokens is {s.max_tokens}; at most {MAX_TOKENS_LIMIT} "
            "(and no more than the model's context window)",
            field="sampling_params.max_tokens",
        )
    if s.strategy == "top_p":
        if not s.temperature > 0 or not math.isfinite(s.temperature):
            raise InvalidArgument(
                f"sampling_params.top_p.temperature must be > 0 (got {s.temperature}); "
                "use the greedy strategy for deterministic output",
                field="sampling_params.top_p.temperature",
            )
        if not 0 < s.top_p <= 1:
            raise InvalidArgument(
                f"sampling_params.top_p.top_p must be in (0, 1] (got {s.top_p})",
                field="sampling_params.top_p.top_p",
            )
    if s.strategy == "top_k" and s.top_k < 1:
        raise InvalidArgument(
            f"sampling_params.top_k.top_k must be >= 1 (got {s.top_k})",
            field="sampling_params.top_k.top_k",
        )
    if not s.repetition_penalty > 0 or not math.isfinite(s.repetition_penalty):
        raise InvalidArgument(
            f"sampling_params.repetition_penalty must be > 0 (got {s.repetition_penalty}; "
            "1.0 means no penalty)",
            field="sampling_params.repetition_penalty",
        )
    if len(s.stop) > MAX_STOP_SEQUENCES:
        raise InvalidArgument(
            f"sampling_params.stop has {len(s.stop)} sequences; at most "
            f"{MAX_STOP_SEQUENCES} are allowed",
            field="sampling_params.stop",
        )
    if any(not x for x in s.stop):
        raise InvalidArgument(
            "sampling_params.stop contains an empty string", field="sampling_params.stop"
        )


def _check_logprobs(top_k: int) -> None:
    if not 0 <= top_k <= MAX_LOGPROBS:
        raise InvalidArgument(
            f"logprobs.top_k must be between 1 and {MAX_LOGPROBS} (got {top_k})",
            field="logprobs.top_k",
        )


def _check_response_format(fmt: ResponseFormat | None) -> None:
    if fmt is None:
        return
    if fmt.json_schema is not None:
        check_json_schema(fmt.json_schema, "response_format.json_schema")
    if fmt.grammar is not None and not fmt.grammar.strip():
        raise InvalidArgument(
            "response_format.grammar.bnf is empty; give a GBNF grammar with a `root` rule",
            field="response_format.grammar.bnf",
        )


def _check_tools(request: ChatRequest) -> None:
    seen: set[str] = set()
    for i, tool in enumerate(request.tools):
        if not tool.name:
            raise InvalidArgument(
                f"tools[{i}].tool_name is required", field=f"tools[{i}].tool_name"
            )
        if tool.name in seen:
            raise InvalidArgument(
                f"tools[{i}]: tool {tool.name!r} is defined twice",
                field=f"tools[{i}].tool_name",
            )
        seen.add(tool.name)
        check_json_schema(tool.parameters, f"tools[{i}].input_schema")
    if request.tool_name and request.tool_name not in seen:
        raise InvalidArgument(
            f"tool_config.tool_name {request.tool_name!r} is not one of the request's tools "
            f"({sorted(seen) or 'none given'})",
            field="tool_config.tool_name",
        )
    if request.tool_choice is ToolChoice.REQUIRED and not request.tools:
        raise InvalidArgument(
            "tool_config.tool_choice is REQUIRED but the request has no tools",
            field="tool_config.tool_choice",
        )
    if request.forced_tools and request.response_format is not None:
        raise InvalidArgument(
            "response_format cannot be combined with a forced tool call (tool_choice "
            "REQUIRED or tool_name): the output is the tool call",
            field="response_format",
        )


def check_json_schema(schema: Any, where: str) -> None:
    """A structural check of a JSON schema (types, properties, required, items, unions)."""
    _walk_schema(schema, where, where)


def _walk_schema(node: Any, path: str, field: str) -> None:
    if isinstance(node, bool):
        return
    if not isinstance(node, dict):
        raise InvalidArgument(f"{path} must be a JSON schema object", field=field)

    def bad(what: str) -> InvalidArgument:
        return InvalidArgument(f"invalid JSON schema at {path}: {what}", field=field)

    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for k in kinds:
        if k not in _JSON_TYPES:
            raise bad(f"type {k!r} is not a JSON type ({', '.join(sorted(_JSON_TYPES))})")
    props = node.get("properties", {})
    if not isinstance(props, dict):
        raise bad("properties must be an object")
    for name, sub in props.items():
        _walk_schema(sub, f"{path}.properties.{name}", field)
    required = node.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise bad("required must be a list of property names")
    for key in ("items", "additionalProperties"):
        if key in node:
            _walk_schema(node[key], f"{path}.{key}", field)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            if not isinstance(node[key], list) or not node[key]:
                raise bad(f"{key} must be a non-empty list of schemas")
            for j, sub in enumerate(node[key]):
                _walk_schema(sub, f"{path}.{key}[{j}]", field)
    if "enum" in node and (not isinstance(node["enum"], list) or not node["enum"]):
        raise bad("enum must be a non-empty list")
    for key in ("$defs", "definitions"):
        defs = node.get(key, {})
        if not isinstance(defs, dict):
            raise bad(f"{key} must be an object")
        for name, sub in defs.items():
            _walk_schema(sub, f"{path}.{key}.{name}", field)
