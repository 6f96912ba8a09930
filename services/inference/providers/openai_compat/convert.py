"""Requests to and responses from the OpenAI HTTP API, as plain JSON (pure functions).

Liberal in what we send: text-only content goes out as a string (several servers, llama.cpp's
among them, reject content-part lists), assistant content is never null, a required call to
a single tool is sent as a named tool choice, and `tool_choice: none` drops the tools.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from services.inference.tools import new_call_id
from services.inference.types import (
    ChatRequest,
    Image,
    Message,
    Part,
    ResponseFormat,
    Role,
    Sampling,
    StopReason,
    ToolCall,
    ToolChoice,
    Usage,
)

__all__ = [
    "chat_body",
    "completion_body",
    "json_object_form",
    "logprobs_of",
    "message_json",
    "parse_call",
    "response_format_fields",
    "sampling_fields",
    "stop_reason_of",
    "usage_of",
]


def message_json(m: Message) -> dict[str, Any]:
    parts = [*m.content, *m.context] if m.role is Role.USER else list(m.content)
    out: dict[str, Any] = {"role": m.role.value, "content": _content(parts)}
    if m.role is Role.ASSISTANT and m.tool_calls:
        out["tool_calls"] = [
            {
                "id": c.call_id or new_call_id(),
                "type": "function",
                "function": {
                    "name": c.tool_name,
                    "arguments": c.arguments_json or json.dumps(c.arguments),
                },
            }
            for c in m.tool_calls
        ]
    if m.role is Role.TOOL:
        out["tool_call_id"] = m.call_id
    return out


def _content(parts: list[Part]) -> str | list[dict[str, Any]]:
    if all(isinstance(p, str) for p in parts):
        return "".join(p for p in parts if isinstance(p, str))
    out: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, str):
            out.append({"type": "text", "text": p})
        else:
            out.append({"type": "image_url", "image_url": {"url": _image_url(p)}})
    return out


def _image_url(image: Image) -> str:
    if image.url:
        return image.url
    data = image.data
    mime = (
        "image/png"
        if data.startswith(b"\x89PNG")
        else "image/jpeg"
        if data.startswith(b"\xff\xd8")
        else "image/gif"
        if data.startswith(b"GIF8")
        else "image/webp"
        if data[8:12] == b"WEBP"
        else "image/png"
    )
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def sampling_fields(
    s: Sampling, vllm: bool, default_max_tokens: int | None, logprobs_chat: int | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if s.strategy == "top_p":
        body["temperature"], body["top_p"] = s.temperature, s.top_p
    elif s.strategy == "top_k":
        body["temperature"], body["top_k"] = 1.0, s.top_k
    else:
        body["temperature"] = 0.0
    max_tokens = s.max_tokens or default_max_tokens
    if max_tokens:
        body["max_tokens"] = max_tokens
    if s.repetition_penalty != 1.0:
        body["repetition_penalty"] = s.repetition_penalty
        if not vllm:
            body["repeat_penalty"] = s.repetition_penalty  # llama.cpp's name
    if s.stop:
        body["stop"] = list(s.stop)
    return body


def response_format_fields(
    fmt: ResponseFormat | None, vllm: bool, mode: str, chat: bool
) -> dict[str, Any]:
    if fmt is None:
        return {}
    if fmt.grammar is not None:
        return {"guided_grammar": fmt.grammar} if vllm else {"grammar": fmt.grammar}
    if fmt.json_schema is None:
        return {}
    schema = fmt.json_schema
    if not chat:
        return {"guided_json": schema} if vllm else {"response_format": _json_object(schema)}
    if mode == "json_object":
        return {"response_format": _json_object(schema)}
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "response", "schema": schema},
        }
    }


def _json_object(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_object", "schema": schema}


def json_object_form(body: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI request whose `json_schema` response format is rewritten to llama.cpp's
    `{"type": "json_object", "schema": ...}` (other requests unchanged)."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") != "json_schema":
        return body
    schema = (fmt.get("json_schema") or {}).get("schema") or {"type": "object"}
    return {**body, "response_format": _json_object(schema)}


def chat_body(
    model: str,
    request: ChatRequest,
    *,
    vllm: bool,
    default_max_tokens: int | None,
    json_mode: str,
    stream: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "messages": [message_json(m) for m in request.messages],
        **sampling_fields(request.sampling, vllm, default_max_tokens),
        **response_format_fields(request.response_format, vllm, json_mode, chat=True),
    }
    if request.tools and request.tool_choice is not ToolChoice.NONE:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
        forced = request.forced_tools
        if len(forced) == 1:
            body["tool_choice"] = {"type": "function", "function": {"name": forced[0].name}}
        elif forced:
            body["tool_choice"] = "required"
    if request.logprobs:
        body["logprobs"], body["top_logprobs"] = True, request.logprobs
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def completion_body(
    model: str,
    prompt: str,
    sampling: Sampling,
    fmt: ResponseFormat | None,
    logprobs: int,
    *,
    vllm: bool,
    default_max_tokens: int | None,
    stream: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "prompt": prompt,
        **sampling_fields(sampling, vllm, default_max_tokens),
        **response_format_fields(fmt, vllm, "json_object", chat=False),
    }
    if logprobs:
        body["logprobs"] = logprobs
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def parse_call(call_id: str, name: str, arguments: str | dict[str, Any] | None) -> ToolCall | None:
    """A tool call from the server (arguments are JSON text); None if they do not parse."""
    if isinstance(arguments, dict):
        args: Any = arguments
    else:
        try:
            args = json.loads(arguments) if arguments and arguments.strip() else {}
        except ValueError:
            return None
    if not isinstance(args, dict) or not name:
        return None
    return ToolCall(call_id or new_call_id(), name, args, json.dumps(args, ensure_ascii=False))


def stop_reason_of(finish_reason: str | None, has_calls: bool) -> StopReason:
    if has_calls or finish_reason in ("tool_calls", "function_call"):
        return StopReason.END_OF_MESSAGE
    if finish_reason == "length":
        return StopReason.OUT_OF_TOKENS
    return StopReason.END_OF_TURN


def usage_of(data: dict[str, Any] | None) -> Usage | None:
    if not data:
        return None
    return Usage(int(data.get("prompt_tokens") or 0), int(data.get("completion_tokens") or 0))


def logprobs_of(choice: dict[str, Any]) -> list[dict[str, float]]:
    """Per-token top log probabilities (chat `logprobs.content` or completion `top_logprobs`)."""
    lp = choice.get("logprobs") or {}
    if lp.get("content"):
        return [
            {t["token"]: float(t["logprob"]) for t in (item.get("top_logprobs") or [item])}
            for item in lp["content"]
        ]
    if lp.get("top_logprobs"):
        return [{k: float(v) for k, v in (d or {}).items()} for d in lp["top_logprobs"]]
    return []
