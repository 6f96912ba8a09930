"""Tool prompts, call schemas and parsing calls out of model output."""

from __future__ import annotations

import json

from services.inference.tools import (
    ToolCallDetector,
    call_schema,
    parse_tool_calls,
    render_call,
    with_tool_prompt,
)
from services.inference.types import Message, ParseStatus, Role, TextDelta, ToolCall, ToolSpec

WEATHER = ToolSpec(
    "get_weather",
    "Weather in a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
CLOCK = ToolSpec("get_time", "The time", {"type": "object"})


def test_call_schema_for_one_and_several_tools():
    one = call_schema([WEATHER])
    assert one["properties"]["name"] == {"const": "get_weather"}
    assert one["properties"]["arguments"]["additionalProperties"] is False
    several = call_schema([WEATHER, CLOCK])
    assert [o["properties"]["name"]["const"] for o in several["anyOf"]] == [
        "get_weather",
        "get_time",
    ]
    assert several["anyOf"][1]["properties"]["arguments"]["properties"] == {}


def test_parse_plain_tagged_fenced_and_listed_calls():
    tools = [WEATHER, CLOCK]
    for text in (
        '{"name": "get_weather", "arguments": {"city": "Paris"}}',
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
        '```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```',
        '[{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}]',
        '{"function": {"name": "get_weather", "parameters": {"city": "Paris"}}}',
    ):
        [call] = parse_tool_calls(text, tools)
        assert call.tool_name == "get_weather" and call.arguments == {"city": "Paris"}
        assert json.loads(call.arguments_json) == call.arguments and call.call_id.startswith(
            "call_"
        )
    two = parse_tool_calls('{"name": "get_time", "arguments": {}}\n{"name": "get_time"}', tools)
    assert [c.tool_name for c in two] == ["get_time", "get_time"]


def test_not_calls():
    for text in (
        "Paris is sunny.",
        '{"name": "unknown", "arguments": {}}',
        '{"name": "get_time", "arguments": 3}',
        "{",
        "",
    ):
        assert parse_tool_calls(text, [WEATHER, CLOCK]) is None


def test_tool_prompt_goes_into_the_system_message():
    msgs = [Message(Role.USER, ["hi"])]
    out = with_tool_prompt(msgs, [WEATHER], forced=False, replace=False)
    assert out[0].role is Role.SYSTEM and "get_weather" in out[0].text and out[1] is msgs[0]
    sys = [Message(Role.SYSTEM, ["Be nice."]), *msgs]
    appended = with_tool_prompt(sys, [WEATHER], forced=True, replace=False)[0].text
    assert appended.startswith("Be nice.") and "Call one of them now" in appended
    replaced = with_tool_prompt(
        [Message(Role.SYSTEM, ["Tools: {{function_definitions}} end"]), *msgs],
        [WEATHER],
        False,
        True,
    )[0].text
    assert replaced.startswith("Tools: You have access") and replaced.endswith(" end")
    assert with_tool_prompt(msgs, [], False, False) is msgs


def test_render_call():
    assert json.loads(render_call(ToolCall("1", "get_time", {"tz": "UTC"}))) == {
        "name": "get_time",
        "arguments": {"tz": "UTC"},
    }


def feed_all(detector: ToolCallDetector, pieces: list[str]):
    out = []
    for p in pieces:
        out += detector.feed(TextDelta(p))
    deltas, calls = detector.finish()
    return out + deltas, calls


def test_detector_passes_text_through():
    out, calls = feed_all(ToolCallDetector([WEATHER], forced=False), ["Hel", "lo", " there"])
    assert calls == [] and "".join(d.text for d in out) == "Hello there"
    assert all(isinstance(d, TextDelta) for d in out)


def test_detector_recognises_a_call_in_auto_mode():
    pieces = [" {", '"name', '": "get_weather", "arguments": {"city": "Rome"}}']
    out, [call] = feed_all(ToolCallDetector([WEATHER], forced=False), pieces)
    # Held back until `{"name"` decides it, then streamed as tool-call text.
    statuses = [d.status for d in out]
    assert statuses[0] is ParseStatus.STARTED and statuses[-1] is ParseStatus.SUCCEEDED
    assert set(statuses[1:-1]) == {ParseStatus.IN_PROGRESS}
    assert "".join(d.text for d in out[1:-1]) == "".join(pieces)
    assert call.arguments == {"city": "Rome"}


def test_detector_forced_call_that_does_not_parse_fails():
    out, calls = feed_all(ToolCallDetector([WEATHER], forced=True), ['{"name": "get_wea'])
    assert (
        calls == [] and out[-1].status is ParseStatus.FAILED and out[-1].text == '{"name": "get_wea'
    )


def test_detector_without_tools_is_plain_text():
    out, calls = feed_all(ToolCallDetector([], forced=False), ['{"name": 1}'])
    assert calls == [] and out == [TextDelta('{"name": 1}')]


def test_detector_short_undecided_answer_is_text():
    out, calls = feed_all(ToolCallDetector([WEATHER], forced=False), ["{"])
    assert calls == [] and [d.text for d in out] == ["{"]


def test_detector_keeps_the_log_probabilities_of_held_back_text():
    d = ToolCallDetector([WEATHER], forced=False)
    assert d.feed(TextDelta("{", [{"{": -0.1}])) == []
    [out] = d.feed(TextDelta("x", [{"x": -0.2}]))
    assert out == TextDelta("{x", [{"{": -0.1}, {"x": -0.2}])


def test_detector_keeps_the_log_probabilities_of_a_call():
    d = ToolCallDetector([WEATHER], forced=False)
    d.feed(TextDelta('{"na', [{"a": -1.0}]))
    d.feed(TextDelta('me": "get_weather", "arguments": {"city": "X"}}', [{"b": -2.0}]))
    _, [call] = d.finish()
    assert call.tool_name == "get_weather" and d.call_logprobs == [{"a": -1.0}, {"b": -2.0}]
