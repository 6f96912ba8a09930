"""`wire.request_json`: an OpenAI request's JSON from its bytes, in the caller's order."""

from __future__ import annotations

import json

from google.protobuf import json_format

from llamastack.openai.v1 import openai_service_pb2 as pb
from services.inference.openai import wire

CHAT = pb.CreateChatCompletionRequest


def _bytes(*parts: dict) -> bytes:
    """Serialized request parts, concatenated: protobuf merges them in that order, so map
    entries (Struct keys) are on the wire in the order of the parts, as Envoy writes a JSON
    object's keys."""
    return b"".join(json_format.ParseDict(p, CHAT()).SerializeToString() for p in parts)


def _schema_part(key: str, value: object) -> dict:
    return {"response_format": {"type": "json_schema",
                                "json_schema": {"name": "r", "schema": {key: value}}}}  # fmt: skip


def test_struct_keys_keep_the_wire_order():
    keys = ["type", "properties", "required", "additionalProperties", "$defs", "title"]
    for order in (keys, list(reversed(keys))):
        data = _bytes({"model": "m", "messages": [{"role": "user", "content": "x"}]},
                      *(_schema_part(k, i) for i, k in enumerate(order)))  # fmt: skip
        schema = wire.request_json(data, CHAT.DESCRIPTOR)["response_format"]["json_schema"]
        assert list(schema["schema"]) == order


def test_top_level_keys_in_the_openai_sdk_order():
    body = {"messages": [{"content": "x", "role": "user"}], "top_p": 0.5, "model": "m",
            "temperature": 0.7, "stream": True, "max_tokens": 3, "top_k": 4,
            "stream_options": {"include_usage": True}, "seed": 1}  # fmt: skip
    out = wire.request_json(_bytes(body), CHAT.DESCRIPTOR)
    assert list(out) == ["model", "stream", "messages", "max_tokens", "seed", "stream_options",
                         "temperature", "top_p", "top_k"]  # fmt: skip
    assert list(out["messages"][0]) == ["role", "content"]
    assert json.dumps(out, separators=(",", ":")) == (
        '{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}],"max_tokens":3,'
        '"seed":1,"stream_options":{"include_usage":true},"temperature":0.7,"top_p":0.5,'
        '"top_k":4}'
    )


def test_every_kind_of_field():
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "é ✓"}]},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "content": "1.5", "tool_call_id": "c"},
        ],
        "logit_bias": {"12": -1.5, "7": 2},
        "seed": -12345678901,
        "stop": ["a", "b"],
        "n": 1,
        "temperature": 0,
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {
            "type": "object", "properties": {"a": {"type": "array", "items": [1, 2.5, True]}}}}}],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "chat_template_kwargs": {"enable_thinking": False},
    }  # fmt: skip
    data = _bytes(body)
    assert wire.request_json(data, CHAT.DESCRIPTOR) == body
    completion = {"model": "m", "prompt": ["a", "b"], "echo": True, "max_tokens": 2}
    request = json_format.ParseDict(completion, pb.CreateCompletionRequest())
    out = wire.request_json(request.SerializeToString(), request.DESCRIPTOR)
    assert out == completion and list(out)[:2] == ["model", "prompt"]
