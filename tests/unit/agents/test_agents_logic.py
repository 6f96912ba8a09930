"""The agents service's pure logic: the conversation rebuilt from stored turns, the tool config
of each model call, tool call arguments, documents and tool response checks."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest
from google.protobuf import json_format

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import message_pb2, tool_pb2
from llamastack.registry.v1 import resources_pb2
from llamastack.vector_io.v1 import vector_io_pb2
from services.agents.documents import inline_context, rag_documents
from services.agents.history import conversation
from services.agents.steps import _chat_request
from services.agents.tools import (
    ServerTool,
    ToolPlan,
    _client_definition,
    _registry_definition,
    call_kwargs,
    rag_query_config,
)
from services.agents.validation import check_tool_responses
from services.common.errors import InvalidArgument


def msg(role: str, text: str = "", **fields) -> message_pb2.Message:
    data = {"role": f"ROLE_{role.upper()}", "content": [{"text": text}] if text else [], **fields}
    return json_format.ParseDict(data, message_pb2.Message())


def step(kind: str, **details) -> pb.Step:
    return json_format.ParseDict({kind: details}, pb.Step())


CALL = {"call_id": "c1", "tool_name": "get_weather", "arguments": {"city": "Paris"}}


def tool_turn(status: int) -> pb.Turn:
    turn = pb.Turn(turn_id="t1", status=status, input_messages=[msg("user", "Weather?")])
    turn.steps.extend([
        step("shield_call"),
        step("inference", model_response={"role": "ROLE_ASSISTANT", "tool_calls": [CALL]}),
        step("tool_execution", tool_calls=[CALL],
             tool_responses=[{"call_id": "c1", "content": [{"text": "Sunny"}]}]),
        step("inference", model_response={"role": "ROLE_ASSISTANT", "content": [{"text": "raw"}]}),
    ])  # fmt: skip
    return turn


def roles(messages) -> list[str]:
    out = []
    for m in messages:
        label = message_pb2.Role.Name(m.role).removeprefix("ROLE_").lower()
        out.append(f"{label}:{''.join(c.text for c in m.content)}")
    return out


def test_finished_turns_contribute_their_output_not_their_last_raw_response():
    done = tool_turn(pb.TURN_STATUS_COMPLETED)
    done.output_message.CopyFrom(msg("assistant", "replaced by a shield"))
    failed = pb.Turn(turn_id="t0", status=pb.TURN_STATUS_FAILED, input_messages=[msg("user", "x")])
    current = pb.Turn(turn_id="t2", status=pb.TURN_STATUS_IN_PROGRESS,
                      input_messages=[msg("user", "And now?")])  # fmt: skip
    current.steps.append(step("memory_retrieval", inserted_context=[{"text": "ctx"}]))
    out = conversation("Be brief.", [failed, done, current], current)
    assert roles(out) == [
        "system:Be brief.",
        "user:Weather?",
        "assistant:",
        "tool:Sunny",
        "assistant:replaced by a shield",
        "user:And now?",
    ]
    assert out[2].tool_calls[0].call_id == "c1" and out[3].call_id == "c1"
    assert [c.text for c in out[-1].context] == ["ctx"]  # retrieved context: this turn only
    assert not current.input_messages[0].context  # the stored message is left unchanged


def test_a_running_turn_contributes_everything_so_far():
    running = tool_turn(pb.TURN_STATUS_IN_PROGRESS)
    assert roles(conversation("", [], running)) == [
        "user:Weather?", "assistant:", "tool:Sunny", "assistant:raw",
    ]  # fmt: skip


def _run(config: dict, steps: list[pb.Step]) -> SimpleNamespace:
    agent_config = json_format.ParseDict(
        {"model": "m", "response_format": {"json_schema": {"type": "object"}}}, pb.AgentConfig()
    )
    plan = ToolPlan(definitions=[tool_pb2.ToolDefinition(tool_name="get_weather")])
    turn = pb.Turn(turn_id="t", input_messages=[msg("user", "hi")])
    turn.steps.extend(steps)
    return SimpleNamespace(
        config=agent_config, earlier=[], turn=turn, plan=plan,
        tool_config=json_format.ParseDict(config, tool_pb2.ToolConfig()),
    )  # fmt: skip


@pytest.mark.parametrize("forced", [{"tool_name": "get_weather"},
                                    {"tool_choice": "TOOL_CHOICE_REQUIRED"}])  # fmt: skip
def test_a_forced_tool_call_applies_until_the_first_tool_step(forced):
    first = _chat_request(_run(forced, []))
    assert json_format.MessageToDict(first.tool_config, preserving_proto_field_name=True) == forced
    assert not first.HasField("response_format")  # cannot combine with a forced call
    later = _chat_request(_run(forced, [step("inference"), step("tool_execution")]))
    assert later.tool_config.tool_choice == tool_pb2.TOOL_CHOICE_AUTO
    assert not later.tool_config.tool_name and later.HasField("response_format")


def test_tool_choice_none_stays():
    later = _chat_request(_run({"tool_choice": "TOOL_CHOICE_NONE"}, [step("tool_execution")]))
    assert later.tool_config.tool_choice == tool_pb2.TOOL_CHOICE_NONE


def test_group_args_win_and_the_session_database_joins_knowledge_search():
    rag = ServerTool("knowledge_search", "builtin::rag", {"vector_db_ids": ["docs"]})
    kwargs = call_kwargs(rag, {"query": "q", "vector_db_ids": ["sneaky"]}, "session-1")
    assert json_format.MessageToDict(kwargs) == {
        "query": "q", "vector_db_ids": ["docs", "session-1"],
    }  # fmt: skip
    mcp = ServerTool("add", "mcp::calc", {"b": 2})
    assert json_format.MessageToDict(call_kwargs(mcp, {"a": 1, "b": 5}, "session-1")) == {
        "a": 1, "b": 2,
    }  # fmt: skip


def test_documents():
    text = "data:text/plain;base64," + base64.b64encode("héllo".encode()).decode()
    docs = [
        pb.Document(content=[{"text": "inline"}]),
        pb.Document(url={"uri": text}),
        pb.Document(url={"uri": "data:,plain%20text"}),
    ]
    assert [c.text for c in inline_context(docs)] == ["inline", "héllo", "plain text"]
    for uri, needle in [
        ("https://example.com/a.pdf", "builtin::rag"),
        ("data:application/pdf;base64,AAAA", "application/pdf"),
        ("data:text/plain;base64,!!", "base64"),
    ]:
        with pytest.raises(InvalidArgument, match=needle):
            inline_context([pb.Document(url={"uri": uri})])
    url = pb.Document(url={"uri": "https://example.com/a.pdf"})
    (rag,) = rag_documents([url])
    assert rag.url.uri.endswith("a.pdf") and rag.document_id.startswith("doc-")
    # The id is the content's: the same document gets the same id, another a different one.
    assert rag_documents([url])[0].document_id == rag.document_id
    assert rag_documents(docs[:1])[0].document_id not in (rag.document_id, "")


def test_tool_responses_must_answer_every_pending_call_once():
    ok = [pb.ToolResponse(call_id="a"), pb.ToolResponse(call_id="b")]
    check_tool_responses(ok, ["a", "b"], "t")
    for given, needle in [
        ([pb.ToolResponse(call_id="a")], "missing call_id"),
        ([*ok, pb.ToolResponse(call_id="x")], "did not make"),
        ([*ok, pb.ToolResponse(call_id="a")], "more than once"),
    ]:
        with pytest.raises(InvalidArgument, match=needle):
            check_tool_responses(given, ["a", "b"], "t")


def test_rag_query_config_accepts_the_short_mode_and_says_what_is_wrong():
    config = rag_query_config({"mode": "hybrid", "max_chunks": 3}, "builtin::rag")
    assert config.mode == vector_io_pb2.SEARCH_MODE_HYBRID and config.max_chunks == 3
    assert rag_query_config(None, "builtin::rag") is None
    with pytest.raises(InvalidArgument, match=r"toolgroups\[builtin::rag\]\.args\.query_config"):
        rag_query_config({"max_chunks": "many"}, "builtin::rag")


def test_tool_definitions_use_the_schema_without_what_the_group_fixes():
    tool = resources_pb2.Tool(identifier="knowledge_search", description="Search.")
    tool.input_schema.update({
        "type": "object",
        "properties": {"query": {"type": "string"}, "vector_db_ids": {"type": "array"}},
        "required": ["query", "vector_db_ids"],
    })  # fmt: skip
    out = _registry_definition(tool, {"vector_db_ids"})
    assert json_format.MessageToDict(out.input_schema) == {
        "type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"],
    }  # fmt: skip
    client = tool_pb2.ToolDef(name="lookup", parameters=[{"name": "q", "parameter_type": "string"}])
    assert list(_client_definition(client).parameters) == ["q"]


def test_after_only_repeated_calls_the_model_must_answer():
    repeat = step("tool_execution", tool_calls=[CALL],
                  tool_responses=[{"call_id": "c2", "metadata": {"repeat_of": "c1"}}])  # fmt: skip
    request = _chat_request(_run({"tool_choice": "TOOL_CHOICE_AUTO"}, [step("inference"), repeat]))
    assert request.tool_config.tool_choice == tool_pb2.TOOL_CHOICE_NONE
    # ... and the repeating call and its copied result stay out of the conversation.
    turn = tool_turn(pb.TURN_STATUS_IN_PROGRESS)
    again = step("inference", model_response={"role": "ROLE_ASSISTANT", "tool_calls": [CALL]})
    turn.steps.extend([again, repeat])
    assert roles(conversation("", [], turn)) == [
        "user:Weather?", "assistant:", "tool:Sunny", "assistant:raw",
    ]  # fmt: skip
