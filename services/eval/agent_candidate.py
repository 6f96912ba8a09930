"""Agent candidates: each row is one turn of an agent, through the gateway's AgentsService.

The agent is created from the candidate's AgentConfig the first time a row needs it (once
per run of a job: a resumed job creates its own), and each row gets a session of its own
(named `eval-row`), so rows never see each other's history. The row's user messages (a
completion-style row's text as one user message) are the turn's input; the turn's output
message is `generated_answer`. The reference system does the same; like it, the agent and
its sessions stay afterwards, so every row's steps (inference, tool calls, shield calls) can
be read back with the agents API.

A row whose turn cannot finish is that row's error, not the job's: a shield violation is an
answer (the shield's message), a turn that waits for client tool results (eval cannot run
client tools) or fails says so in the row's `error`.
"""

from __future__ import annotations

import asyncio

import grpc
from google.protobuf import json_format

from llamastack.agents.v1 import agents_pb2 as agents
from llamastack.agents.v1 import agents_service_pb2 as pb
from llamastack.agents.v1 import agents_service_pb2_grpc as pb_grpc
from llamastack.common.v1 import content_pb2, message_pb2
from services.common.errors import InvalidArgument
from services.common.gateway_client import GatewayClient
from services.eval.generation import Generate, Generation, row_failure
from services.eval.rows import Prompt
from services.eval.types import Candidate

__all__ = ["agent_config", "agent_generator"]


def agent_config(candidate: Candidate) -> agents.AgentConfig:
    """The candidate's AgentConfig; INVALID_ARGUMENT when it has no model."""
    try:
        config = json_format.ParseDict(candidate.agent_config, agents.AgentConfig())
    except json_format.ParseError as exc:
        raise InvalidArgument(
            f"eval_candidate.agent.config is not an AgentConfig: {exc}",
            field="benchmark_config.eval_candidate.agent.config",
        ) from None
    if not config.model:
        raise InvalidArgument(
            "eval_candidate.agent.config.model is required (the model the agent runs on)",
            field="benchmark_config.eval_candidate.agent.config.model",
        )
    return config


def _user(text: str) -> message_pb2.Message:
    return message_pb2.Message(
        role=message_pb2.ROLE_USER, content=[content_pb2.ContentItem(text=text)]
    )


def _turn_messages(prompt: Prompt) -> list[message_pb2.Message]:
    if prompt.text is not None:
        return [_user(prompt.text)]
    # A turn takes user (and tool) messages; the agent's instructions are its system prompt.
    return [_user(text) for role, text in prompt.messages if role == "user"]


def _answer(turn: agents.Turn) -> tuple[str, str]:
    """(generated_answer, error) of a finished turn."""
    text = "".join(c.text for c in turn.output_message.content if c.text)
    if turn.status == agents.TURN_STATUS_AWAITING_INPUT:
        return "", "the agent called a client tool; eval cannot run client tools"
    if turn.status in (agents.TURN_STATUS_FAILED, agents.TURN_STATUS_CANCELLED):
        name = agents.TurnStatus.Name(turn.status).removeprefix("TURN_STATUS_")
        return text, f"the turn ended {name}: {turn.error}"
    return text, ""


def agent_generator(candidate: Candidate, gateway: GatewayClient, timeout: float) -> Generate:
    """`generate(prompt) -> Generation` running one agent turn per row."""
    config = agent_config(candidate)
    lock = asyncio.Lock()
    agent: dict[str, str] = {}

    async def agent_id(stub: pb_grpc.AgentsServiceStub) -> str:
        async with lock:
            if "id" not in agent:
                created = await stub.CreateAgent(
                    pb.CreateAgentRequest(agent_config=config), timeout=timeout
                )
                agent["id"] = created.agent_id
        return agent["id"]

    async def generate(prompt: Prompt) -> Generation:
        messages = _turn_messages(prompt)
        if not messages:
            return Generation("", "the row has no user message to start an agent turn with")
        stub = gateway.stub(pb_grpc.AgentsServiceStub)
        try:
            aid = await agent_id(stub)
            session = await stub.CreateSession(
                pb.CreateSessionRequest(agent_id=aid, session_name="eval-row"), timeout=timeout
            )
            done = await stub.CreateTurn(
                pb.CreateTurnRequest(
                    agent_id=aid, session_id=session.session_id, messages=messages
                ),
                timeout=timeout,
            )
        except grpc.aio.AioRpcError as err:
            return row_failure(err)
        return Generation(*_answer(done.turn))

    return generate
