"""Constrained decoding with the real model: JSON schema, GBNF grammars and tool calls."""

from __future__ import annotations

import json

import pytest
from google.protobuf import struct_pb2

from llamastack.common.v1 import message_pb2, sampling_pb2, tool_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from tests.integration.inference.mesh import MODEL, metrics, sampling, system, text, user

pytestmark = pytest.mark.slow

CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 20},
        "country": {"type": "string", "maxLength": 20},
        "is_capital": {"type": "boolean"},
    },
    "required": ["city", "country", "is_capital"],
}
WEATHER = tool_pb2.ToolDefinition(
    tool_name="get_weather",
    description="Get the current weather for a city",
    parameters={
        "city": tool_pb2.ToolParamDefinition(param_type="string", description="City name"),
        "unit": tool_pb2.ToolParamDefinition(
            param_type="string", description="celsius or fahrenheit", required=False
        ),
    },
)
TIME_SCHEMA = struct_pb2.Struct()
TIME_SCHEMA.update(
    {
        "type": "object",
        "properties": {"timezone": {"type": "string", "enum": ["UTC", "CET", "PST"]}},
        "required": ["timezone"],
    }
)
CLOCK = tool_pb2.ToolDefinition(
    tool_name="get_time", description="Get the time in a timezone", input_schema=TIME_SCHEMA
)


def response_format(schema: dict) -> sampling_pb2.ResponseFormat:
    s = struct_pb2.Struct()
    s.update(schema)
    return sampling_pb2.ResponseFormat(json_schema=s)


def check_city(data: dict) -> None:
    assert set(data) == {"city", "country", "is_capital"}
    assert isinstance(data["city"], str) and isinstance(data["country"], str)
    assert isinstance(data["is_capital"], bool)


def test_json_schema_output_parses_and_validates(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("Describe Paris as JSON with city, country and is_capital.")],
            sampling_params=sampling(80),
            response_format=response_format(CITY_SCHEMA),
        )
    )
    check_city(json.loads(r.completion_message.content[0].text))


def test_json_schema_output_when_streamed(inference):
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(
                model_id=MODEL,
                messages=[user("Describe Rome as JSON.")],
                sampling_params=sampling(80),
                response_format=response_format(CITY_SCHEMA),
            )
        )
    )
    check_city(json.loads("".join(e.event.delta.text for e in events)))


def test_json_schema_on_completion(inference):
    r = inference.Completion(
        pb.CompletionRequest(
            model_id=MODEL,
            content=[text("Berlin as JSON: ")],
            sampling_params=sampling(80),
            response_format=response_format(CITY_SCHEMA),
        )
    )
    check_city(json.loads(r.content))


def test_gbnf_grammar_output(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("Is the sky blue? Answer yes or no.")],
            sampling_params=sampling(8),
            response_format=sampling_pb2.ResponseFormat(
                grammar=sampling_pb2.GrammarResponseFormat(bnf='root ::= "yes" | "no"')
            ),
        )
    )
    assert r.completion_message.content[0].text in ("yes", "no")


def _only_call(r: pb.ChatCompletionResponse, name: str) -> message_pb2.ToolCall:
    msg = r.completion_message
    assert msg.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE
    assert len(msg.tool_calls) == 1
    call = msg.tool_calls[0]
    assert call.tool_name == name and call.call_id
    assert json.loads(call.arguments_json) == dict(call.arguments.items())
    return call


def test_required_tool_call_is_structured(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("What is the weather in Paris?")],
            sampling_params=sampling(40),
            tools=[WEATHER],
            tool_config=tool_pb2.ToolConfig(tool_choice=tool_pb2.TOOL_CHOICE_REQUIRED),
        )
    )
    call = _only_call(r, "get_weather")
    assert isinstance(call.arguments["city"], str)
    assert set(call.arguments) <= {"city", "unit"}
    assert metrics(r)["completion_tokens"] > 0


def test_named_tool_call_with_input_schema(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[system("You are a helpful assistant."), user("What time is it in Paris?")],
            sampling_params=sampling(40),
            tools=[WEATHER, CLOCK],
            tool_config=tool_pb2.ToolConfig(tool_name="get_time"),
        )
    )
    call = _only_call(r, "get_time")
    assert call.arguments["timezone"] in ("UTC", "CET", "PST")


def test_streamed_tool_call_deltas(inference):
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(
                model_id=MODEL,
                messages=[user("What is the weather in Rome?")],
                sampling_params=sampling(40),
                tools=[WEATHER],
                tool_config=tool_pb2.ToolConfig(tool_name="get_weather"),
            )
        )
    )
    status = inference_pb2.ToolCallParseStatus
    deltas = [e.event.delta.tool_call for e in events if e.event.delta.HasField("tool_call")]
    assert deltas[0].parse_status == status.TOOL_CALL_PARSE_STATUS_STARTED
    assert deltas[-1].parse_status == status.TOOL_CALL_PARSE_STATUS_SUCCEEDED
    assert deltas[-1].parsed.tool_name == "get_weather"
    assert {d.parse_status for d in deltas[1:-1]} == {status.TOOL_CALL_PARSE_STATUS_IN_PROGRESS}
    assert events[-1].event.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE


def test_tool_choice_none_answers_in_text(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("Say hello.")],
            sampling_params=sampling(8),
            tools=[WEATHER],
            tool_config=tool_pb2.ToolConfig(tool_choice=tool_pb2.TOOL_CHOICE_NONE),
        )
    )
    assert not r.completion_message.tool_calls
    assert r.completion_message.content[0].text


def test_auto_tool_choice_answers_either_way_consistently(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("What is the weather in Paris?")],
            sampling_params=sampling(40),
            tools=[WEATHER],
        )
    )
    msg = r.completion_message
    if msg.tool_calls:  # the model chose to call
        assert msg.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE
        assert msg.tool_calls[0].tool_name == "get_weather"
    else:
        assert msg.content[0].text and msg.stop_reason != message_pb2.STOP_REASON_END_OF_MESSAGE
