"""The same greedy request gives the same answer, whatever ran before on the same instance:
unary and streaming, directly and through the gateway (llama.cpp's prompt-cache reuse is cut
to whole chunks a fresh evaluation computes identically; see the llama_cpp engine)."""

from __future__ import annotations

import grpc
import pytest

from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.inference.v1 import inference_service_pb2_grpc
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc
from tests.integration.inference.mesh import MODEL, sampling, system, text, user

pytestmark = pytest.mark.slow

QUESTION = "Name a colour."
#: A conversation long enough to fill several prompt chunks, ending with the question.
HISTORY = [
    system("You are a helpful assistant who answers in one short sentence."),
    user("Tell me about the sea, the sky and the mountains of the north."),
    message_pb2.Message(
        role=message_pb2.ROLE_ASSISTANT,
        content=[text("The sea is deep and blue, the sky is wide, the mountains are tall. " * 4)],
    ),
]


def _ask(stub, model: str, messages, stream: bool) -> str:
    req = dict(model_id=model, messages=messages, sampling_params=sampling(16))
    if stream:
        chunks = stub.StreamChatCompletion(pb.StreamChatCompletionRequest(**req), timeout=120)
        return "".join(c.event.delta.text for c in chunks)
    return (
        stub.ChatCompletion(pb.ChatCompletionRequest(**req), timeout=120)
        .completion_message.content[0]
        .text
    )


def _interleaved(stub, model: str, messages) -> list[str]:
    """The same request six times, alternating unary and streaming, twice in a row (the
    whole prompt is cached then) and with other requests (short, long, sharing its prefix)
    in between."""
    others = [
        [user("What is 2+2?")],
        [*HISTORY, user("Name an animal.")],
        [*HISTORY, user(QUESTION), message_pb2.Message(
            role=message_pb2.ROLE_ASSISTANT, content=[text("Blue.")]), user("Another one?")],
        [user("Write a long sentence about rivers and lakes and the weather in spring.")],
    ]  # fmt: skip
    answers = []
    for i in range(6):
        answers.append(_ask(stub, model, messages, stream=bool(i % 2)))
        if i % 2:
            _ask(stub, model, others[i // 2 % len(others)], stream=bool(i % 3))
    return answers


@pytest.mark.parametrize("messages", [[user(QUESTION)], [*HISTORY, user(QUESTION)]],
                         ids=["short", "multi-chunk"])  # fmt: skip
def test_greedy_answers_are_identical_whatever_ran_before(inference, messages):
    answers = _interleaved(inference, MODEL, messages)
    assert answers[0].strip()
    assert answers == [answers[0]] * len(answers)


def test_greedy_answers_are_identical_through_the_gateway(inference, inference_gateway):
    with grpc.insecure_channel(inference_gateway.address) as channel:
        model_service_pb2_grpc.ModelServiceStub(channel).RegisterModel(
            model_service_pb2.RegisterModelRequest(
                model_id="repro-smol", provider_id="llama-cpp", provider_model_id=MODEL
            ),
            timeout=60,
        )
        via_gateway = _interleaved(
            inference_service_pb2_grpc.InferenceServiceStub(channel),
            "repro-smol",
            [*HISTORY, user(QUESTION)],
        )
    direct = _ask(inference, MODEL, [*HISTORY, user(QUESTION)], stream=False)
    assert via_gateway == [direct] * len(via_gateway)
