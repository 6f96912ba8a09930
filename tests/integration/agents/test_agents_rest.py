"""Agents over REST: a real Envoy (gRPC-JSON transcoding, SSE) in front of the agents mesh."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.integration.agents.mesh import MODEL
from tests.integration.rest.envoy_proc import EnvoyProcess


@pytest.fixture(scope="module")
def rest(agents_mesh, tmp_path_factory):
    envoy = EnvoyProcess(tmp_path_factory.mktemp("agents-envoy"), agents_mesh.gateway_addr)
    envoy.start()
    try:
        with httpx.Client(base_url=envoy.base_url, timeout=120.0) as client:
            yield client
    finally:
        envoy.stop()


def _user(text: str) -> dict:
    return {"role": "ROLE_USER", "content": [{"text": text}]}


def _sse(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    text = response.text
    return [json.loads(b.removeprefix("data: ")) for b in text.split("\n\n") if b.strip()]


def test_agent_session_and_turns_over_rest(rest):
    config = {
        "model": MODEL,
        "instructions": "You are a helpful assistant.",
        "sampling_params": {"greedy": {}, "max_tokens": 24},
        "client_tools": [
            {
                "name": "get_weather",
                "description": "Get the current weather in a city",
                "parameters": [{"name": "city", "parameter_type": "string"}],
            }
        ],
        "tool_config": {"tool_name": "get_weather"},
    }
    r = rest.post("/v1/agents", json={"agent_config": config})
    assert r.status_code == 200, r.text
    agent_id = r.json()["agent_id"]
    r = rest.get(f"/v1/agents/{agent_id}")
    assert r.status_code == 200 and r.json()["agent_config"]["model"] == MODEL, r.text
    r = rest.post(f"/v1/agents/{agent_id}/session", json={"session_name": "rest"})
    session_id = r.json()["session_id"]
    base = f"/v1/agents/{agent_id}/session/{session_id}"

    # Unary turn: the bare Turn, awaiting the client tool.
    r = rest.post(f"{base}/turn", json={"messages": [_user("What is the weather in Paris?")]})
    assert r.status_code == 200, r.text
    turn = r.json()
    assert turn["status"] == "TURN_STATUS_AWAITING_INPUT"
    call = turn["output_message"]["tool_calls"][0]
    assert call["tool_name"] == "get_weather"

    # A new turn now is refused with a message that says what to do.
    r = rest.post(f"{base}/turn", json={"messages": [_user("Hi")]})
    assert r.status_code == 400 and "ResumeTurn" in r.json()["message"], r.text

    # Streamed resume over SSE.
    body = {"tool_responses": [{"call_id": call["call_id"], "content": [{"text": "Sunny, 24 C"}]}]}
    r = rest.post(f"{base}/turn/{turn['turn_id']}/resume:stream", json=body)
    events = [e["event"] for e in _sse(r)]
    assert next(iter(events[0])) == "turn_start"
    assert next(iter(events[1])) == "step_complete"
    done = events[-1]["turn_complete"]["turn"]
    assert done["status"] == "TURN_STATUS_COMPLETED"

    # Streamed new turn; then the stored session holds both turns.
    r = rest.post(f"{base}/turn:stream", json={"messages": [_user("Thanks!")]})
    kinds = [next(iter(e["event"])) for e in _sse(r)]
    assert kinds[0] == "turn_start" and kinds[-1] == "turn_awaiting_input", kinds
    r = rest.get(base)
    assert r.status_code == 200
    assert r.json()["turns"][0]["turn_id"] == turn["turn_id"]
    step_id = done["steps"][0]["step_id"]
    r = rest.get(f"{base}/turn/{turn['turn_id']}/step/{step_id}")
    assert r.status_code == 200 and r.json()["step"]["step_id"] == step_id, r.text
    r = rest.get(f"/v1/agents/{agent_id}/sessions")
    assert [s["session_id"] for s in r.json()["data"]] == [session_id]

    assert rest.delete(base).status_code == 200
    assert rest.delete(f"/v1/agents/{agent_id}").status_code == 200
    r = rest.get(f"/v1/agents/{agent_id}")
    assert r.status_code == 404 and agent_id in r.json()["message"], r.text


def test_rest_errors(rest):
    r = rest.post("/v1/agents", json={"agent_config": {"model": "no-such-model"}})
    assert r.status_code == 404 and "no-such-model" in r.json()["message"], r.text
    r = rest.post("/v1/agents", json={"agent_config": {"model": MODEL, "max_infer_iters": 0}})
    assert r.status_code == 400 and "max_infer_iters" in r.json()["message"], r.text
    r = rest.post("/v1/agents/nope/session/nope/turn", json={"messages": [_user("x")]})
    assert r.status_code == 404, r.text
