"""Candidates: what generates an answer for a row, through the gateway.

A candidate is one async function `generate(prompt) -> Generation`. Model candidates call
chat completion (or completion) with the candidate's sampling params and system message;
agent candidates run one agent turn per row (`agent_candidate.py`).
"""

from __future__ import annotations

import grpc
from google.protobuf import json_format

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inference_pb
from llamastack.inference.v1 import inference_service_pb2_grpc as inference_grpc
from services.common.gateway_client import GatewayClient
from services.eval.agent_candidate import agent_config, agent_generator
from services.eval.generation import TRANSIENT, Generate, Generation, row_failure
from services.eval.rows import Prompt
from services.eval.types import Candidate

__all__ = ["TRANSIENT", "Generate", "Generation", "candidate_model", "generator"]
_ROLES = {
    "system": message_pb2.ROLE_SYSTEM,
    "user": message_pb2.ROLE_USER,
    "assistant": message_pb2.ROLE_ASSISTANT,
}


def candidate_model(candidate: Candidate) -> str:
    """The model a candidate runs on (checked at submission); INVALID_ARGUMENT for an agent
    config that is not one or names no model."""
    if candidate.kind == "agent":
        return agent_config(candidate).model
    return candidate.model


def generator(candidate: Candidate, gateway: GatewayClient, timeout: float) -> Generate:
    if candidate.kind == "agent":
        return agent_generator(candidate, gateway, timeout)
    return _model_generator(candidate, gateway, timeout)


def _message(role: str, text: str) -> message_pb2.Message:
    return message_pb2.Message(role=_ROLES[role], content=[content_pb2.ContentItem(text=text)])


def _model_generator(candidate: Candidate, gateway: GatewayClient, timeout: float) -> Generate:
    sampling = json_format.ParseDict(candidate.sampling_params, sampling_pb2.SamplingParams())
    system = (
        json_format.ParseDict(candidate.system_message, message_pb2.Message())
        if candidate.system_message
        else None
    )

    async def generate(prompt: Prompt) -> Generation:
        stub = gateway.stub(inference_grpc.InferenceServiceStub)
        try:
            if prompt.text is not None:
                resp = await stub.Completion(
                    inference_pb.CompletionRequest(
                        model_id=candidate.model,
                        content=[content_pb2.ContentItem(text=prompt.text)],
                        sampling_params=sampling,
                    ),
                    timeout=timeout,
                )
                return Generation(resp.content)
            messages = [_message(role, text) for role, text in prompt.messages]
            if system is not None:
                messages.insert(0, system)
            chat = await stub.ChatCompletion(
                inference_pb.ChatCompletionRequest(
                    model_id=candidate.model, messages=messages, sampling_params=sampling
                ),
                timeout=timeout,
            )
        except grpc.aio.AioRpcError as err:
            return row_failure(err)
        return Generation("".join(c.text for c in chat.completion_message.content if c.text))

    return generate
