"""Agent candidates: the config check, a row's turn input, and a finished turn's answer."""

from __future__ import annotations

import pytest

from llamastack.agents.v1 import agents_pb2 as agents
from llamastack.common.v1 import content_pb2, message_pb2
from services.common.errors import InvalidArgument
from services.eval.agent_candidate import _answer, _turn_messages, agent_config
from services.eval.candidates import candidate_model
from services.eval.rows import Prompt
from services.eval.types import Candidate


def test_the_config_must_be_an_agent_config_with_a_model():
    ok = Candidate("agent", agent_config={"model": "m", "instructions": "be brief"})
    assert agent_config(ok).instructions == "be brief"
    assert candidate_model(ok) == "m"
    assert candidate_model(Candidate("model", model="x")) == "x"
    with pytest.raises(InvalidArgument, match=r"config\.model is required"):
        agent_config(Candidate("agent", agent_config={"instructions": "x"}))
    with pytest.raises(InvalidArgument, match="is not an AgentConfig"):
        agent_config(Candidate("agent", agent_config={"model": "m", "no_such_field": 1}))


def test_a_rows_user_messages_start_the_turn():
    chat = Prompt(messages=(("system", "s"), ("user", "q1"), ("assistant", "a"), ("user", "q2")))
    assert [m.content[0].text for m in _turn_messages(chat)] == ["q1", "q2"]
    assert {m.role for m in _turn_messages(chat)} == {message_pb2.ROLE_USER}
    assert [m.content[0].text for m in _turn_messages(Prompt(text="2+2="))] == ["2+2="]
    assert _turn_messages(Prompt(messages=(("system", "s"),))) == []


def _turn(status: int, text: str = "", error: str = "") -> agents.Turn:
    message = message_pb2.Message(content=[content_pb2.ContentItem(text=text)])
    return agents.Turn(status=status, output_message=message, error=error)


def test_a_finished_turn_is_the_answer_and_others_are_the_rows_error():
    assert _answer(_turn(agents.TURN_STATUS_COMPLETED, "Paris")) == ("Paris", "")
    answer, error = _answer(_turn(agents.TURN_STATUS_AWAITING_INPUT))
    assert answer == "" and "client tool" in error
    answer, error = _answer(_turn(agents.TURN_STATUS_FAILED, "", "model went away"))
    assert error == "the turn ended FAILED: model went away"
