"""Generation runs off the event loop, queued requests are served in order, and a caller that
goes away stops its generation (the test service has one llama.cpp instance)."""

from __future__ import annotations

import asyncio
import re
import time

import grpc
import pytest

from llamastack.common.v1 import sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.inference.v1 import inference_service_pb2_grpc
from tests.integration.inference.mesh import EMBED, MODEL, metrics, sampling, text, user

pytestmark = pytest.mark.slow

#: A grammar that never completes: generation runs until max_tokens or cancellation.
ENDLESS = sampling_pb2.ResponseFormat(
    grammar=sampling_pb2.GrammarResponseFormat(bnf="root ::= [a-z ]+ root")
)
_CANCELLED = re.compile(r"generation cancelled by the caller after (\d+) of (\d+) tokens")


def endless(max_tokens: int = 1500) -> pb.StreamChatCompletionRequest:
    return pb.StreamChatCompletionRequest(
        model_id=MODEL,
        messages=[user("Write letters.")],
        sampling_params=sampling(max_tokens),
        response_format=ENDLESS,
    )


def cancellations(service) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in _CANCELLED.findall(service.log_path.read_text())]


def wait_for_cancellations(service, count: int, timeout: float = 30.0) -> list[tuple[int, int]]:
    deadline = time.monotonic() + timeout  # a hang guard, not a timing assertion
    while len(found := cancellations(service)) < count:
        assert time.monotonic() < deadline, service.tail()
        time.sleep(0.05)
    return found


def test_cancelled_stream_stops_its_generation(inference, inline_service):
    before = len(cancellations(inline_service))
    stream = inference.StreamChatCompletion(endless())
    for _ in range(3):
        next(stream)
    stream.cancel()
    # The only instance is free again: a new request is served.
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(model_id=MODEL, messages=[user("Hi")], sampling_params=sampling(3))
    )
    assert metrics(r)["completion_tokens"] > 0
    generated, budget = wait_for_cancellations(inline_service, before + 1)[-1]
    assert budget == 1500 and generated < budget


def test_deadline_stops_a_unary_generation(inference, inline_service):
    before = len(cancellations(inline_service))
    request = pb.ChatCompletionRequest.FromString(endless().SerializeToString())  # twins
    with pytest.raises(grpc.RpcError) as err:
        inference.ChatCompletion(request, timeout=1.5)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    generated, budget = wait_for_cancellations(inline_service, before + 1)[-1]
    assert generated < budget


async def test_queued_requests_are_served_in_arrival_order(inline_service):
    async with grpc.aio.insecure_channel(inline_service.address) as channel:
        stub = inference_service_pb2_grpc.InferenceServiceStub(channel)
        first = stub.StreamChatCompletion(endless(60))
        await first.read()  # START: the instance is busy with `first`
        order: list[str] = []

        async def client(name: str) -> None:
            async for _ in stub.StreamChatCompletion(endless(3)):
                if name not in order:
                    order.append(name)  # its first event: it got the instance

        tasks = []
        for name in ("b", "c", "d"):
            tasks.append(asyncio.create_task(client(name)))
            await asyncio.sleep(0.2)  # arrival order, not a timing assertion
        while await first.read() != grpc.aio.EOF:
            pass
        await asyncio.gather(*tasks)
    assert order == ["b", "c", "d"]


async def test_generation_does_not_block_other_calls(inline_service):
    async with grpc.aio.insecure_channel(inline_service.address) as channel:
        stub = inference_service_pb2_grpc.InferenceServiceStub(channel)
        long = stub.StreamChatCompletion(endless(400))
        await long.read()
        # The embeddings provider and the event loop keep answering meanwhile.
        r = await stub.Embeddings(pb.EmbeddingsRequest(model_id=EMBED, contents=[text("hi")]))
        assert len(r.embeddings[0].values) == 384
        assert long.done() is False
        long.cancel()
