"""What outlives a call or a process: cancellation stops the model, one turn at a time per
session (also across replicas), sessions survive a restart, and a turn interrupted by a
killed agents service ends FAILED with the reason, never left in progress."""

from __future__ import annotations

import re
import time

import grpc
import pytest

from llamastack.agents.v1 import agents_pb2
from llamastack.agents.v1 import agents_service_pb2 as pb
from tests.integration.agents.mesh import agent_config, agents_stub, shape, turn_request, user
from tests.support.processes import start_service

#: A grammar that never completes: the model writes until max_tokens or cancellation.
ENDLESS = {"grammar": {"bnf": "root ::= [a-z ]+ root"}}
_CANCELLED = re.compile(r"generation cancelled by the caller after (\d+) of (\d+) tokens")


def endless_session(agents) -> tuple[str, str]:
    config = agent_config(
        response_format=ENDLESS, sampling_params={"greedy": {}, "max_tokens": 1500}
    )
    agent_id = agents.CreateAgent(pb.CreateAgentRequest(agent_config=config)).agent_id
    return agent_id, agents.CreateSession(pb.CreateSessionRequest(agent_id=agent_id)).session_id


def wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout  # a hang guard, not a timing assertion
    while not (found := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return found


def reachable(call):
    """The call's answer, or None while the gateway cannot reach the service yet."""
    try:
        return call()
    except grpc.RpcError as err:
        if err.code() != grpc.StatusCode.UNAVAILABLE:
            raise
        return None


def started(stream) -> str:
    """Read a streamed turn until the model is generating; its turn id."""
    turn_id = next(stream).event.turn_start.turn_id
    while not next(stream).event.HasField("step_progress"):
        pass
    return turn_id


def cancellations(mesh) -> list[tuple[int, int]]:
    log = mesh.services["inference"].log_path.read_text()
    return [(int(a), int(b)) for a, b in _CANCELLED.findall(log)]


def get_turn(agents, agent_id, session_id, turn_id) -> agents_pb2.Turn:
    req = pb.GetTurnRequest(agent_id=agent_id, session_id=session_id, turn_id=turn_id)
    return agents.GetTurn(req).turn


def test_cancelling_a_streamed_turn_stops_the_model(agents, agents_mesh):
    before = len(cancellations(agents_mesh))
    agent_id, session_id = endless_session(agents)
    stream = agents.StreamTurn(
        turn_request(pb.StreamTurnRequest, agent_id, session_id, user("Write."))
    )
    turn_id = started(stream)

    # One turn at a time per session: a second one is refused while this one runs.
    with pytest.raises(grpc.RpcError) as err:
        agents.CreateTurn(turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Hi")))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert turn_id in err.value.details()

    stream.cancel()  # client → gateway → agents → gateway → inference
    generated, budget = wait_for(
        lambda: cancellations(agents_mesh)[before:], "the generation to stop"
    )[-1]
    assert budget == 1500 and generated < budget
    turn = wait_for(
        lambda: (
            (t := get_turn(agents, agent_id, session_id, turn_id)).status
            != agents_pb2.TURN_STATUS_IN_PROGRESS
            and t
        ),
        "the turn to end",
    )
    assert turn.status == agents_pb2.TURN_STATUS_CANCELLED and "cancelled" in turn.error
    assert [s.WhichOneof("details") for s in turn.steps] == []  # the step never completed


def test_deadline_of_a_unary_turn_cancels_it(agents, agents_mesh):
    before = len(cancellations(agents_mesh))
    agent_id, session_id = endless_session(agents)
    with pytest.raises(grpc.RpcError) as err:
        agents.CreateTurn(
            turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Write.")),
            timeout=2.0,
        )
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    wait_for(lambda: cancellations(agents_mesh)[before:], "the generation to stop")
    session = wait_for(
        lambda: (
            (
                s := agents.GetSession(
                    pb.GetSessionRequest(agent_id=agent_id, session_id=session_id)
                ).session
            ).turns
            and s.turns[0].status != agents_pb2.TURN_STATUS_IN_PROGRESS
            and s
        ),
        "the turn to end",
    )
    assert session.turns[0].status == agents_pb2.TURN_STATUS_CANCELLED
    assert "deadline" in session.turns[0].error


def test_sessions_survive_a_restart_and_interrupted_turns_fail(agents, agents_mesh):
    agent_id = agents.CreateAgent(
        pb.CreateAgentRequest(agent_config=agent_config(instructions="Be brief."))
    ).agent_id
    session_id = agents.CreateSession(pb.CreateSessionRequest(agent_id=agent_id)).session_id
    first = agents.CreateTurn(
        turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Hello!"))
    ).turn
    endless_agent, endless_session_id = endless_session(agents)
    stream = agents.StreamTurn(
        turn_request(pb.StreamTurnRequest, endless_agent, endless_session_id, user("Write."))
    )
    interrupted = started(stream)

    agents_mesh.kill_agents()  # SIGKILL mid-turn: nothing gets to clean up
    with pytest.raises(grpc.RpcError):
        for _ in stream:
            pass
    agents_mesh.start_agents()

    # The gateway reconnects within about a second (its channel's backoff).
    session = wait_for(
        lambda: reachable(
            lambda: agents.GetSession(
                pb.GetSessionRequest(agent_id=agent_id, session_id=session_id)
            )
        ),
        "the gateway to reach the restarted agents service",
    )
    assert list(session.session.turns) == [first]
    # The killed process's lease expires and the turn is marked failed with the reason.
    turn = wait_for(
        lambda: (
            (t := get_turn(agents, endless_agent, endless_session_id, interrupted)).status
            == agents_pb2.TURN_STATUS_FAILED
            and t
        ),
        "the interrupted turn to be marked failed",
    )
    assert "stopped before it finished" in turn.error and "lease" in turn.error
    # Both sessions take new turns; the next one sees the earlier conversation.
    nxt = agents.StreamTurn(
        turn_request(pb.StreamTurnRequest, agent_id, session_id, user("Thanks!"))
    )
    assert shape([c.event for c in nxt])[-1] == "turn_complete"
    again = agents.StreamTurn(
        turn_request(pb.StreamTurnRequest, endless_agent, endless_session_id, user("More."))
    )
    started(again)
    again.cancel()


def test_a_second_replica_serves_the_same_sessions(agents, agents_mesh, tmp_path):
    """Another agents process on the same state store: it sees every session, and a turn
    running on one replica keeps the session from the other."""
    replica = start_service(
        "agents",
        agents_mesh.run_yaml,
        tmp_path,
        env={"LLS_GATEWAY_ADDR": agents_mesh.gateway_addr},
    )
    try:
        with grpc.insecure_channel(replica.address) as channel:
            other = agents_stub(channel)
            agent_id, session_id = endless_session(agents)
            stream = other.StreamTurn(
                turn_request(pb.StreamTurnRequest, agent_id, session_id, user("Write."))
            )
            turn_id = started(stream)
            with pytest.raises(grpc.RpcError) as err:
                agents.CreateTurn(
                    turn_request(pb.CreateTurnRequest, agent_id, session_id, user("Hi"))
                )
            assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert turn_id in err.value.details()
            stream.cancel()
            turn = wait_for(
                lambda: (
                    (t := get_turn(agents, agent_id, session_id, turn_id)).status
                    == agents_pb2.TURN_STATUS_CANCELLED
                    and t
                ),
                "the replica to record the cancellation",
            )
            assert turn.turn_id == turn_id
    finally:
        replica.stop()
