"""Every bad input gets its exact status code (never INTERNAL, never a hang)."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2, tool_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from tests.integration.inference.mesh import EMBED, MODEL, reason, sampling, text, user

pytestmark = pytest.mark.slow

INVALID = grpc.StatusCode.INVALID_ARGUMENT
TOOL = tool_pb2.ToolDefinition(tool_name="lookup", parameters={})


def schema(value: dict) -> sampling_pb2.ResponseFormat:
    s = struct_pb2.Struct()
    s.update(value)
    return sampling_pb2.ResponseFormat(json_schema=s)


def msg(role: int, **kw: Any) -> message_pb2.Message:
    return message_pb2.Message(role=role, **kw)


CHAT_CASES = {
    "negative max_tokens": dict(sampling_params=sampling(-1)),
    "top_p above 1": dict(
        sampling_params=sampling(4, top_p=sampling_pb2.TopPSampling(temperature=0.5, top_p=1.5))
    ),
    "top_p zero": dict(
        sampling_params=sampling(4, top_p=sampling_pb2.TopPSampling(temperature=0.5, top_p=0.0))
    ),
    "top_p without temperature": dict(
        sampling_params=sampling(4, top_p=sampling_pb2.TopPSampling(top_p=0.9))
    ),
    "top_k zero": dict(sampling_params=sampling(4, top_k=sampling_pb2.TopKSampling(top_k=0))),
    "five stop sequences": dict(sampling_params=sampling(4, stop=["a", "b", "c", "d", "e"])),
    "repetition penalty zero": dict(sampling_params=sampling(4, repetition_penalty=0.0)),
    "logprobs top_k negative": dict(logprobs=sampling_pb2.LogProbConfig(top_k=-1)),
    "logprobs top_k too large": dict(logprobs=sampling_pb2.LogProbConfig(top_k=1000)),
    "json schema with an unknown type": dict(response_format=schema({"type": "banana"})),
    "json schema with bad required": dict(
        response_format=schema({"type": "object", "required": "city"})
    ),
    "grammar that does not parse": dict(
        response_format=sampling_pb2.ResponseFormat(
            grammar=sampling_pb2.GrammarResponseFormat(bnf="root ::= undefined_rule")
        )
    ),
    "tool_name not among the tools": dict(
        tools=[TOOL], tool_config=tool_pb2.ToolConfig(tool_name="other")
    ),
    "tool_name without tools": dict(tool_config=tool_pb2.ToolConfig(tool_name="lookup")),
    "tool choice required without tools": dict(
        tool_config=tool_pb2.ToolConfig(tool_choice=tool_pb2.TOOL_CHOICE_REQUIRED)
    ),
    "duplicate tool names": dict(tools=[TOOL, TOOL]),
    "message without role": dict(messages=[message_pb2.Message(content=[text("hi")])]),
    "tool message without call_id": dict(
        messages=[user("hi"), msg(message_pb2.ROLE_TOOL, content=[text("42")])]
    ),
    "user message with tool calls": dict(
        messages=[
            msg(
                message_pb2.ROLE_USER,
                content=[text("hi")],
                tool_calls=[message_pb2.ToolCall(call_id="1", tool_name="x")],
            )
        ]
    ),
    "system message with call_id": dict(
        messages=[msg(message_pb2.ROLE_SYSTEM, content=[text("hi")], call_id="1"), user("hi")]
    ),
    "image for a text-only model": dict(
        messages=[
            msg(
                message_pb2.ROLE_USER,
                content=[content_pb2.ContentItem(image=content_pb2.ImageContent(data=b"\x89PNG"))],
            )
        ]
    ),
    "prompt longer than the context": dict(messages=[user("word " * 3000)]),
    "missing model_id": dict(model_id=""),
    "user message without content": dict(messages=[msg(message_pb2.ROLE_USER)]),
    "max_tokens of a billion": dict(sampling_params=sampling(1_000_000_000)),
    "max_tokens above the context window": dict(sampling_params=sampling(4096)),
    "no messages": dict(messages=[]),
}


def chat(**overrides: Any) -> dict[str, Any]:
    return {"model_id": MODEL, "messages": [user("hi")], "sampling_params": sampling(4)} | overrides


@pytest.mark.parametrize("case", CHAT_CASES)
def test_bad_chat_request_is_invalid_argument(inference, case):
    with pytest.raises(grpc.RpcError) as err:
        inference.ChatCompletion(pb.ChatCompletionRequest(**chat(**CHAT_CASES[case])))
    assert err.value.code() == INVALID, err.value.details()
    assert err.value.details()


@pytest.mark.parametrize(
    "case",
    ["negative max_tokens", "tool_name not among the tools", "prompt longer than the context"],
)
def test_bad_stream_request_fails_before_any_event(inference, case):
    stream = inference.StreamChatCompletion(
        pb.StreamChatCompletionRequest(**chat(**CHAT_CASES[case]))
    )
    events = []
    with pytest.raises(grpc.RpcError) as err:
        events.extend(stream)
    assert err.value.code() == INVALID and events == []


def test_tool_name_error_names_the_tool(inference):
    with pytest.raises(grpc.RpcError) as err:
        inference.ChatCompletion(
            pb.ChatCompletionRequest(**chat(**CHAT_CASES["tool_name not among the tools"]))
        )
    assert "'other'" in err.value.details() and "lookup" in err.value.details()


def test_unknown_model_is_not_found_naming_model_and_provider(inference):
    with pytest.raises(grpc.RpcError) as err:
        inference.ChatCompletion(
            pb.ChatCompletionRequest(**chat(model_id="no-such-model")),
            metadata=(("x-llamastack-provider-id", "llama-cpp"),),
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "no-such-model" in err.value.details() and "llama-cpp" in err.value.details()
    assert reason(err.value) == "ERROR_REASON_RESOURCE_NOT_FOUND"


def test_embedding_model_for_chat_is_a_type_mismatch(inference):
    for call, request in (
        (inference.ChatCompletion, pb.ChatCompletionRequest(**chat(model_id=EMBED))),
        (inference.Completion, pb.CompletionRequest(model_id=EMBED, content=[text("x")])),
    ):
        with pytest.raises(grpc.RpcError) as err:
            call(request)
        assert err.value.code() == INVALID
        assert reason(err.value) == "ERROR_REASON_RESOURCE_TYPE_MISMATCH"


def test_llm_for_embeddings_is_a_type_mismatch(inference):
    with pytest.raises(grpc.RpcError) as err:
        inference.Embeddings(pb.EmbeddingsRequest(model_id=MODEL, contents=[text("x")]))
    assert err.value.code() == INVALID
    assert reason(err.value) == "ERROR_REASON_RESOURCE_TYPE_MISMATCH"


def test_bad_completion_requests(inference):
    for overrides in (
        dict(sampling_params=sampling(-5)),
        dict(response_format=schema({"type": "banana"})),
        dict(content=[content_pb2.ContentItem(image=content_pb2.ImageContent(data=b"x"))]),
    ):
        request = {"model_id": MODEL, "content": [text("Hello")]} | overrides
        with pytest.raises(grpc.RpcError) as err:
            inference.Completion(pb.CompletionRequest(**request))
        assert err.value.code() == INVALID, err.value.details()


def test_bad_batch_element_names_its_index(inference):
    with pytest.raises(grpc.RpcError) as err:
        inference.BatchChatCompletion(
            pb.BatchChatCompletionRequest(
                model_id=MODEL,
                messages_batch=[
                    inference_pb2.MessageList(messages=[user("hi")]),
                    inference_pb2.MessageList(messages=[msg(message_pb2.ROLE_TOOL)]),
                ],
            )
        )
    assert err.value.code() == INVALID and "messages_batch[1]" in err.value.details()
