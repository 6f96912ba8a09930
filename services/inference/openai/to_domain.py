"""OpenAI requests (plain JSON) as inference domain requests, for providers that do not speak
the OpenAI API themselves (inline llama.cpp, sentence-transformers).

Mistakes are INVALID_ARGUMENT naming OpenAI's field (`messages[2].tool_call_id`, `top_p`).
Features such a provider cannot honour are refused with a 400 that says so, never ignored;
fields that change nothing here (`user`, `store`, `metadata`, `service_tier`...) are accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.common.errors import InvalidArgument
from services.inference.types import (
    ChatRequest,
    CompletionRequest,
    EmbeddingsRequest,
    Image,
    Message,
    Part,
    ResponseFormat,
    Role,
    Sampling,
    ToolCall,
    ToolChoice,
    ToolSpec,
)
from services.inference.validation import MAX_LOGPROBS, MAX_STOP_SEQUENCES

__all__ = [
    "ChatOptions",
    "CompletionOptions",
    "chat_request",
    "completion_requests",
    "embeddings_request",
]

_ROLES = {
    "system": Role.SYSTEM,
    "developer": Role.SYSTEM,
    "user": Role.USER,
    "assistant": Role.ASSISTANT,
    "tool": Role.TOOL,
}
#: Request fields a provider without the OpenAI API cannot honour, and why.
_UNSUPPORTED = {
    "logit_bias": "logit_bias is not supported by this model's provider",
    "audio": "audio output is not supported by this model's provider",
    "web_search_options": "web search is not supported by this model's provider",
    "suffix": "suffix (insertion) is not supported by this model's provider",
}


@dataclass
class ChatOptions:
    """What the OpenAI answer needs beyond the domain response."""

    #: `logprobs: true`, and how many alternatives per token (`top_logprobs`).
    logprobs: bool = False
    top_logprobs: int = 0
    include_usage: bool = False


@dataclass
class CompletionOptions:
    prompts: list[str]
    #: Top log probabilities per token (None: not requested).
    logprobs: int | None = None
    echo: bool = False
    include_usage: bool = False


def _bad(message: str, field: str) -> InvalidArgument:
    return InvalidArgument(message, field=field)


def _refuse_unsupported(body: dict[str, Any]) -> None:
    for key, why in _UNSUPPORTED.items():
        if body.get(key):
            raise _bad(f"{why}; remove `{key}`", key)
    modalities = body.get("modalities") or ["text"]
    if modalities != ["text"]:
        raise _bad(
            f"modalities {modalities} are not supported; this model answers text only",
            "modalities",
        )


def _one_choice(body: dict[str, Any], key: str = "n") -> None:
    n = body.get(key, 1)
    if n < 1:
        raise _bad(f"{key} must be at least 1 (got {n})", key)
    if n != 1:
        raise _bad(
            f"{key} is {n}; this model's provider returns one choice per request: send n=1 "
            "(or several requests)",
            key,
        )


# -- chat -----------------------------------------------------------------------------------


def chat_request(body: dict[str, Any]) -> tuple[ChatRequest, ChatOptions]:
    _refuse_unsupported(body)
    _one_choice(body)
    messages = [_message(i, m) for i, m in enumerate(body.get("messages") or [])]
    tools = [_tool(i, t) for i, t in enumerate(body.get("tools") or [])]
    choice, name = _tool_choice(body.get("tool_choice"), tools)
    fmt = _response_format(body.get("response_format"))
    if fmt is not None and (choice is ToolChoice.REQUIRED or name):
        raise _bad(
            "response_format cannot be combined with a forced tool call (tool_choice "
            "`required` or a named function): the answer is the tool call",
            "response_format",
        )
    logprobs, top = _chat_logprobs(body)
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    key = "max_completion_tokens" if "max_completion_tokens" in body else "max_tokens"
    request = ChatRequest(
        model_id=body.get("model", ""),
        messages=messages,
        sampling=_sampling(body, max_tokens, key),
        tools=tools,
        tool_choice=choice,
        tool_name=name,
        response_format=fmt,
        logprobs=max(top, 1) if logprobs else 0,
    )
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return request, ChatOptions(logprobs, top, include_usage)


def _message(i: int, m: dict[str, Any]) -> Message:
    where = f"messages[{i}]"
    role = _ROLES.get(m.get("role", ""))
    if role is None:
        raise _bad(
            f"{where}.role must be one of {', '.join(_ROLES)} (got {m.get('role')!r})",
            f"{where}.role",
        )
    message = Message(role, _content(m.get("content"), f"{where}.content"))
    if m.get("tool_calls"):
        if role is not Role.ASSISTANT:
            raise _bad(f"{where}: only assistant messages carry tool_calls", f"{where}.tool_calls")
        message.tool_calls = [
            _call(c, f"{where}.tool_calls[{j}]") for j, c in enumerate(m["tool_calls"])
        ]
    if role is Role.TOOL:
        if not m.get("tool_call_id"):
            raise _bad(
                f"{where}: a tool message needs tool_call_id (the id of the call it answers)",
                f"{where}.tool_call_id",
            )
        message.call_id = m["tool_call_id"]
    return message


def _content(value: Any, where: str) -> list[Part]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise _bad(f"{where} must be a string or an array of content parts", where)
    parts: list[Part] = []
    for j, part in enumerate(value):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("text", "refusal"):
            parts.append(str(part.get(kind) or ""))
        elif kind == "image_url":
            parts.append(Image(url=str((part.get("image_url") or {}).get("url") or "")))
        else:
            raise _bad(
                f"{where}[{j}]: content parts of type {kind!r} are not supported by this "
                "model's provider (text and image_url are)",
                f"{where}[{j}].type",
            )
    return parts


def _call(c: dict[str, Any], where: str) -> ToolCall:
    fn = c.get("function") or {}
    if not fn.get("name"):
        raise _bad(f"{where}.function.name is required", f"{where}.function.name")
    text = fn.get("arguments") or "{}"
    try:
        args = json.loads(text)
    except ValueError:
        args = None
    if not isinstance(args, dict):
        raise _bad(
            f"{where}.function.arguments must be a JSON object in a string (got {text[:80]!r})",
            f"{where}.function.arguments",
        )
    return ToolCall(c.get("id", ""), fn["name"], args, text)


def _tool(i: int, t: dict[str, Any]) -> ToolSpec:
    where = f"tools[{i}]"
    if t.get("type", "function") != "function":
        raise _bad(
            f"{where}: tools of type {t.get('type')!r} are not supported by this model's "
            "provider (function tools are)",
            f"{where}.type",
        )
    fn = t.get("function") or {}
    if not fn.get("name"):
        raise _bad(f"{where}.function.name is required", f"{where}.function.name")
    parameters = fn.get("parameters") or {"type": "object", "properties": {}}
    return ToolSpec(fn["name"], fn.get("description", ""), parameters)


def _tool_choice(value: Any, tools: list[ToolSpec]) -> tuple[ToolChoice, str]:
    if value is None:
        return (ToolChoice.AUTO if tools else ToolChoice.NONE), ""
    if isinstance(value, dict):
        name = (value.get("function") or {}).get("name", "")
        if value.get("type") != "function" or not name:
            raise _bad(
                'tool_choice must be "none", "auto", "required" or {"type": "function", '
                '"function": {"name": ...}}',
                "tool_choice",
            )
        if name not in {t.name for t in tools}:
            raise _bad(
                f"tool_choice names function {name!r}, which is not in tools "
                f"({sorted(t.name for t in tools) or 'none given'})",
                "tool_choice",
            )
        return ToolChoice.AUTO, name
    choices = {"none": ToolChoice.NONE, "auto": ToolChoice.AUTO, "required": ToolChoice.REQUIRED}
    if value not in choices:
        raise _bad(
            f'tool_choice must be "none", "auto", "required" or a named function (got {value!r})',
            "tool_choice",
        )
    if value == "required" and not tools:
        raise _bad('tool_choice is "required" but the request has no tools', "tool_choice")
    return choices[value], ""


def _response_format(value: dict[str, Any] | None) -> ResponseFormat | None:
    kind = (value or {}).get("type", "text") or "text"
    if kind == "text":
        return None
    if kind == "json_object":
        return ResponseFormat(json_schema={"type": "object"})
    if kind == "json_schema":
        schema = ((value or {}).get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise _bad(
                "response_format.json_schema.schema is required (the JSON schema of the answer)",
                "response_format.json_schema.schema",
            )
        return ResponseFormat(json_schema=schema)
    raise _bad(
        f'response_format.type must be "text", "json_object" or "json_schema" (got {kind!r})',
        "response_format.type",
    )


def _chat_logprobs(body: dict[str, Any]) -> tuple[bool, int]:
    logprobs = bool(body.get("logprobs"))
    top = body.get("top_logprobs", 0)
    if not 0 <= top <= MAX_LOGPROBS:
        raise _bad(f"top_logprobs must be between 0 and {MAX_LOGPROBS} (got {top})", "top_logprobs")
    if top and not logprobs:
        raise _bad("top_logprobs needs logprobs: true", "top_logprobs")
    return logprobs, top


# -- sampling -------------------------------------------------------------------------------


def _number(body: dict[str, Any], key: str, low: float, high: float, default: float) -> float:
    value = body.get(key, default)
    if not low <= value <= high:
        raise _bad(f"{key} must be between {low:g} and {high:g} (got {value})", key)
    return float(value)


def _sampling(body: dict[str, Any], max_tokens: int | None, max_key: str) -> Sampling:
    """OpenAI's defaults: temperature 1 and top_p 1 (temperature 0 is greedy decoding)."""
    temperature = _number(body, "temperature", 0, 2, 1.0)
    top_p = _number(body, "top_p", 0, 1, 1.0)
    s = Sampling(
        frequency_penalty=_number(body, "frequency_penalty", -2, 2, 0.0),
        presence_penalty=_number(body, "presence_penalty", -2, 2, 0.0),
        min_p=_number(body, "min_p", 0, 1, 0.0),
        seed=body.get("seed"),
        stop=_stop(body.get("stop")),
    )
    if temperature > 0 and top_p > 0:
        s.strategy, s.temperature, s.top_p = "top_p", temperature, top_p
        s.top_k = max(body.get("top_k", 0), 0)
    if max_tokens is not None:
        if max_tokens < 1:
            raise _bad(f"{max_key} must be at least 1 (got {max_tokens})", max_key)
        s.max_tokens = max_tokens
    if "repetition_penalty" in body:
        s.repetition_penalty = body["repetition_penalty"]
        if not s.repetition_penalty > 0:
            raise _bad(
                f"repetition_penalty must be > 0 (got {s.repetition_penalty}; 1 = none)",
                "repetition_penalty",
            )
    return s


def _stop(value: Any) -> list[str]:
    stops = [value] if isinstance(value, str) else list(value or [])
    if len(stops) > MAX_STOP_SEQUENCES or not all(isinstance(x, str) and x for x in stops):
        raise _bad(f"stop must be a non-empty string or up to {MAX_STOP_SEQUENCES} of them", "stop")
    return stops


# -- completions, embeddings ----------------------------------------------------------------


def completion_requests(body: dict[str, Any]) -> tuple[list[CompletionRequest], CompletionOptions]:
    """One domain request per prompt (a prompt array gives one choice each)."""
    _refuse_unsupported(body)
    _one_choice(body)
    _one_choice(body, "best_of")
    prompts = _texts(body.get("prompt"), "prompt")
    logprobs = body.get("logprobs")
    if logprobs is not None and not 0 <= logprobs <= MAX_LOGPROBS:
        raise _bad(f"logprobs must be between 0 and {MAX_LOGPROBS} (got {logprobs})", "logprobs")
    sampling = _sampling(body, body.get("max_tokens"), "max_tokens")
    requests = [
        CompletionRequest(
            model_id=body.get("model", ""),
            content=[p],
            sampling=sampling,
            logprobs=max(logprobs, 1) if logprobs is not None else 0,
        )
        for p in prompts
    ]
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return requests, CompletionOptions(prompts, logprobs, bool(body.get("echo")), include_usage)


def embeddings_request(body: dict[str, Any]) -> tuple[EmbeddingsRequest, str]:
    """The domain request and the encoding (`float` or `base64`)."""
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise _bad(
            f'encoding_format must be "float" or "base64" (got {encoding!r})', "encoding_format"
        )
    dimensions = body.get("dimensions")
    if dimensions is not None and dimensions < 1:
        raise _bad(f"dimensions must be at least 1 (got {dimensions})", "dimensions")
    request = EmbeddingsRequest(
        model_id=body.get("model", ""),
        contents=list(_texts(body.get("input"), "input")),
        output_dimension=dimensions,
    )
    return request, encoding


def _texts(value: Any, key: str) -> list[str]:
    """A string or an array of strings (token-id arrays need the model's tokenizer)."""
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not texts:
        raise _bad(f"{key} must be a string or a non-empty array of strings", key)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise _bad(
                f"{key}[{i}] is not a string; token-id arrays are not supported by this "
                "model's provider, send text",
                f"{key}[{i}]",
            )
    return texts
