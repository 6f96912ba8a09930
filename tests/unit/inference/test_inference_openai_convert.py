"""What the remote adapter sends to and reads from an OpenAI-compatible server."""

from __future__ import annotations

import pytest

from services.inference.providers.openai_compat import convert
from services.inference.providers.openai_compat.config import OpenAICompatConfig, normalise_url
from services.inference.providers.openai_compat.provider import _pooled
from services.inference.types import (
    ChatRequest,
    Image,
    Message,
    ResponseFormat,
    Role,
    Sampling,
    StopReason,
    ToolCall,
    ToolChoice,
    ToolSpec,
)

TOOLS = [ToolSpec("a", "A", {"type": "object"}), ToolSpec("b", "B", {"type": "object"})]


def test_plain_text_content_is_a_string():
    out = convert.message_json(Message(Role.USER, ["Hello ", "world"], context=["!"]))
    assert out == {"role": "user", "content": "Hello world!"}


def test_images_make_content_parts():
    out = convert.message_json(
        Message(Role.USER, ["see", Image(data=b"\x89PNGdata"), Image(url="http://i")])
    )
    assert out["content"][0] == {"type": "text", "text": "see"}
    assert out["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert out["content"][2]["image_url"]["url"] == "http://i"


def test_assistant_tool_calls_and_tool_results():
    a = convert.message_json(
        Message(Role.ASSISTANT, [], tool_calls=[ToolCall("c1", "a", {"x": 1})])
    )
    assert a["content"] == ""  # never null: some chat templates concatenate it
    assert a["tool_calls"][0]["function"] == {"name": "a", "arguments": '{"x": 1}'}
    t = convert.message_json(Message(Role.TOOL, ["42"], call_id="c1"))
    assert t == {"role": "tool", "content": "42", "tool_call_id": "c1"}


def body(**kw) -> dict:
    request = ChatRequest("m", [Message(Role.USER, ["hi"])], **kw)
    return convert.chat_body(
        "m", request, vllm=False, default_max_tokens=None, json_mode="json_schema", stream=False
    )


def test_tool_choice_shapes():
    assert "tool_choice" not in body(tools=TOOLS)
    assert body(tools=TOOLS, tool_choice=ToolChoice.REQUIRED)["tool_choice"] == "required"
    named = body(tools=TOOLS, tool_name="b")["tool_choice"]
    assert named == {"type": "function", "function": {"name": "b"}}
    single = body(tools=TOOLS[:1], tool_choice=ToolChoice.REQUIRED)["tool_choice"]
    assert single["function"]["name"] == "a"
    assert "tools" not in body(tools=TOOLS, tool_choice=ToolChoice.NONE)


def test_sampling_fields():
    assert convert.sampling_fields(Sampling(), vllm=True, default_max_tokens=None) == {
        "temperature": 0.0
    }
    f = convert.sampling_fields(
        Sampling("top_k", top_k=5, max_tokens=0, repetition_penalty=1.1, stop=["x"]),
        vllm=False,
        default_max_tokens=64,
    )
    assert f == {"temperature": 1.0, "top_k": 5, "max_tokens": 64, "repetition_penalty": 1.1,
                 "repeat_penalty": 1.1, "stop": ["x"]}  # fmt: skip


def test_structured_output_fields():
    schema = {"type": "object"}
    fmt = ResponseFormat(json_schema=schema)
    assert body(response_format=fmt)["response_format"]["json_schema"]["schema"] == schema
    assert convert.response_format_fields(fmt, False, "json_object", chat=True) == {
        "response_format": {"type": "json_object", "schema": schema}
    }
    assert convert.response_format_fields(fmt, True, "json_schema", chat=False) == {
        "guided_json": schema
    }
    grammar = ResponseFormat(grammar="root ::= x")
    assert convert.response_format_fields(grammar, True, "auto", chat=True) == {
        "guided_grammar": "root ::= x"
    }
    assert convert.response_format_fields(grammar, False, "auto", chat=True) == {
        "grammar": "root ::= x"
    }


def test_stream_and_logprobs_fields():
    request = ChatRequest("m", [Message(Role.USER, ["hi"])], logprobs=3)
    b = convert.chat_body(
        "m", request, vllm=True, default_max_tokens=None, json_mode="auto", stream=True
    )
    assert b["stream"] and b["stream_options"] == {"include_usage": True}
    assert (b["logprobs"], b["top_logprobs"]) == (True, 3)


def test_parsing_responses():
    assert convert.parse_call("", "f", '{"a": 1}').arguments == {"a": 1}
    assert convert.parse_call("id", "f", "").arguments == {}
    assert convert.parse_call("id", "f", "{bad") is None
    assert convert.stop_reason_of("tool_calls", False) is StopReason.END_OF_MESSAGE
    assert convert.stop_reason_of("length", False) is StopReason.OUT_OF_TOKENS
    assert convert.stop_reason_of("stop", False) is StopReason.END_OF_TURN
    assert convert.usage_of({"prompt_tokens": 3, "completion_tokens": 2}).total_tokens == 5
    chat_lp = {
        "logprobs": {
            "content": [
                {
                    "token": "a",
                    "logprob": -1,
                    "top_logprobs": [{"token": "a", "logprob": -1}, {"token": "b", "logprob": -2}],
                }
            ]
        }
    }
    assert convert.logprobs_of(chat_lp) == [{"a": -1.0, "b": -2.0}]
    assert convert.logprobs_of({"logprobs": {"top_logprobs": [{"x": -0.5}]}}) == [{"x": -0.5}]


def test_per_token_embeddings_are_mean_pooled():
    assert _pooled([[1.0, 2.0], [3.0, 4.0]]) == [2.0, 3.0]
    assert _pooled([0.5, 1]) == [0.5, 1.0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h:8000", "http://h:8000/v1"),
        ("http://h:8000/v1/", "http://h:8000/v1"),
        ("https://api.example.com/openai/v1", "https://api.example.com/openai/v1"),
    ],
)
def test_urls(url, expected):
    assert normalise_url(url) == expected


def test_config_aliases():
    c = OpenAICompatConfig.model_validate(
        {"base_url": "http://h", "api_key": "k", "max_tokens": 10}
    )
    assert (c.url, c.api_token, c.default_max_tokens) == ("http://h/v1", "k", 10)
    with pytest.raises(ValueError):
        OpenAICompatConfig.model_validate({"url": "h:8000"})
