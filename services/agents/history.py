"""The conversation the model sees, rebuilt from stored turns (nothing kept in memory).

A finished turn contributes its input messages, the model responses that led to tool calls,
the tool results, and its output message (which stands for the last model response: an
output shield may have replaced it). Repeated calls answered from earlier results are left
out. Failed and cancelled turns contribute nothing. Context
retrieved from memory is not re-sent in later turns (as in the reference): it is in the
memory_retrieval step, and attached to the last user message only during its own turn.
"""

from __future__ import annotations

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import message_pb2

__all__ = ["conversation", "only_repeats", "retrieved_context", "tool_message", "turn_messages"]


def tool_message(response: pb.ToolResponse) -> message_pb2.Message:
    return message_pb2.Message(
        role=message_pb2.ROLE_TOOL, call_id=response.call_id, content=response.content
    )


def turn_messages(turn: pb.Turn) -> list[message_pb2.Message]:
    """What a turn adds to the conversation (for a turn still running: so far)."""
    finished = turn.status == pb.TURN_STATUS_COMPLETED
    out = list(turn.input_messages)
    inference = [i for i, s in enumerate(turn.steps) if s.WhichOneof("details") == "inference"]
    replaced = inference[-1] if finished and inference else None
    skipped = _repeats(turn)
    for i, step in enumerate(turn.steps):
        kind = step.WhichOneof("details")
        if i in skipped:
            continue
        if kind == "inference" and i != replaced:
            out.append(step.inference.model_response)
        elif kind == "tool_execution":
            out += [tool_message(r) for r in step.tool_execution.tool_responses]
    if finished and turn.HasField("output_message"):
        out.append(turn.output_message)
    return out


def only_repeats(step: pb.Step) -> bool:
    """A tool step that answered only calls the turn had made before (`repeat_of`)."""
    responses = step.tool_execution.tool_responses
    return bool(responses) and all("repeat_of" in r.metadata for r in responses)


def _repeats(turn: pb.Turn) -> set[int]:
    """Steps left out of the conversation: a model call that only repeated calls the turn had
    already made, and the step that answered them from earlier results (the model sees its
    first call and result once, not a loop it might copy)."""
    out: set[int] = set()
    for i, step in enumerate(turn.steps):
        if only_repeats(step):
            out.add(i)
            if i and turn.steps[i - 1].WhichOneof("details") == "inference":
                out.add(i - 1)
    return out


def conversation(
    instructions: str, earlier: list[pb.Turn], current: pb.Turn
) -> list[message_pb2.Message]:
    """System message, the session's finished turns, then the current turn so far (with
    its retrieved context on its last user message)."""
    out = []
    if instructions:
        out.append(
            message_pb2.Message(role=message_pb2.ROLE_SYSTEM, content=[{"text": instructions}])
        )
    for turn in earlier:
        if turn.status == pb.TURN_STATUS_COMPLETED and turn.turn_id != current.turn_id:
            out += turn_messages(turn)
    now = turn_messages(current)
    context = retrieved_context(current)
    if context:
        users = [i for i, m in enumerate(current.input_messages) if m.role == message_pb2.ROLE_USER]
        if users:
            message = message_pb2.Message()
            message.CopyFrom(now[users[-1]])
            message.context.extend(context)
            now[users[-1]] = message
    return out + now


def retrieved_context(turn: pb.Turn) -> list:
    for step in turn.steps:
        if step.WhichOneof("details") == "memory_retrieval":
            return list(step.memory_retrieval.inserted_context)
    return []
