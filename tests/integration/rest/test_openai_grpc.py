"""The OpenAI API over gRPC (`llamastack.openai.v1.OpenAIService`) through the real gateway:
typed messages, routed by `model` like every inference call."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf import struct_pb2

from llamastack.openai.v1 import (
    moderation_service_pb2,
    moderation_service_pb2_grpc,
    openai_pb2,
    openai_service_pb2,
    openai_service_pb2_grpc,
)

from .conftest import CHAT_MODEL, EMBEDDING_MODEL, SHIELD


@pytest.fixture(scope="module")
def stub(gateway) -> Iterator[openai_service_pb2_grpc.OpenAIServiceStub]:
    with grpc.insecure_channel(gateway.address) as channel:
        yield openai_service_pb2_grpc.OpenAIServiceStub(channel)


def text(value: str) -> struct_pb2.Value:
    return struct_pb2.Value(string_value=value)


def chat(**fields) -> openai_service_pb2.CreateChatCompletionRequest:
    return openai_service_pb2.CreateChatCompletionRequest(
        model=CHAT_MODEL,
        messages=[openai_pb2.ChatMessage(role="user", content=text("Say hello."))],
        max_tokens=8,
        temperature=0,
        **fields,
    )


@pytest.fixture(scope="module")
def unary(stub) -> openai_service_pb2.ChatCompletion:
    return stub.CreateChatCompletion(chat(), timeout=120)


def test_typed_chat_completion(unary):
    r = unary
    assert r.object == "chat.completion" and r.model == CHAT_MODEL
    assert r.choices[0].message.content and r.choices[0].finish_reason in ("stop", "length")
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_typed_stream_matches_unary(stub, unary):
    chunks = list(
        stub.StreamChatCompletion(
            chat(stream_options=openai_pb2.StreamOptions(include_usage=True)), timeout=120
        )
    )
    text = "".join(c.choices[0].delta.content for c in chunks if c.choices)
    assert text == unary.choices[0].message.content
    assert chunks[-1].usage.completion_tokens > 0 and not chunks[-1].choices
    assert chunks[-2].choices[0].finish_reason in ("stop", "length")


def test_typed_tool_call(stub):
    tool = openai_pb2.Tool(
        type="function", function=openai_pb2.FunctionDefinition(name="get_weather")
    )
    tool.function.parameters.update(
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    )
    request = chat(tools=[tool], tool_choice=text("required"))
    request.messages[0].content.string_value = "Weather in Paris?"
    request.ClearField("max_tokens")  # room for the whole call
    r = stub.CreateChatCompletion(request, timeout=120)
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls" and call.function.name == "get_weather"
    assert not r.choices[0].message.HasField("content")
    assert isinstance(json.loads(call.function.arguments)["city"], str)


def test_typed_completion(stub):
    r = stub.CreateCompletion(
        openai_service_pb2.CreateCompletionRequest(
            model=CHAT_MODEL, prompt=text("The capital of France is"), max_tokens=4, temperature=0
        ),
        timeout=120,
    )
    assert r.object == "text_completion" and r.choices[0].text


def test_typed_embeddings(stub):
    request = openai_service_pb2.CreateEmbeddingRequest(model=EMBEDDING_MODEL)
    request.input.list_value.values.extend([text("hello"), text("world")])
    r = stub.CreateEmbedding(request, timeout=60)
    assert [len(d.embedding) for d in r.data] == [384, 384] and r.model == EMBEDDING_MODEL
    request.encoding_format = "base64"
    packed = stub.CreateEmbedding(request, timeout=60).data[0]
    assert not packed.embedding
    assert struct.unpack("<384f", packed.embedding_bytes) == pytest.approx(
        r.data[0].embedding, abs=1e-6
    )


def test_rest_face_over_grpc_is_openai_json(stub):
    (body,) = list(stub.ChatCompletionsHttp(chat(), timeout=120))
    assert body.content_type == "application/json"
    assert json.loads(body.data)["object"] == "chat.completion"


def test_unknown_model_is_not_found(stub):
    request = chat()
    request.model = "nope"
    with pytest.raises(grpc.RpcError) as err:
        stub.CreateChatCompletion(request, timeout=30)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_missing_model_names_the_field(stub):
    request = chat()
    request.ClearField("model")
    with pytest.raises(grpc.RpcError) as err:
        stub.CreateChatCompletion(request, timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "model is required" in err.value.details()


def test_typed_moderation_routed_by_shield(gateway):
    """OpenAIModerationService: the gateway routes `model` as a shield, to the safety
    service."""
    with grpc.insecure_channel(gateway.address) as channel:
        moderations = moderation_service_pb2_grpc.OpenAIModerationServiceStub(channel)
        request = moderation_service_pb2.CreateModerationRequest(model=SHIELD)
        request.input.list_value.values.extend([text("hello"), text("card 4111 1111 1111 1111")])
        r = moderations.CreateModeration(request, timeout=30)
        assert r.id.startswith("modr-") and r.model == SHIELD
        assert [x.flagged for x in r.results] == [False, True]
        assert r.results[1].categories["payment"] and r.results[1].category_scores["payment"] == 1
        assert not r.results[1].categories["violence"]
        request.model = "nope"
        with pytest.raises(grpc.RpcError) as err:
            moderations.CreateModeration(request, timeout=30)
        assert err.value.code() == grpc.StatusCode.NOT_FOUND
        request.model = ""  # no default over gRPC: the gateway needs the shield to route by
        with pytest.raises(grpc.RpcError) as err:
            moderations.CreateModeration(request, timeout=30)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "model is required" in err.value.details()
