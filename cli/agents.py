"""`llamastack agents ...`: agents, sessions and turns through the gateway.

    llamastack agents create -i "Be brief." --tool get_weather:'{"city": {"type": "string"}}'
    llamastack agents list | get AGENT | delete AGENT
    llamastack agents sessions create|list|get|delete AGENT [SESSION]
    llamastack agents turn AGENT SESSION "Hello" [--document FILE]
    llamastack agents resume AGENT SESSION TURN --result CALL_ID=TEXT
    llamastack agents chat [--agent A] [--session S]     a conversation that keeps its session

Turns live in `cli.agent_turns`, agent configs from options in `cli.agent_config`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.agent_config import build_config
from cli.agent_turns import chat, resume, turn
from cli.chat import first_llm
from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    all_items,
    connect,
    err,
    out,
    print_json,
    print_table,
    to_dict,
)
from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.agents.v1 import agents_service_pb2_grpc

__all__ = ["agents_app"]

agents_app = typer.Typer(help="Agents, sessions and turns.", no_args_is_help=True)
sessions_app = typer.Typer(help="Sessions of an agent.", no_args_is_help=True)
agents_app.add_typer(sessions_app, name="sessions")


def _stub(channel: Any) -> agents_service_pb2_grpc.AgentsServiceStub:
    return agents_service_pb2_grpc.AgentsServiceStub(channel)


@agents_app.command("create")
def create(
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="LLM (default: first).")
    ] = None,
    instructions: Annotated[str | None, typer.Option("--instructions", "-i")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    tool: Annotated[
        list[str] | None, typer.Option("--tool", help="Client tool NAME[:SCHEMA].")
    ] = None,
    group: Annotated[list[str] | None, typer.Option("--toolgroup", help="GROUP[=ARGS].")] = None,
    input_shield: Annotated[list[str] | None, typer.Option("--input-shield")] = None,
    output_shield: Annotated[list[str] | None, typer.Option("--output-shield")] = None,
    tool_choice: Annotated[
        str | None, typer.Option("--tool-choice", help="auto|required|none|NAME.")
    ] = None,
    max_infer_iters: Annotated[int | None, typer.Option("--max-infer-iters", min=1)] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens", min=1)] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Create an agent; prints its id."""
    with connect(gateway) as channel:
        config = build_config(
            model or first_llm(channel, timeout),
            instructions=instructions,
            name=name,
            tools=tool,
            groups=group,
            input_shields=input_shield,
            output_shields=output_shield,
            tool_choice=tool_choice,
            max_infer_iters=max_infer_iters,
            max_tokens=max_tokens,
        )
        resp = _stub(channel).CreateAgent(
            pb.CreateAgentRequest(agent_config=config), timeout=timeout
        )
    out.print(resp.agent_id)


@agents_app.command("list")
def list_agents(
    gateway: GatewayOpt = DEFAULT_GATEWAY, as_json: JsonOpt = False, timeout: TimeoutOpt = 30.0
) -> None:
    """List agents, oldest first."""
    with connect(gateway) as channel:
        req = pb.ListAgentsRequest(page_size=1000)
        items = list(all_items(_stub(channel).ListAgents, req, timeout))
    if as_json:
        print_json([to_dict(a) for a in items])
        return
    rows = [
        [
            a.agent_id,
            a.agent_config.name,
            a.agent_config.model,
            a.created_at.ToDatetime().isoformat(timespec="seconds"),
        ]
        for a in items
    ]
    print_table(["AGENT", "NAME", "MODEL", "CREATED"], rows, "no agents")


@agents_app.command("get")
def get(agent_id: str, gateway: GatewayOpt = DEFAULT_GATEWAY, timeout: TimeoutOpt = 30.0) -> None:
    """An agent and its config (JSON)."""
    with connect(gateway) as channel:
        print_json(
            _stub(channel).GetAgent(pb.GetAgentRequest(agent_id=agent_id), timeout=timeout).agent
        )


@agents_app.command("delete")
def delete(
    agent_id: str, gateway: GatewayOpt = DEFAULT_GATEWAY, timeout: TimeoutOpt = 30.0
) -> None:
    """Delete an agent with its sessions and turns."""
    with connect(gateway) as channel:
        _stub(channel).DeleteAgent(pb.DeleteAgentRequest(agent_id=agent_id), timeout=timeout)
    err.print(f"deleted agent {agent_id}")


@sessions_app.command("create")
def session_create(
    agent_id: str,
    name: Annotated[str, typer.Option("--name")] = "",
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Create a session; prints its id."""
    with connect(gateway) as channel:
        req = pb.CreateSessionRequest(agent_id=agent_id, session_name=name)
        out.print(_stub(channel).CreateSession(req, timeout=timeout).session_id)


@sessions_app.command("list")
def session_list(
    agent_id: str,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """List an agent's sessions, oldest first."""
    with connect(gateway) as channel:
        req = pb.ListSessionsRequest(agent_id=agent_id, page_size=1000)
        items = list(all_items(_stub(channel).ListSessions, req, timeout))
    if as_json:
        print_json([to_dict(s) for s in items])
        return
    rows = [
        [s.session_id, s.session_name, s.started_at.ToDatetime().isoformat(timespec="seconds")]
        for s in items
    ]
    print_table(["SESSION", "NAME", "STARTED"], rows, "no sessions")


@sessions_app.command("get")
def session_get(
    agent_id: str,
    session_id: str,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """A session with its turns (JSON)."""
    with connect(gateway) as channel:
        req = pb.GetSessionRequest(agent_id=agent_id, session_id=session_id)
        print_json(_stub(channel).GetSession(req, timeout=timeout).session)


@sessions_app.command("delete")
def session_delete(
    agent_id: str,
    session_id: str,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Delete a session with its turns."""
    with connect(gateway) as channel:
        req = pb.DeleteSessionRequest(agent_id=agent_id, session_id=session_id)
        _stub(channel).DeleteSession(req, timeout=timeout)
    err.print(f"deleted session {session_id}")


agents_app.command("turn")(turn)
agents_app.command("resume")(resume)
agents_app.command("chat")(chat)
