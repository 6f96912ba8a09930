"""`llamastack agents turn|resume|chat`: turns streamed to the terminal.

Answers stream to stdout; steps (tools, shields, memory) show on stderr as they happen. A turn
that needs client tool results prints the calls (JSON lines) and how to resume it; `chat`
asks for the results instead and keeps one session across turns.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from google.protobuf import json_format

from cli.agent_config import build_config
from cli.chat import first_llm
from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    bad_input,
    connect,
    err,
    print_json,
    to_dict,
)
from llamastack.agents.v1 import agents_pb2, agents_service_pb2_grpc
from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.inference.v1 import inference_pb2

__all__ = ["chat", "resume", "turn"]

TurnTimeout = Annotated[float, typer.Option("--timeout", min=0.1, help="Deadline of a turn (s).")]


def _stub(channel: Any) -> agents_service_pb2_grpc.AgentsServiceStub:
    return agents_service_pb2_grpc.AgentsServiceStub(channel)


def _document(path: str) -> dict[str, Any]:
    try:
        return {"content": [{"text": Path(path).read_text()}], "mime_type": "text/plain"}
    except OSError as exc:
        bad_input(f"--document {path}: {exc.strerror}")


def turn(
    agent_id: str,
    session_id: str,
    message: str,
    document: Annotated[list[str] | None, typer.Option("--document", help="A text file.")] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TurnTimeout = 600.0,
) -> None:
    """Run one turn, streaming the answer."""
    fields = {
        "agent_id": agent_id,
        "session_id": session_id,
        "messages": [_user(message)],
        "documents": [_document(d) for d in document or []],
    }
    with connect(gateway) as channel:
        req = json_format.ParseDict(fields, pb.StreamTurnRequest())
        _show(_stub(channel).StreamTurn(req, timeout=timeout), as_json, (agent_id, session_id))


def resume(
    agent_id: str,
    session_id: str,
    turn_id: str,
    result: Annotated[list[str], typer.Option("--result", help="CALL_ID=TEXT (repeat).")],
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TurnTimeout = 600.0,
) -> None:
    """Resume a turn awaiting client tool results."""
    responses = []
    for item in result:
        call_id, sep, text = item.partition("=")
        if not sep or not call_id:
            bad_input(f"--result {item!r}: give CALL_ID=TEXT")
        responses.append({"call_id": call_id, "content": [{"text": text}]})
    with connect(gateway) as channel:
        req = pb.StreamResumeTurnRequest(
            agent_id=agent_id, session_id=session_id, turn_id=turn_id, tool_responses=responses
        )
        stream = _stub(channel).StreamResumeTurn(req, timeout=timeout)
        _show(stream, as_json, (agent_id, session_id))


def _show(stream: Any, as_json: bool, hint: tuple[str, str] | None) -> agents_pb2.Turn:
    """Print a turn's events; the turn it ends with. `hint`: (agent, session) to print the
    calls of a turn awaiting client tool results and how to resume it."""
    done = None
    try:
        for chunk in stream:
            if as_json:
                print_json(chunk.event)
            done = _render(chunk.event, not as_json) or done
    except KeyboardInterrupt:
        stream.cancel()
        sys.stdout.write("\n")
        raise typer.Exit(130) from None
    if done is None:
        raise typer.Exit(1)
    if done.status == agents_pb2.TURN_STATUS_AWAITING_INPUT and hint and not as_json:
        for call in done.output_message.tool_calls:
            sys.stdout.write(json.dumps(to_dict(call), ensure_ascii=False) + "\n")
        err.print(
            f"[yellow]awaiting client tool results[/]: llamastack agents resume {hint[0]} "
            f"{hint[1]} {done.turn_id} --result CALL_ID=TEXT"
        )
    return done


def _render(event: agents_pb2.AgentTurnResponseEvent, show: bool) -> agents_pb2.Turn | None:
    kind = event.WhichOneof("payload")
    if kind in ("turn_complete", "turn_awaiting_input"):
        if show:
            sys.stdout.write("\n")
            sys.stdout.flush()
        return getattr(event, kind).turn
    if not show:
        return None
    if kind == "step_progress":
        delta = event.step_progress.delta
        call = delta.tool_call
        failed = call.parse_status == inference_pb2.TOOL_CALL_PARSE_STATUS_FAILED
        text = delta.text if delta.WhichOneof("delta") == "text" else call.text if failed else ""
        sys.stdout.write(text)  # a call that did not parse is the model's answer
        sys.stdout.flush()
    elif kind == "step_complete":
        step = event.step_complete.step_details
        details = step.WhichOneof("details")
        if details == "tool_execution" and step.tool_execution.tool_responses:
            names = ", ".join(c.tool_name for c in step.tool_execution.tool_calls)
            err.print(f"[dim][tools] {names}[/]")
        elif details == "shield_call" and step.shield_call.HasField("violation"):
            err.print(f"[red][shield] {step.shield_call.violation.user_message}[/]")
        elif details == "memory_retrieval":
            err.print(f"[dim][memory] {len(step.memory_retrieval.inserted_context)} items[/]")
    return None


def chat(
    agent: Annotated[
        str | None, typer.Option("--agent", help="Agent id (default: a new one).")
    ] = None,
    session: Annotated[str | None, typer.Option("--session", help="Continue this session.")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m")] = None,
    instructions: Annotated[str | None, typer.Option("--instructions", "-i")] = None,
    tool: Annotated[
        list[str] | None, typer.Option("--tool", help="Client tool NAME[:SCHEMA].")
    ] = None,
    group: Annotated[list[str] | None, typer.Option("--toolgroup", help="GROUP[=ARGS].")] = None,
    tool_choice: Annotated[
        str | None, typer.Option("--tool-choice", help="auto|required|none|NAME.")
    ] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TurnTimeout = 600.0,
) -> None:
    """Chat with an agent, keeping one session.

    Each line of input is a turn; client tool calls ask for their results. End with an empty
    line, `exit` or Ctrl-D.
    """
    with connect(gateway) as channel:
        stub = _stub(channel)
        if agent is None:
            model = model or first_llm(channel, 30.0)
            config = build_config(
                model, instructions=instructions, tools=tool, groups=group, tool_choice=tool_choice
            )
            agent = stub.CreateAgent(pb.CreateAgentRequest(agent_config=config), timeout=60)
            agent = agent.agent_id
        if session is None:
            req = pb.CreateSessionRequest(agent_id=agent, session_name="cli chat")
            session = stub.CreateSession(req, timeout=60).session_id
        err.print(f"[dim]agent {agent}  session {session}[/]")
        while (line := _ask("> ")) not in (None, "", "exit", "quit"):
            req = json_format.ParseDict(
                {"agent_id": agent, "session_id": session, "messages": [_user(line)]},
                pb.StreamTurnRequest(),
            )
            done = _show(stub.StreamTurn(req, timeout=timeout), False, None)
            while done.status == agents_pb2.TURN_STATUS_AWAITING_INPUT:
                resume_req = pb.StreamResumeTurnRequest(
                    agent_id=agent, session_id=session, turn_id=done.turn_id,
                    tool_responses=[_ask_result(c) for c in done.output_message.tool_calls],
                )  # fmt: skip
                done = _show(stub.StreamResumeTurn(resume_req, timeout=timeout), False, None)
        err.print(f"[dim]session {session} kept: --agent {agent} --session {session}[/]")


def _user(text: str) -> dict[str, Any]:
    return {"role": "ROLE_USER", "content": [{"text": text}]}


def _ask_result(call: Any) -> dict[str, Any]:
    args = json.dumps(to_dict(call.arguments)) if call.HasField("arguments") else "{}"
    text = _ask(f"result of {call.tool_name}({args}): ") or ""
    return {"call_id": call.call_id, "content": [{"text": text}]}


def _ask(prompt: str) -> str | None:
    err.print(prompt, end="")
    line = sys.stdin.readline()
    return line.strip() if line else None
