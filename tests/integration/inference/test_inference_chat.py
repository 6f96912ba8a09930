"""Chat and text completion against the real SmolLM2 model in a real inference process."""

from __future__ import annotations

import grpc
import pytest

from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from tests.integration.inference.mesh import MODEL, metrics, sampling, text, user

pytestmark = pytest.mark.slow

EventType = inference_pb2.ChatCompletionEventType


def test_chat_completion_answers_with_metrics(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL, messages=[user("What is 2+2?")], sampling_params=sampling(12)
        )
    )
    msg = r.completion_message
    assert msg.role == message_pb2.ROLE_ASSISTANT
    assert msg.content[0].text.strip()
    assert msg.stop_reason in (
        message_pb2.STOP_REASON_END_OF_TURN,
        message_pb2.STOP_REASON_OUT_OF_TOKENS,
    )
    m = metrics(r)
    assert m["prompt_tokens"] > 0 and 0 < m["completion_tokens"] <= 12
    assert m["total_tokens"] == m["prompt_tokens"] + m["completion_tokens"]


def test_max_tokens_is_respected_and_reported(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("Write a long story about a dragon.")],
            sampling_params=sampling(5),
        )
    )
    assert r.completion_message.stop_reason == message_pb2.STOP_REASON_OUT_OF_TOKENS
    assert metrics(r)["completion_tokens"] == 5


def test_zero_max_tokens_uses_the_provider_default(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL, messages=[user("Write a long story about a dragon.")]
        )
    )
    assert 0 < metrics(r)["completion_tokens"] <= 48  # default_max_tokens in the test config


def test_stream_chat_completion_event_order(inference):
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(
                model_id=MODEL, messages=[user("Say hello.")], sampling_params=sampling(8)
            )
        )
    )
    kinds = [e.event.event_type for e in events]
    assert kinds[0] == EventType.CHAT_COMPLETION_EVENT_TYPE_START
    assert kinds[-1] == EventType.CHAT_COMPLETION_EVENT_TYPE_COMPLETE
    assert set(kinds[1:-1]) == {EventType.CHAT_COMPLETION_EVENT_TYPE_PROGRESS}
    assert "".join(e.event.delta.text for e in events).strip()
    last = events[-1]
    assert last.event.stop_reason != message_pb2.STOP_REASON_UNSPECIFIED
    assert set(metrics(last)) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert all(not e.metrics for e in events[:-1])


def test_stream_and_unary_agree_under_greedy_sampling(inference):
    req = dict(model_id=MODEL, messages=[user("Name a colour.")], sampling_params=sampling(10))
    unary = inference.ChatCompletion(pb.ChatCompletionRequest(**req))
    streamed = "".join(
        e.event.delta.text
        for e in inference.StreamChatCompletion(pb.StreamChatCompletionRequest(**req))
    )
    assert unary.completion_message.content[0].text == streamed


def test_stop_sequence_cuts_the_output(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("Count from 1 to 10, separated by commas.")],
            sampling_params=sampling(40, stop=["5"]),
        )
    )
    out = r.completion_message.content[0].text
    assert "5" not in out and "6" not in out
    assert r.completion_message.stop_reason == message_pb2.STOP_REASON_END_OF_TURN


def test_sampling_strategies(inference):
    for params in (
        sampling(6, top_p=sampling_pb2.TopPSampling(temperature=0.7, top_p=0.9)),
        sampling(6, top_k=sampling_pb2.TopKSampling(top_k=5)),
        sampling(6, repetition_penalty=1.3),
    ):
        r = inference.ChatCompletion(
            pb.ChatCompletionRequest(model_id=MODEL, messages=[user("Hi")], sampling_params=params)
        )
        assert metrics(r)["completion_tokens"] > 0


def test_logprobs_per_token(inference):
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[user("Hi")],
            sampling_params=sampling(4),
            logprobs=sampling_pb2.LogProbConfig(top_k=3),
        )
    )
    assert len(r.logprobs) == metrics(r)["completion_tokens"]
    for position in r.logprobs:
        assert 1 <= len(position.logprobs_by_token) <= 3
        assert all(v <= 0 for v in position.logprobs_by_token.values())


def test_completion_unary_and_stream(inference):
    r = inference.Completion(
        pb.CompletionRequest(
            model_id=MODEL, content=[text("The capital of France is")], sampling_params=sampling(6)
        )
    )
    assert r.content and r.stop_reason != message_pb2.STOP_REASON_UNSPECIFIED
    assert metrics(r)["completion_tokens"] > 0
    chunks = list(
        inference.StreamCompletion(
            pb.StreamCompletionRequest(
                model_id=MODEL,
                content=[text("The capital of France is")],
                sampling_params=sampling(6),
            )
        )
    )
    assert "".join(c.delta for c in chunks) == r.content
    assert chunks[-1].stop_reason == r.stop_reason and metrics(chunks[-1])
    assert all(not c.metrics for c in chunks[:-1])


def test_batch_chat_completion_in_order(inference):
    prompts = ["Say yes.", "Say no.", "Say maybe."]
    batch = inference.BatchChatCompletion(
        pb.BatchChatCompletionRequest(
            model_id=MODEL,
            messages_batch=[inference_pb2.MessageList(messages=[user(p)]) for p in prompts],
            sampling_params=sampling(6),
        )
    )
    assert len(batch.batch) == 3
    for p, r in zip(prompts, batch.batch, strict=True):
        single = inference.ChatCompletion(
            pb.ChatCompletionRequest(
                model_id=MODEL, messages=[user(p)], sampling_params=sampling(6)
            )
        )
        assert r.completion_message.content[0].text == single.completion_message.content[0].text


def test_batch_completion_in_order(inference):
    batch = inference.BatchCompletion(
        pb.BatchCompletionRequest(
            model_id=MODEL,
            content_batch=[
                inference_pb2.ContentList(content=[text("One, two,")]),
                inference_pb2.ContentList(content=[text("Monday, Tuesday,")]),
            ],
            sampling_params=sampling(4),
        )
    )
    assert len(batch.batch) == 2 and all(metrics(r)["completion_tokens"] > 0 for r in batch.batch)


def test_conversation_with_all_roles(inference):
    call = message_pb2.ToolCall(call_id="c1", tool_name="get_time", arguments_json="{}")
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL,
            messages=[
                message_pb2.Message(role=message_pb2.ROLE_SYSTEM, content=[text("Be brief.")]),
                user("What time is it?"),
                message_pb2.Message(role=message_pb2.ROLE_ASSISTANT, tool_calls=[call],
                                    stop_reason=message_pb2.STOP_REASON_END_OF_MESSAGE),
                message_pb2.Message(role=message_pb2.ROLE_TOOL, call_id="c1",
                                    content=[text("12:00")]),
            ],
            sampling_params=sampling(8),
        )
    )  # fmt: skip
    assert metrics(r)["completion_tokens"] > 0


def test_direct_call_without_provider_metadata_finds_the_model(inference):
    # Two providers in the process; the model id alone picks llama-cpp.
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=MODEL, messages=[user("Hi")], sampling_params=sampling(2)
        ),
        metadata=(("x-llamastack-provider-id", "llama-cpp"),),
    )
    assert metrics(r)["completion_tokens"] > 0
    with pytest.raises(grpc.RpcError) as err:
        inference.ChatCompletion(
            pb.ChatCompletionRequest(model_id=MODEL, messages=[user("Hi")]),
            metadata=(("x-llamastack-provider-id", "nope"),),
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_streamed_logprobs_ride_on_the_deltas(inference):
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(
                model_id=MODEL,
                messages=[user("Hi")],
                sampling_params=sampling(5),
                logprobs=sampling_pb2.LogProbConfig(top_k=2),
            )
        )
    )
    positions = [lp for e in events for lp in e.event.logprobs]
    assert len(positions) == metrics(events[-1])["completion_tokens"]
