"""Protobuf ⇄ domain conversions."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2, tool_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from services.common.errors import InvalidArgument
from services.inference import convert
from services.inference.types import (
    ChatEvent,
    ChatResponse,
    EventType,
    Image,
    Message,
    ParseStatus,
    Role,
    StopReason,
    StreamEnd,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    Truncation,
    Usage,
)


def text(t: str) -> content_pb2.ContentItem:
    return content_pb2.ContentItem(text=t)


def test_chat_request_defaults():
    r = convert.chat_request(
        pb.ChatCompletionRequest(
            model_id="m",
            messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[text("hi")])],
        )
    )
    assert r.messages == [Message(Role.USER, ["hi"])]
    assert r.sampling.strategy == "greedy" and r.sampling.repetition_penalty == 1.0
    assert r.tool_choice is ToolChoice.AUTO and r.response_format is None and r.logprobs == 0


def test_sampling_and_logprobs():
    r = convert.chat_request(
        pb.ChatCompletionRequest(
            model_id="m",
            sampling_params=sampling_pb2.SamplingParams(
                top_p=sampling_pb2.TopPSampling(temperature=0.5), max_tokens=9, stop=["x"],
                repetition_penalty=1.2,
            ),
            logprobs=sampling_pb2.LogProbConfig(),
        )
    )  # fmt: skip
    s = r.sampling
    assert (s.strategy, s.temperature, s.max_tokens, s.stop) == ("top_p", 0.5, 9, ["x"])
    assert s.top_p == pytest.approx(0.95) and s.repetition_penalty == pytest.approx(1.2)
    assert r.logprobs == 1  # an empty LogProbConfig asks for the top token
    k = convert.sampling(sampling_pb2.SamplingParams(top_k=sampling_pb2.TopKSampling(top_k=3)))
    assert (k.strategy, k.top_k) == ("top_k", 3)


def test_tool_definitions_become_json_schemas():
    schema = struct_pb2.Struct()
    schema.update({"type": "object", "properties": {"n": {"type": "integer", "maxLength": 3}}})
    r = convert.chat_request(
        pb.ChatCompletionRequest(
            model_id="m",
            tools=[
                tool_pb2.ToolDefinition(
                    tool_name="a",
                    description="A",
                    parameters={
                        "q": tool_pb2.ToolParamDefinition(param_type="str", description="query"),
                        "n": tool_pb2.ToolParamDefinition(param_type="int", required=False),
                    },
                ),
                tool_pb2.ToolDefinition(tool_name="b", input_schema=schema),
            ],
            tool_config=tool_pb2.ToolConfig(
                tool_choice=tool_pb2.TOOL_CHOICE_REQUIRED,
                system_message_behavior=tool_pb2.SYSTEM_MESSAGE_BEHAVIOR_REPLACE,
            ),
        )
    )
    a, b = r.tools
    assert a.parameters == {
        "type": "object",
        "properties": {"q": {"type": "string", "description": "query"}, "n": {"type": "integer"}},
        "required": ["q"],
    }
    # Struct numbers are doubles: integral ones come back as ints (grammar converters need it).
    assert b.parameters["properties"]["n"]["maxLength"] == 3
    assert isinstance(b.parameters["properties"]["n"]["maxLength"], int)
    assert r.tool_choice is ToolChoice.REQUIRED and r.replace_system_message


def test_messages_with_every_field():
    args = struct_pb2.Struct()
    args.update({"city": "Paris"})
    msgs = convert.messages(
        [
            message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT,
                stop_reason=message_pb2.STOP_REASON_END_OF_MESSAGE,
                tool_calls=[
                    message_pb2.ToolCall(call_id="1", tool_name="w", arguments=args),
                    message_pb2.ToolCall(call_id="2", tool_name="w", arguments_json='{"a": 1}'),
                ],
            ),
            message_pb2.Message(
                role=message_pb2.ROLE_USER,
                content=[content_pb2.ContentItem(image=content_pb2.ImageContent(url=content_pb2.Url(uri="http://x")))],
                context=[text("ctx")],
            ),
        ]
    )  # fmt: skip
    assert msgs[0].stop_reason is StopReason.END_OF_MESSAGE
    assert msgs[0].tool_calls[0].arguments == {"city": "Paris"}
    assert msgs[0].tool_calls[1].arguments == {"a": 1}
    assert msgs[1].content == [Image(url="http://x")] and msgs[1].context == ["ctx"]


def test_bad_messages():
    with pytest.raises(InvalidArgument, match=r"messages\[0\]\.role"):
        convert.messages([message_pb2.Message()])
    with pytest.raises(InvalidArgument, match="arguments_json"):
        bad = message_pb2.ToolCall(tool_name="w", arguments_json="{")
        convert.messages([message_pb2.Message(role=message_pb2.ROLE_ASSISTANT, tool_calls=[bad])])


def test_response_formats():
    s = struct_pb2.Struct()
    s.update({"type": "object"})
    assert convert.response_format(sampling_pb2.ResponseFormat(json_schema=s)).json_schema == {
        "type": "object"
    }
    g = sampling_pb2.ResponseFormat(grammar=sampling_pb2.GrammarResponseFormat(bnf="root ::= x"))
    assert convert.response_format(g).grammar == "root ::= x"
    assert convert.response_format(sampling_pb2.ResponseFormat()) is None


def test_embeddings_request():
    r = convert.embeddings_request(
        pb.EmbeddingsRequest(
            model_id="e", contents=[text("a")], text_truncation=inference_pb2.TEXT_TRUNCATION_START,
            output_dimension=0, task_type=inference_pb2.EMBEDDING_TASK_TYPE_QUERY,
        )
    )  # fmt: skip
    assert (r.truncation, r.output_dimension, r.task_type) == (Truncation.START, 0, "query")
    plain = convert.embeddings_request(pb.EmbeddingsRequest(model_id="e", contents=[text("a")]))
    assert plain.truncation is Truncation.NONE and plain.output_dimension is None


def test_chat_response_and_events():
    call = ToolCall("c", "w", {"city": "Rome"}, '{"city": "Rome"}')
    r = convert.chat_response(
        ChatResponse(
            Message(Role.ASSISTANT, [""], stop_reason=StopReason.END_OF_MESSAGE, tool_calls=[call]),
            Usage(5, 2),
            [{"a": -0.1}],
        )
    )
    assert r.completion_message.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE
    assert r.completion_message.tool_calls[0].arguments["city"] == "Rome"
    assert {m.metric: m.value for m in r.metrics} == {
        "prompt_tokens": 5,
        "completion_tokens": 2,
        "total_tokens": 7,
    }
    assert dict(r.logprobs[0].logprobs_by_token) == pytest.approx({"a": -0.1})

    start = convert.chat_event(ChatEvent(EventType.START, TextDelta("")))
    assert start.event.delta.HasField("text") and not start.metrics
    tool = convert.chat_event(
        ChatEvent(EventType.PROGRESS, ToolCallDelta(ParseStatus.SUCCEEDED, parsed=call))
    )
    assert tool.event.delta.tool_call.parsed.tool_name == "w"
    end = convert.chat_event(
        ChatEvent(EventType.COMPLETE, TextDelta(""), StopReason.END_OF_TURN, Usage(1, 1))
    )
    assert end.event.stop_reason == message_pb2.STOP_REASON_END_OF_TURN and len(end.metrics) == 3


def test_completion_chunks():
    assert convert.completion_chunk(TextDelta("hi")).delta == "hi"
    last = convert.completion_chunk(StreamEnd(StopReason.OUT_OF_TOKENS, Usage(1, 2)))
    assert last.stop_reason == message_pb2.STOP_REASON_OUT_OF_TOKENS and len(last.metrics) == 3


def test_struct_keys_come_out_sorted_whatever_the_map_order():
    """A Struct is a map that protobuf iterates in a per-process order; a tool schema or a
    past call's arguments must reach the prompt the same way in every process."""
    schema = struct_pb2.Struct()
    schema.update({"type": "object", "required": ["b", "a"],
                   "properties": {"b": {"type": "integer"}, "a": {"type": "integer"}}})  # fmt: skip
    tool = tool_pb2.ToolDefinition(tool_name="add", input_schema=schema)
    spec = convert.tool_spec(tool)
    assert list(spec.parameters) == ["properties", "required", "type"]
    assert list(spec.parameters["properties"]) == ["a", "b"]
    assert spec.parameters["required"] == ["b", "a"]  # lists keep their order
    params = tool_pb2.ToolDefinition(tool_name="t", parameters={"z": {}, "m": {}, "a": {}})
    assert list(convert.tool_spec(params).parameters["properties"]) == ["a", "m", "z"]
