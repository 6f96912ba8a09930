"""OpenAI JSON ⇄ inference domain: what inline providers receive, and the objects clients get."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from services.common.errors import InvalidArgument
from services.inference.openai import from_domain, to_domain
from services.inference.openai.from_domain import ChatChunks, Meta
from services.inference.openai.to_domain import ChatOptions, CompletionOptions
from services.inference.types import (
    ChatEvent,
    ChatResponse,
    CompletionResponse,
    EmbeddingsResponse,
    EventType,
    Image,
    Message,
    ParseStatus,
    Role,
    StopReason,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    Usage,
)

TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}


def chat(**fields):
    return {"model": "m", "messages": [{"role": "user", "content": "hi"}], **fields}


def test_openai_defaults_sample_at_temperature_one():
    request, opts = to_domain.chat_request(chat())
    s = request.sampling
    assert (s.strategy, s.temperature, s.top_p, s.max_tokens) == ("top_p", 1.0, 1.0, 0)
    assert opts == ChatOptions()
    assert request.tool_choice is ToolChoice.NONE


def test_temperature_zero_is_greedy_and_sampling_fields_map():
    request, _ = to_domain.chat_request(
        chat(temperature=0, max_tokens=5, max_completion_tokens=7, stop="\n", seed=3, top_k=4)
    )
    s = request.sampling
    assert (s.strategy, s.max_tokens, s.stop, s.seed) == ("greedy", 7, ["\n"], 3)
    request, _ = to_domain.chat_request(chat(temperature=0.5, top_p=0.9, top_k=4))
    assert (request.sampling.temperature, request.sampling.top_p) == (0.5, 0.9)
    assert request.sampling.top_k == 4


def test_messages_roles_parts_and_tool_history():
    parts = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    image = [{"type": "image_url", "image_url": {"url": "u"}}]
    request, _ = to_domain.chat_request(
        chat(
            messages=[
                {"role": "developer", "content": "be brief"},
                {"role": "user", "content": parts},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                {"role": "user", "content": image},
            ]
        )
    )
    roles = [m.role for m in request.messages]
    assert roles == [Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL, Role.USER]
    assert request.messages[1].text == "ab"
    assert request.messages[2].tool_calls == [ToolCall("c1", "f", {"x": 1}, '{"x": 1}')]
    assert request.messages[3].call_id == "c1"
    assert request.messages[4].content == [Image(url="u")]


def test_tool_choice_forms():
    request, _ = to_domain.chat_request(chat(tools=[TOOL]))
    assert request.tool_choice is ToolChoice.AUTO
    request, _ = to_domain.chat_request(chat(tools=[TOOL], tool_choice="required"))
    assert request.forced_tools[0].name == "f"
    named = {"type": "function", "function": {"name": "f"}}
    request, _ = to_domain.chat_request(chat(tools=[TOOL], tool_choice=named))
    assert request.tool_name == "f"


def test_response_formats():
    request, _ = to_domain.chat_request(chat(response_format={"type": "json_object"}))
    assert request.response_format.json_schema == {"type": "object"}
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    rf = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    request, _ = to_domain.chat_request(chat(response_format=rf))
    assert request.response_format.json_schema == schema
    request, _ = to_domain.chat_request(chat(response_format={"type": "text"}))
    assert request.response_format is None


def test_logprobs_and_usage_options():
    request, opts = to_domain.chat_request(
        chat(logprobs=True, top_logprobs=0, stream_options={"include_usage": True})
    )
    assert request.logprobs == 1 and opts == ChatOptions(True, 0, True)


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"n": 2}, "n"),
        ({"n": 0}, "n"),
        ({"temperature": 2.5}, "temperature"),
        ({"top_p": 1.5}, "top_p"),
        ({"presence_penalty": 3}, "presence_penalty"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_completion_tokens": -1}, "max_completion_tokens"),
        ({"stop": ["a", ""]}, "stop"),
        ({"top_logprobs": 3}, "top_logprobs"),
        ({"logprobs": True, "top_logprobs": 99}, "top_logprobs"),
        ({"logit_bias": {"1": 5}}, "logit_bias"),
        ({"modalities": ["text", "audio"]}, "modalities"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tool_choice": "sometimes", "tools": [TOOL]}, "tool_choice"),
        ({"tool_choice": {"type": "function", "function": {"name": "g"}}, "tools": [TOOL]},
         "tool_choice"),
        ({"tools": [{"type": "custom", "custom": {}}]}, "tools[0].type"),
        ({"tools": [TOOL], "tool_choice": "required", "response_format": {"type": "json_object"}},
         "response_format"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}},
         "response_format.json_schema.schema"),
        ({"messages": [{"role": "function", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id"),
        ({"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]},
         "messages[0].content[0].type"),
        ({"messages": [{"role": "assistant", "tool_calls": [
            {"id": "c", "function": {"name": "f", "arguments": "not json"}}]}]},
         "messages[0].tool_calls[0].function.arguments"),
    ],
)  # fmt: skip
def test_mistakes_name_openai_fields(fields, param):
    with pytest.raises(InvalidArgument) as err:
        to_domain.chat_request(chat(**fields))
    assert err.value.metadata["field"] == param


def test_completion_prompts_and_embeddings_inputs():
    requests, opts = to_domain.completion_requests(
        {"model": "m", "prompt": ["a", "b"], "logprobs": 0, "echo": True}
    )
    assert [r.content for r in requests] == [["a"], ["b"]] and requests[0].logprobs == 1
    assert opts == CompletionOptions(["a", "b"], 0, True, False)
    with pytest.raises(InvalidArgument, match="token-id"):
        to_domain.completion_requests({"model": "m", "prompt": [[1, 2]]})
    request, encoding = to_domain.embeddings_request(
        {"model": "e", "input": "x", "dimensions": 8, "encoding_format": "base64"}
    )
    assert (request.contents, request.output_dimension, encoding) == (["x"], 8, "base64")
    for bad in (
        {"input": []},
        {"input": "x", "encoding_format": "hex"},
        {"input": "x", "dimensions": 0},
    ):
        with pytest.raises(InvalidArgument):
            to_domain.embeddings_request({"model": "e", **bad})


# -- answers --------------------------------------------------------------------------------

META = Meta("chatcmpl-1", "alias/m", 1700000000)


def test_chat_completion_object():
    reply = Message(Role.ASSISTANT, ["hello"], stop_reason=StopReason.OUT_OF_TOKENS)
    out = from_domain.chat_completion(META, ChatResponse(reply, Usage(3, 2)), ChatOptions())
    assert out["object"] == "chat.completion" and out["model"] == "alias/m"
    assert out["choices"][0]["message"] == {
        "role": "assistant",
        "content": "hello",
        "refusal": None,
    }
    assert out["choices"][0]["finish_reason"] == "length"
    assert out["usage"] == {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


def test_tool_calls_have_null_content_and_finish_tool_calls():
    call = ToolCall("c1", "f", {"x": 1}, '{"x": 1}')
    reply = Message(Role.ASSISTANT, [""], stop_reason=StopReason.END_OF_MESSAGE, tool_calls=[call])
    out = from_domain.chat_completion(META, ChatResponse(reply, Usage()), ChatOptions())
    choice = out["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert choice["message"]["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    ]


def test_chat_logprobs_put_the_chosen_token_first():
    reply = Message(Role.ASSISTANT, ["ab"], stop_reason=StopReason.END_OF_TURN)
    logprobs = [{"a": -0.5, "b": -0.1, "c": -3.0}]
    out = from_domain.chat_completion(
        META, ChatResponse(reply, Usage(), logprobs), ChatOptions(True, 2)
    )
    (token,) = out["choices"][0]["logprobs"]["content"]
    assert (token["token"], token["logprob"], token["bytes"]) == ("a", -0.5, [97])
    assert [t["token"] for t in token["top_logprobs"]] == ["b", "a"]


def test_chunks_of_a_stream():
    chunks = ChatChunks(META, ChatOptions(include_usage=True))
    call = ToolCall("c1", "f", {}, "{}")
    events = [
        ChatEvent(EventType.START, TextDelta("")),
        ChatEvent(EventType.PROGRESS, TextDelta("hi")),
        ChatEvent(EventType.PROGRESS, ToolCallDelta(ParseStatus.STARTED)),
        ChatEvent(EventType.PROGRESS, ToolCallDelta(ParseStatus.IN_PROGRESS, text="{")),
        ChatEvent(EventType.PROGRESS, ToolCallDelta(ParseStatus.SUCCEEDED, parsed=call)),
        ChatEvent(EventType.COMPLETE, TextDelta(""), StopReason.END_OF_MESSAGE, Usage(1, 2)),
    ]
    out = [c for e in events for c in chunks.feed(e)]
    deltas = [c["choices"][0]["delta"] if c["choices"] else None for c in out]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert deltas[1] == {"content": "hi"}
    assert deltas[2]["tool_calls"][0]["index"] == 0
    assert deltas[2]["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}
    assert out[3]["choices"][0]["finish_reason"] == "tool_calls"
    assert deltas[4] is None and out[4]["usage"]["total_tokens"] == 3
    assert all(c["usage"] is None for c in out[:4])
    assert {c["id"] for c in out} == {"chatcmpl-1"}


def test_completion_object_with_echo_and_logprobs():
    results = [CompletionResponse(" x", StopReason.END_OF_TURN, Usage(2, 1), [{" x": -0.2}])]
    out = from_domain.completion(
        Meta("cmpl-1", "m", 1), results, CompletionOptions(["ab"], 1, True)
    )
    choice = out["choices"][0]
    assert choice["text"] == "ab x" and choice["finish_reason"] == "stop"
    assert choice["logprobs"] == {
        "tokens": [" x"], "token_logprobs": [-0.2], "top_logprobs": [{" x": -0.2}],
        "text_offset": [2],
    }  # fmt: skip
    assert out["usage"]["total_tokens"] == 3 and out["object"] == "text_completion"


def test_embeddings_float_and_base64():
    response = EmbeddingsResponse([[0.5, -1.0]], Usage(4, 0))
    floats = from_domain.embeddings("e", response, "float")
    assert floats["data"] == [{"object": "embedding", "index": 0, "embedding": [0.5, -1.0]}]
    assert floats["usage"] == {"prompt_tokens": 4, "total_tokens": 4}
    packed = from_domain.embeddings("e", response, "base64")["data"][0]["embedding"]
    assert struct.unpack("<2f", base64.b64decode(packed)) == (0.5, -1.0)
    assert json.dumps(floats)  # plain JSON
