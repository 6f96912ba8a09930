"""The events of a streamed turn (`AgentTurnResponseEvent`), and new steps."""

from __future__ import annotations

import uuid
from typing import Any

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.inference.v1 import inference_pb2
from services.agents.store import now

__all__ = [
    "Event",
    "new_step",
    "step_complete",
    "step_progress",
    "step_start",
    "step_type",
    "turn_awaiting_input",
    "turn_complete",
    "turn_start",
]

Event = pb.AgentTurnResponseEvent

_TYPES = {
    "inference": pb.STEP_TYPE_INFERENCE,
    "tool_execution": pb.STEP_TYPE_TOOL_EXECUTION,
    "shield_call": pb.STEP_TYPE_SHIELD_CALL,
    "memory_retrieval": pb.STEP_TYPE_MEMORY_RETRIEVAL,
}


def new_step(turn_id: str, kind: str) -> pb.Step:
    """A started step of the given kind (`inference`, `tool_execution`...), details empty."""
    step = pb.Step(turn_id=turn_id, step_id=str(uuid.uuid4()), started_at=now())
    getattr(step, kind).SetInParent()
    return step


def step_type(step: pb.Step) -> int:
    return _TYPES[step.WhichOneof("details")]


def turn_start(turn_id: str) -> Event:
    return Event(turn_start=pb.TurnStartPayload(turn_id=turn_id))


def step_start(step: pb.Step, **metadata: Any) -> Event:
    event = Event(step_start=pb.StepStartPayload(step_type=step_type(step), step_id=step.step_id))
    if metadata:
        event.step_start.metadata.update(metadata)
    return event


def step_progress(step: pb.Step, delta: inference_pb2.ContentDelta) -> Event:
    return Event(
        step_progress=pb.StepProgressPayload(
            step_type=step_type(step), step_id=step.step_id, delta=delta
        )
    )


def step_complete(step: pb.Step) -> Event:
    return Event(
        step_complete=pb.StepCompletePayload(
            step_type=step_type(step), step_id=step.step_id, step_details=step
        )
    )


def turn_complete(turn: pb.Turn) -> Event:
    return Event(turn_complete=pb.TurnCompletePayload(turn=turn))


def turn_awaiting_input(turn: pb.Turn) -> Event:
    return Event(turn_awaiting_input=pb.TurnAwaitingInputPayload(turn=turn))
