"""`llamastack agents ...` against the real agents mesh."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.integration.agents.mesh import MODEL

WEATHER = 'get_weather:{"city": {"type": "string"}}'


@pytest.fixture
def cli(agents_mesh, monkeypatch):
    monkeypatch.setenv("LLS_GATEWAY_ADDR", agents_mesh.gateway_addr)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return result

    return invoke


def test_agents_sessions_and_a_paused_turn(cli):
    created = cli("agents", "create", "-m", MODEL, "--name", "cli-agent", "--tool", WEATHER,
                  "--tool-choice", "get_weather", "--max-tokens", "24")  # fmt: skip
    assert created.exit_code == 0, created.output
    agent_id = created.stdout.strip()
    listed = cli("agents", "list")
    assert agent_id in listed.stdout and "cli-agent" in listed.stdout
    config = json.loads(cli("agents", "get", agent_id).stdout)["agent_config"]
    assert config["client_tools"][0]["parameters"][0]["name"] == "city"

    session_id = cli("agents", "sessions", "create", agent_id, "--name", "s").stdout.strip()
    assert session_id in cli("agents", "sessions", "list", agent_id).stdout

    paused = cli("agents", "turn", agent_id, session_id, "What is the weather in Paris?")
    assert paused.exit_code == 0, paused.output
    call = json.loads(paused.stdout.strip().splitlines()[-1])
    assert call["tool_name"] == "get_weather" and call["arguments"] == {"city": "Paris"}
    assert "agents resume" in paused.stderr
    turn_id = json.loads(cli("agents", "sessions", "get", agent_id, session_id).stdout)["turns"][0][
        "turn_id"
    ]
    resumed = cli("agents", "resume", agent_id, session_id, turn_id,
                  "--result", f"{call['call_id']}=Sunny, 24 degrees Celsius")  # fmt: skip
    assert resumed.exit_code == 0, resumed.output
    assert "24" in resumed.stdout

    bad = cli("agents", "resume", agent_id, session_id, turn_id, "--result", "x=y")
    assert bad.exit_code == 1 and "FAILED_PRECONDITION" in bad.stderr

    assert cli("agents", "sessions", "delete", agent_id, session_id).exit_code == 0
    assert cli("agents", "delete", agent_id).exit_code == 0
    missing = cli("agents", "get", agent_id)
    assert missing.exit_code == 1 and "NOT_FOUND" in missing.stderr


def test_chat_keeps_its_session_and_asks_for_tool_results(cli):
    agent_id = cli("agents", "create", "-m", MODEL, "-i", "You are a helpful assistant.",
                   "--tool", WEATHER, "--tool-choice", "get_weather").stdout.strip()  # fmt: skip
    session_id = cli("agents", "sessions", "create", agent_id).stdout.strip()
    result = cli(
        "agents", "chat", "--agent", agent_id, "--session", session_id,
        input="What is the weather in Paris?\nSunny, 24 degrees Celsius\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert 'result of get_weather({"city": "Paris"})' in result.stderr
    assert "24" in result.stdout, result.stderr
    assert f"--agent {agent_id} --session {session_id}" in result.stderr.splitlines()[-1]
    session = json.loads(cli("agents", "sessions", "get", agent_id, session_id).stdout)
    (turn,) = session["turns"]
    assert turn["status"] == "TURN_STATUS_COMPLETED"
    kinds = [next(k for k in ("inference", "tool_execution") if k in s) for s in turn["steps"]]
    assert kinds == ["inference", "tool_execution", "inference"]
