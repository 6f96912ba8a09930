"""Server-side tools through the real tool runtime: an MCP tool (a real MCP server) whose result
the agent answers with, and RAG over documents attached to a turn (sqlite-vec, MiniLM)."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format

from llamastack.agents.v1 import agents_pb2
from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.registry.v1 import tool_group_service_pb2 as tg
from llamastack.registry.v1 import tool_group_service_pb2_grpc as tg_grpc
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from tests.integration.agents.mesh import (
    agent_config,
    events_of,
    shape,
    text_of,
    turn_request,
    user,
)
from tests.integration.vector_tools.mesh import McpServer

ZORBLAT = "The capital of Zorblat is Quixville, a city of glass towers."
BANANAS = "Bananas are yellow fruits that are rich in potassium."


@pytest.fixture(scope="module")
def mcp_group(agents_mesh, gateway_channel, tmp_path_factory):
    server = McpServer(tmp_path_factory.mktemp("mcp"))
    groups = tg_grpc.ToolGroupServiceStub(gateway_channel)
    groups.RegisterToolGroup(
        tg.RegisterToolGroupRequest(
            toolgroup_id="mcp::calc",
            provider_id="model-context-protocol",
            mcp_endpoint={"uri": server.url},
        )
    )
    try:
        yield "mcp::calc"
    finally:
        groups.UnregisterToolGroup(tg.UnregisterToolGroupRequest(toolgroup_id="mcp::calc"))
        server.stop()


def new_session(agents, **fields) -> tuple[str, str]:
    config = agent_config(**fields)
    agent_id = agents.CreateAgent(pb.CreateAgentRequest(agent_config=config)).agent_id
    return agent_id, agents.CreateSession(pb.CreateSessionRequest(agent_id=agent_id)).session_id


def kinds(turn) -> list[str]:
    return [s.WhichOneof("details") for s in turn.steps]


def test_a_turn_calls_an_mcp_tool_and_answers_with_its_result(agents, mcp_group):
    agent_id, session_id = new_session(
        agents, toolgroups=[{"name": f"{mcp_group}/add"}], tool_config={"tool_name": "add"}
    )
    events = events_of(
        agents.StreamTurn(
            turn_request(
                pb.StreamTurnRequest, agent_id, session_id, user("Use the add tool to add 2 and 3.")
            )
        )
    )
    turn = events[-1].turn_complete.turn
    # The forced call runs on the MCP server; the model then asks again for the same sum,
    # which is answered from the first result (not run again), and it must answer.
    assert kinds(turn) == ["inference", "tool_execution"] * 2 + ["inference"]
    assert shape(events)[:7] == [
        "turn_start",
        "step_start:inference",
        "step_progress:inference",
        "step_complete:inference",
        "step_start:tool_execution",
        "step_progress:tool_execution",
        "step_complete:tool_execution",
    ]
    (call,) = turn.steps[1].tool_execution.tool_calls
    assert (call.tool_name, json_format.MessageToDict(call.arguments)) == (
        "add",
        {"a": 2, "b": 3},
    )
    (result,) = turn.steps[1].tool_execution.tool_responses
    assert text_of(result) == "5" and "repeat_of" not in result.metadata
    (again,) = turn.steps[3].tool_execution.tool_responses
    assert again.metadata["repeat_of"] == call.call_id and text_of(again) == "5"
    assert "5" in text_of(turn.output_message)
    assert not turn.output_message.tool_calls


def test_a_tool_error_is_the_model_s_to_read(agents, mcp_group):
    agent_id, session_id = new_session(
        agents,
        max_infer_iters=2,
        toolgroups=[{"name": f"{mcp_group}/fail"}],
        tool_config={"tool_name": "fail"},
    )
    turn = agents.CreateTurn(
        turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Fail, please."))
    ).turn
    assert turn.status == agents_pb2.TURN_STATUS_COMPLETED, turn.error
    (response,) = turn.steps[1].tool_execution.tool_responses
    assert "fail was asked to fail" in text_of(response)
    assert response.metadata["error_message"]


def test_rag_turn_retrieves_the_attached_document(agents, gateway_channel):
    agent_id, session_id = new_session(
        agents,
        instructions="Answer the question using the context.",
        toolgroups=[{"name": "builtin::rag"}],
        max_infer_iters=2,
        sampling_params={"greedy": {}, "max_tokens": 48},
    )
    documents = [{"content": [{"text": BANANAS}]}, {"content": [{"text": ZORBLAT}]}]
    turn = agents.CreateTurn(
        turn_request(
            pb.CreateTurnRequest,
            agent_id,
            session_id,
            user("What is the capital of Zorblat?"),
            documents=documents,
        )
    ).turn
    assert kinds(turn) == ["memory_retrieval", "inference"]
    memory = turn.steps[0].memory_retrieval
    session_db = f"session-{session_id}"
    assert list(memory.vector_db_ids) == [session_db]
    context = "".join(c.text for c in memory.inserted_context)
    assert ZORBLAT in context and context.index(ZORBLAT) < context.index(BANANAS)  # best first
    assert "Quixville" in text_of(turn.output_message)
    session = agents.GetSession(pb.GetSessionRequest(agent_id=agent_id, session_id=session_id))
    assert session.session.vector_db_id == session_db
    dbs = vdb_grpc.VectorDbServiceStub(gateway_channel)
    assert dbs.GetVectorDb(vdb.GetVectorDbRequest(vector_db_id=session_db)).vector_db

    # A later turn searches the session's documents too; knowledge_search (forced here)
    # gets the session's database without the model naming it.
    later = agents.CreateTurn(
        turn_request(
            pb.CreateTurnRequest,
            agent_id,
            session_id,
            user("Which fruit is rich in potassium?"),
            tool_config={"tool_name": "knowledge_search"},
        )
    ).turn
    assert kinds(later)[:3] == ["memory_retrieval", "inference", "tool_execution"]
    context = "".join(c.text for c in later.steps[0].memory_retrieval.inserted_context)
    assert context.index(BANANAS) < context.index(ZORBLAT)
    (found,) = later.steps[2].tool_execution.tool_responses
    assert BANANAS in text_of(found)
    assert set(found.metadata["vector_db_ids"]) == {session_db}

    # Deleting the session drops its vector database.
    agents.DeleteSession(pb.DeleteSessionRequest(agent_id=agent_id, session_id=session_id))
    with pytest.raises(grpc.RpcError) as err:
        dbs.GetVectorDb(vdb.GetVectorDbRequest(vector_db_id=session_db))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_bad_rag_args_are_refused_when_the_agent_is_created(agents):
    with pytest.raises(grpc.RpcError) as err:
        new_session(
            agents,
            toolgroups=[{"name": "builtin::rag", "args": {"query_config": {"mode": "fuzzy"}}}],
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "query_config" in err.value.details()
