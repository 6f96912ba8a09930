"""Request validation (pure logic)."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.inference.types import (
    ChatRequest,
    CompletionRequest,
    EmbeddingsRequest,
    Message,
    ResponseFormat,
    Role,
    Sampling,
    StopReason,
    ToolCall,
    ToolChoice,
    ToolSpec,
)
from services.inference.validation import (
    check_chat,
    check_completion,
    check_embeddings,
    check_json_schema,
)


def chat(**kw) -> ChatRequest:
    return ChatRequest(
        model_id="m", messages=kw.pop("messages", [Message(Role.USER, ["hi"])]), **kw
    )


def test_a_plain_request_is_valid():
    check_chat(chat())
    check_chat(chat(sampling=Sampling("top_p", temperature=0.7, top_p=1.0, stop=["a"] * 4)))
    check_chat(chat(sampling=Sampling("top_k", top_k=1)))


@pytest.mark.parametrize(
    ("sampling", "field"),
    [
        (Sampling(max_tokens=-1), "sampling_params.max_tokens"),
        (Sampling("top_p", temperature=0.0, top_p=0.9), "sampling_params.top_p.temperature"),
        (Sampling("top_p", temperature=-1.0, top_p=0.9), "sampling_params.top_p.temperature"),
        (Sampling("top_p", temperature=0.5, top_p=0.0), "sampling_params.top_p.top_p"),
        (Sampling("top_p", temperature=0.5, top_p=1.01), "sampling_params.top_p.top_p"),
        (Sampling("top_k", top_k=0), "sampling_params.top_k.top_k"),
        (Sampling(stop=["a", "b", "c", "d", "e"]), "sampling_params.stop"),
        (Sampling(stop=[""]), "sampling_params.stop"),
        (Sampling(repetition_penalty=0.0), "sampling_params.repetition_penalty"),
        (Sampling(repetition_penalty=float("nan")), "sampling_params.repetition_penalty"),
        (Sampling(max_tokens=1_000_000_000), "sampling_params.max_tokens"),
    ],
)
def test_bad_sampling(sampling, field):
    with pytest.raises(InvalidArgument) as err:
        check_chat(chat(sampling=sampling))
    assert err.value.metadata["field"] == field
    with pytest.raises(InvalidArgument):
        check_completion(CompletionRequest("m", ["x"], sampling=sampling))


@pytest.mark.parametrize(
    "message",
    [
        Message(Role.TOOL, ["42"]),  # no call_id
        Message(Role.USER, ["hi"], tool_calls=[ToolCall("1", "t", {})]),
        Message(Role.USER, ["hi"], stop_reason=StopReason.END_OF_TURN),
        Message(Role.SYSTEM, ["hi"], context=["more"]),
        Message(Role.ASSISTANT, ["hi"], call_id="1"),
        Message(Role.ASSISTANT, tool_calls=[ToolCall("1", "", {})]),
        Message(Role.TOOL, ["42"], call_id="1", tool_calls=[ToolCall("1", "t", {})]),
        Message(Role.USER, []),  # a user message with no content
        Message(Role.USER, [""]),
        Message(Role.SYSTEM, []),
    ],
)
def test_role_field_consistency(message):
    with pytest.raises(InvalidArgument, match="messages\\[0\\]"):
        check_chat(chat(messages=[message]))


def test_allowed_role_fields():
    check_chat(
        chat(
            messages=[
                Message(Role.SYSTEM, ["s"]),
                Message(Role.USER, ["u"], context=["c"]),
                Message(
                    Role.ASSISTANT,
                    [],
                    stop_reason=StopReason.END_OF_MESSAGE,
                    tool_calls=[ToolCall("1", "t", {})],
                ),
                Message(Role.TOOL, ["r"], call_id="1"),
            ]
        )
    )


def test_tools():
    tool = ToolSpec(
        "lookup", parameters={"type": "object", "properties": {"q": {"type": "string"}}}
    )
    check_chat(chat(tools=[tool], tool_name="lookup"))
    check_chat(chat(tools=[tool], tool_choice=ToolChoice.REQUIRED))
    with pytest.raises(InvalidArgument, match="'other' is not one of the request's tools"):
        check_chat(chat(tools=[tool], tool_name="other"))
    with pytest.raises(InvalidArgument, match="no tools"):
        check_chat(chat(tool_choice=ToolChoice.REQUIRED))
    with pytest.raises(InvalidArgument, match="defined twice"):
        check_chat(chat(tools=[tool, tool]))
    with pytest.raises(InvalidArgument, match="tool_name is required"):
        check_chat(chat(tools=[ToolSpec("")]))
    with pytest.raises(InvalidArgument, match="invalid JSON schema"):
        check_chat(chat(tools=[ToolSpec("t", parameters={"type": "thing"})]))
    with pytest.raises(InvalidArgument, match="forced tool call"):
        check_chat(
            chat(tools=[tool], tool_name="lookup", response_format=ResponseFormat(json_schema={}))
        )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "banana"},
        {"type": ["string", "nope"]},
        {"properties": []},
        {"properties": {"a": {"type": "what"}}},
        {"required": "a"},
        {"items": {"type": "x"}},
        {"anyOf": []},
        {"oneOf": [{"type": "string"}, 3]},
        {"enum": []},
        {"$defs": {"a": {"type": "x"}}},
        "not a schema",
    ],
)
def test_bad_json_schemas(schema):
    with pytest.raises(InvalidArgument, match=r"response_format\.json_schema"):
        check_json_schema(schema, "response_format.json_schema")


def test_good_json_schema():
    check_json_schema(
        {
            "type": "object",
            "properties": {"a": {"type": ["string", "null"]}, "b": {"items": {"type": "integer"}}},
            "required": ["a"],
            "$defs": {"x": True},
            "anyOf": [{"required": ["a"]}],
        },
        "s",
    )


def test_logprobs_and_grammar():
    check_chat(chat(logprobs=20))
    for bad in (-1, 21):
        with pytest.raises(InvalidArgument, match=r"logprobs\.top_k"):
            check_chat(chat(logprobs=bad))
    with pytest.raises(InvalidArgument, match="grammar"):
        check_chat(chat(response_format=ResponseFormat(grammar="  ")))


def test_embeddings():
    check_embeddings(EmbeddingsRequest("m", ["x"], output_dimension=8))
    with pytest.raises(InvalidArgument):
        check_embeddings(EmbeddingsRequest("m", ["x"], output_dimension=0))
    with pytest.raises(InvalidArgument):
        check_embeddings(EmbeddingsRequest("m", []))
