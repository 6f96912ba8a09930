"""Turns with the real SmolLM2 through the gateway: the event sequence, client tools that
pause and resume (unary and streaming), max_infer_iters, one turn at a time per session,
history across turns, documents without RAG, input and output shields."""

from __future__ import annotations

import grpc
import pytest

from llamastack.agents.v1 import agents_pb2
from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.common.v1 import message_pb2
from llamastack.safety.v1 import safety_service_pb2
from tests.integration.agents.mesh import (
    agent_config,
    events_of,
    shape,
    text_of,
    turn_request,
    user,
)

WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a city",
    "parameters": [{"name": "city", "parameter_type": "string", "description": "The city"}],
}
#: A forced call to the client tool: constrained decoding makes even SmolLM2 call it.
FORCED = {"client_tools": [WEATHER], "tool_config": {"tool_name": "get_weather"}}
WEATHER_QUESTION = user("What is the weather in Paris?")


def new_session(agents, **fields) -> tuple[str, str]:
    agent_id = agents.CreateAgent(
        pb.CreateAgentRequest(agent_config=agent_config(**fields))
    ).agent_id
    session_id = agents.CreateSession(pb.CreateSessionRequest(agent_id=agent_id)).session_id
    return agent_id, session_id


def kinds(turn) -> list[str]:
    return [s.WhichOneof("details") for s in turn.steps]


def test_streamed_turn_events_and_stored_turn(agents):
    agent_id, session_id = new_session(agents, instructions="Answer in one short sentence.")
    events = events_of(
        agents.StreamTurn(turn_request(pb.StreamTurnRequest, agent_id, session_id, user("Hi!")))
    )
    assert shape(events) == [
        "turn_start",
        "step_start:inference",
        "step_progress:inference",
        "step_complete:inference",
        "turn_complete",
    ]
    turn = events[-1].turn_complete.turn
    assert events[0].turn_start.turn_id == turn.turn_id
    assert turn.status == agents_pb2.TURN_STATUS_COMPLETED and not turn.error
    step = turn.steps[0]
    assert events[1].step_start.step_id == step.step_id == events[-2].step_complete.step_id
    streamed = "".join(e.step_progress.delta.text for e in events if e.HasField("step_progress"))
    assert text_of(turn.output_message) == streamed == text_of(step.inference.model_response)
    assert streamed.strip()
    assert turn.completed_at.ToNanoseconds() >= step.completed_at.ToNanoseconds() > 0

    ids = {"agent_id": agent_id, "session_id": session_id, "turn_id": turn.turn_id}
    assert agents.GetTurn(pb.GetTurnRequest(**ids)).turn == turn
    assert agents.GetStep(pb.GetStepRequest(**ids, step_id=step.step_id)).step == step
    session = agents.GetSession(pb.GetSessionRequest(agent_id=agent_id, session_id=session_id))
    assert list(session.session.turns) == [turn]


def test_client_tool_pauses_and_resumes(agents):
    agent_id, session_id = new_session(
        agents, instructions="You are a helpful assistant.", **FORCED
    )
    # Unary: the turn comes back awaiting the client's tool result.
    turn = agents.CreateTurn(
        turn_request(pb.CreateTurnRequest, agent_id, session_id, WEATHER_QUESTION)
    ).turn
    assert turn.status == agents_pb2.TURN_STATUS_AWAITING_INPUT
    assert kinds(turn) == ["inference", "tool_execution"]
    pending = turn.steps[-1]
    assert not pending.HasField("completed_at") and not pending.tool_execution.tool_responses
    (call,) = turn.output_message.tool_calls
    assert call.tool_name == "get_weather" and dict(call.arguments) == {"city": "Paris"}
    assert turn.output_message.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE

    # The session is taken until the turn is resumed.
    with pytest.raises(grpc.RpcError) as err:
        agents.CreateTurn(turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Hi")))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "ResumeTurn" in err.value.details()
    ids = {"agent_id": agent_id, "session_id": session_id, "turn_id": turn.turn_id}
    with pytest.raises(grpc.RpcError) as err:
        agents.ResumeTurn(pb.ResumeTurnRequest(**ids, tool_responses=[{"call_id": "wrong"}]))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert call.call_id in err.value.details()

    # Streaming resume: the pending step completes, the model answers with the result.
    result = {"call_id": call.call_id, "content": [{"text": "Sunny, 24 degrees Celsius"}]}
    events = events_of(
        agents.StreamResumeTurn(pb.StreamResumeTurnRequest(**ids, tool_responses=[result]))
    )
    assert shape(events) == [
        "turn_start",
        "step_complete:tool_execution",
        "step_start:inference",
        "step_progress:inference",
        "step_complete:inference",
        "turn_complete",
    ]
    assert events[1].step_complete.step_id == pending.step_id
    done = events[-1].turn_complete.turn
    assert done.turn_id == turn.turn_id and done.status == agents_pb2.TURN_STATUS_COMPLETED
    assert kinds(done) == ["inference", "tool_execution", "inference"]
    response = done.steps[1].tool_execution.tool_responses[0]
    assert (response.call_id, response.tool_name) == (call.call_id, "get_weather")
    assert "24" in text_of(done.output_message)

    # A finished turn cannot be resumed again.
    with pytest.raises(grpc.RpcError) as err:
        agents.ResumeTurn(pb.ResumeTurnRequest(**ids, tool_responses=[result]))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    # The next turn sees the conversation (the forced call names London this time).
    nxt = agents.CreateTurn(
        turn_request(pb.CreateTurnRequest, agent_id, session_id, user("And in London?"))
    ).turn
    assert nxt.output_message.tool_calls[0].arguments["city"] == "London"


def test_max_infer_iters_stops_the_loop(agents):
    agent_id, session_id = new_session(agents, max_infer_iters=1, **FORCED)
    turn = agents.CreateTurn(
        turn_request(pb.CreateTurnRequest, agent_id, session_id, WEATHER_QUESTION)
    ).turn
    # One model call, whose tool call is not run: the turn ends there.
    assert turn.status == agents_pb2.TURN_STATUS_COMPLETED
    assert kinds(turn) == ["inference"]
    assert turn.output_message.stop_reason == message_pb2.STOP_REASON_END_OF_TURN


def test_turn_tool_config_override(agents):
    """A turn may override the agent's tool config: NONE makes the model just answer."""
    agent_id, session_id = new_session(agents, **FORCED)
    turn = agents.CreateTurn(
        turn_request(
            pb.CreateTurnRequest, agent_id, session_id, WEATHER_QUESTION,
            tool_config={"tool_choice": "TOOL_CHOICE_NONE"},
        )
    ).turn  # fmt: skip
    assert turn.status == agents_pb2.TURN_STATUS_COMPLETED and kinds(turn) == ["inference"]
    assert not turn.output_message.tool_calls


def test_inline_document_is_appended_to_the_message(agents):
    agent_id, session_id = new_session(agents)
    turn = agents.CreateTurn(
        turn_request(
            pb.CreateTurnRequest, agent_id, session_id, user("What is the code word?"),
            documents=[{"content": [{"text": "The code word is PELICAN."}]}],
        )
    ).turn  # fmt: skip
    (message,) = turn.input_messages
    assert [c.text for c in message.context] == ["The code word is PELICAN."]
    assert "PELICAN" in text_of(turn.output_message).upper()


def test_input_shield_blocks_the_turn(agents):
    agent_id, session_id = new_session(agents, input_shields=["weapons"])
    events = events_of(
        agents.StreamTurn(
            turn_request(pb.StreamTurnRequest, agent_id, session_id, user("How to build a bomb?"))
        )
    )
    assert shape(events) == [
        "turn_start", "step_start:shield_call", "step_complete:shield_call", "turn_complete",
    ]  # fmt: skip
    assert dict(events[1].step_start.metadata) == {"touchpoint": "user-input"}
    turn = events[-1].turn_complete.turn
    violation = turn.steps[0].shield_call.violation
    assert violation.violation_level == safety_service_pb2.VIOLATION_LEVEL_ERROR
    assert text_of(turn.output_message) == violation.user_message != ""
    assert turn.status == agents_pb2.TURN_STATUS_COMPLETED and kinds(turn) == ["shield_call"]

    # A harmless message passes the shield (its step has no violation) and reaches the model.
    ok = agents.CreateTurn(
        turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Hello!"))
    ).turn
    assert kinds(ok) == ["shield_call", "inference"]
    assert not ok.steps[0].shield_call.HasField("violation")


def test_output_shield_replaces_the_answer(agents):
    agent_id, session_id = new_session(agents, output_shields=["weapons"])
    turn = agents.CreateTurn(
        turn_request(
            pb.CreateTurnRequest, agent_id, session_id, user("What is the code word?"),
            documents=[{"content": [{"text": "The code word is grenade."}]}],
        )
    ).turn  # fmt: skip
    assert kinds(turn) == ["inference", "shield_call"]
    said = text_of(turn.steps[0].inference.model_response)
    assert "grenade" in said.lower()
    violation = turn.steps[1].shield_call.violation
    assert text_of(turn.output_message) == violation.user_message != said
