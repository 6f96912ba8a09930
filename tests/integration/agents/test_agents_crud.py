"""Agents and sessions through the gateway: create, get, list (paged), delete, and the errors
a user gets for a wrong config."""

from __future__ import annotations

import grpc
import pytest

from llamastack.agents.v1 import agents_service_pb2 as pb
from tests.integration.agents.mesh import agent_config, agents_stub
from tests.integration.inference.mesh import reason


def _create(agents, **fields) -> str:
    return agents.CreateAgent(pb.CreateAgentRequest(agent_config=agent_config(**fields))).agent_id


def _error(call, code: grpc.StatusCode, *needles: str) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as err:
        call()
    assert err.value.code() == code, err.value.details()
    for needle in needles:
        assert needle in err.value.details(), err.value.details()
    return err.value


def test_agent_lifecycle(agents):
    config = agent_config(
        name="helper",
        instructions="Be brief.",
        max_infer_iters=3,
        client_tools=[{"name": "lookup", "description": "Look something up"}],
        toolgroups=[],
    )
    agent_id = agents.CreateAgent(pb.CreateAgentRequest(agent_config=config)).agent_id
    got = agents.GetAgent(pb.GetAgentRequest(agent_id=agent_id)).agent
    assert got.agent_id == agent_id and got.agent_config == config
    assert got.created_at.seconds > 0

    others = [_create(agents) for _ in range(2)]
    seen, token = [], ""
    while True:
        page = agents.ListAgents(pb.ListAgentsRequest(page_size=2, page_token=token))
        assert len(page.data) <= 2
        seen += [a.agent_id for a in page.data]
        token = page.next_page_token
        if not token:
            break
    assert seen.index(agent_id) < seen.index(others[0]) < seen.index(others[1])  # oldest first

    agents.DeleteAgent(pb.DeleteAgentRequest(agent_id=agent_id))
    err = _error(
        lambda: agents.GetAgent(pb.GetAgentRequest(agent_id=agent_id)),
        grpc.StatusCode.NOT_FOUND,
        agent_id,
    )
    assert reason(err) == "ERROR_REASON_OBJECT_NOT_FOUND"


def test_session_lifecycle(agents):
    agent_id = _create(agents)
    ids = [
        agents.CreateSession(
            pb.CreateSessionRequest(agent_id=agent_id, session_name=f"s{i}")
        ).session_id
        for i in range(3)
    ]
    session = agents.GetSession(pb.GetSessionRequest(agent_id=agent_id, session_id=ids[0])).session
    assert (session.session_name, session.agent_id, list(session.turns)) == ("s0", agent_id, [])
    listed = agents.ListSessions(pb.ListSessionsRequest(agent_id=agent_id)).data
    assert [s.session_id for s in listed] == ids

    agents.DeleteSession(pb.DeleteSessionRequest(agent_id=agent_id, session_id=ids[1]))
    _error(
        lambda: agents.GetSession(pb.GetSessionRequest(agent_id=agent_id, session_id=ids[1])),
        grpc.StatusCode.NOT_FOUND,
        ids[1],
    )
    # A session belongs to its agent: another agent's id does not reach it.
    other = _create(agents)
    _error(
        lambda: agents.GetSession(pb.GetSessionRequest(agent_id=other, session_id=ids[0])),
        grpc.StatusCode.NOT_FOUND,
    )
    # Deleting the agent deletes its sessions.
    agents.DeleteAgent(pb.DeleteAgentRequest(agent_id=agent_id))
    _error(
        lambda: agents.ListSessions(pb.ListSessionsRequest(agent_id=agent_id)),
        grpc.StatusCode.NOT_FOUND,
    )


@pytest.mark.parametrize(
    ("fields", "code", "needle"),
    [
        ({"model": ""}, grpc.StatusCode.INVALID_ARGUMENT, "agent_config.model is required"),
        ({"model": "no-such-model"}, grpc.StatusCode.NOT_FOUND, "no-such-model"),
        ({"max_infer_iters": 0}, grpc.StatusCode.INVALID_ARGUMENT, "max_infer_iters"),
        ({"max_infer_iters": 1000}, grpc.StatusCode.INVALID_ARGUMENT, "between 1 and 100"),
        ({"input_shields": ["no-such-shield"]}, grpc.StatusCode.NOT_FOUND, "no-such-shield"),
        ({"toolgroups": [{"name": "mcp::nope"}]}, grpc.StatusCode.NOT_FOUND, "mcp::nope"),
        (
            {"tool_config": {"tool_name": "missing"}},
            grpc.StatusCode.INVALID_ARGUMENT,
            "not one of the agent's tools",
        ),
        (
            {"tool_config": {"tool_choice": "TOOL_CHOICE_REQUIRED"}},
            grpc.StatusCode.INVALID_ARGUMENT,
            "has no tools",
        ),
        (
            {"client_tools": [{"name": "a"}, {"name": "a"}]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "defined twice",
        ),
    ],
)
def test_bad_agent_configs_say_what_to_fix(agents, fields, code, needle):
    _error(lambda: _create(agents, **fields), code, needle)


def test_missing_objects_are_not_found(agents):
    agent_id = _create(agents)
    session_id = agents.CreateSession(pb.CreateSessionRequest(agent_id=agent_id)).session_id
    for call in (
        lambda: agents.CreateSession(pb.CreateSessionRequest(agent_id="nope")),
        lambda: agents.GetTurn(
            pb.GetTurnRequest(agent_id=agent_id, session_id=session_id, turn_id="nope")
        ),
        lambda: agents.CreateTurn(
            pb.CreateTurnRequest(
                agent_id=agent_id,
                session_id="nope",
                messages=[{"role": "ROLE_USER", "content": [{"text": "hi"}]}],
            )
        ),
    ):
        _error(call, grpc.StatusCode.NOT_FOUND, "nope")


def test_bad_turn_requests_are_invalid(agents):
    agent_id = _create(agents)
    session_id = agents.CreateSession(pb.CreateSessionRequest(agent_id=agent_id)).session_id

    def turn(**fields):
        return lambda: agents.CreateTurn(
            pb.CreateTurnRequest(agent_id=agent_id, session_id=session_id, **fields)
        )

    _error(turn(), grpc.StatusCode.INVALID_ARGUMENT, "messages is required")
    _error(
        turn(messages=[{"role": "ROLE_SYSTEM", "content": [{"text": "x"}]}]),
        grpc.StatusCode.INVALID_ARGUMENT,
        "user and tool messages",
    )
    _error(
        turn(messages=[{"role": "ROLE_USER"}]), grpc.StatusCode.INVALID_ARGUMENT, "needs content"
    )
    _error(
        turn(
            messages=[{"role": "ROLE_USER", "content": [{"text": "x"}]}],
            documents=[{"url": {"uri": "https://example.com/a.txt"}}],
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "builtin::rag",
    )
    # Nothing was stored for the refused turns, and the session is free.
    session = agents.GetSession(pb.GetSessionRequest(agent_id=agent_id, session_id=session_id))
    assert list(session.session.turns) == []


def test_with_authentication_an_agent_is_its_creator_s(agents_mesh):
    """The gateway forwards the authenticated principal to the agents service (and drops any
    a client sends); here the service is called directly with it, as the gateway would."""
    alice = (("x-llamastack-principal", "alice"), ("x-llamastack-attributes", '{"roles":[]}'))
    bob = (("x-llamastack-principal", "bob"), ("x-llamastack-attributes", "{}"))
    with grpc.insecure_channel(agents_mesh.services["agents"].address) as channel:
        direct = agents_stub(channel)
        req = pb.CreateAgentRequest(agent_config=agent_config())
        agent_id = direct.CreateAgent(req, metadata=alice).agent_id
        owned = direct.GetAgent(pb.GetAgentRequest(agent_id=agent_id), metadata=alice).agent
        assert owned.owner.principal == "alice"
        session_id = direct.CreateSession(
            pb.CreateSessionRequest(agent_id=agent_id), metadata=alice
        ).session_id
        for call in (
            lambda: direct.GetAgent(pb.GetAgentRequest(agent_id=agent_id), metadata=bob),
            lambda: direct.GetSession(
                pb.GetSessionRequest(agent_id=agent_id, session_id=session_id), metadata=bob
            ),
            lambda: direct.DeleteAgent(pb.DeleteAgentRequest(agent_id=agent_id), metadata=bob),
            lambda: direct.GetAgent(pb.GetAgentRequest(agent_id=agent_id)),  # anonymous
        ):
            _error(call, grpc.StatusCode.NOT_FOUND, agent_id)
        listed = direct.ListAgents(pb.ListAgentsRequest(page_size=1000), metadata=bob).data
        assert agent_id not in [a.agent_id for a in listed]
        direct.DeleteAgent(pb.DeleteAgentRequest(agent_id=agent_id), metadata=alice)
