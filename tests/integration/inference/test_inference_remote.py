"""The remote adapter (`remote::vllm`, `remote::openai-compatible`) against a real
OpenAI-compatible server: llama-cpp-python's, serving SmolLM2."""

from __future__ import annotations

import json

import grpc
import pytest
from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2, tool_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2_grpc
from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.provider.v1 import provider_pb2, provider_service_pb2_grpc
from llamastack.provider.v1 import provider_service_pb2 as ppb
from llamastack.registry.v1 import resources_pb2
from tests.integration.inference.mesh import (
    REMOTE_MODEL,
    free_port,
    metrics,
    reason,
    sampling,
    text,
    user,
)
from tests.support.processes import start_service, write_config

pytestmark = pytest.mark.slow

EventType = inference_pb2.ChatCompletionEventType
WEATHER = tool_pb2.ToolDefinition(
    tool_name="get_weather",
    description="Get the weather in a city",
    parameters={"city": tool_pb2.ToolParamDefinition(param_type="string")},
)


@pytest.fixture(scope="module")
def remote(tmp_path_factory, llama_server, embedding_server):
    workdir = tmp_path_factory.mktemp("inference-remote")
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    config = {
        "version": 2,
        "providers": {
            "inference": [
                {"provider_id": "vllm", "provider_type": "remote::vllm",
                 "config": {"url": llama_server.url, "api_token": "secret-token"}},
                {"provider_id": "openai", "provider_type": "remote::openai-compatible",
                 "config": {"url": llama_server.url.removesuffix("/v1")}},
                {"provider_id": "embedder", "provider_type": "remote::openai-compatible",
                 "config": {"url": embedding_server.url}},
                {"provider_id": "down", "provider_type": "remote::openai-compatible",
                 "config": {"url": down, "connect_timeout_s": 1}},
            ]
        },
        "services": {"inference_remote": {"api": "inference"}},
    }  # fmt: skip
    proc = start_service("inference_remote", write_config(workdir / "run.yaml", config), workdir)
    channel = grpc.insecure_channel(proc.address)
    yield (
        inference_service_pb2_grpc.InferenceServiceStub(channel),
        provider_service_pb2_grpc.ProviderServiceStub(channel),
    )
    channel.close()
    proc.stop()


def on(provider_id: str) -> tuple[tuple[str, str]]:
    return (("x-llamastack-provider-id", provider_id),)


@pytest.mark.parametrize("provider_id", ["vllm", "openai"])
def test_chat_unary_and_stream(remote, provider_id):
    inference, _ = remote
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=REMOTE_MODEL, messages=[user("What is 2+2?")], sampling_params=sampling(8)
        ),
        metadata=on(provider_id),
    )
    assert r.completion_message.content[0].text
    m = metrics(r)
    assert m["prompt_tokens"] > 0 and 0 < m["completion_tokens"] <= 8
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(
                model_id=REMOTE_MODEL, messages=[user("Say hi.")], sampling_params=sampling(6)
            ),
            metadata=on(provider_id),
        )
    )
    kinds = [e.event.event_type for e in events]
    assert kinds[0] == EventType.CHAT_COMPLETION_EVENT_TYPE_START
    assert kinds[-1] == EventType.CHAT_COMPLETION_EVENT_TYPE_COMPLETE
    assert "".join(e.event.delta.text for e in events)
    assert metrics(events[-1])["completion_tokens"] > 0


def test_multi_turn_with_tool_results_goes_out_as_plain_strings(remote):
    inference, _ = remote
    call = message_pb2.ToolCall(
        call_id="c1", tool_name="get_weather", arguments_json='{"city": "Paris"}'
    )
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=REMOTE_MODEL,
            messages=[
                message_pb2.Message(role=message_pb2.ROLE_SYSTEM, content=[text("Be brief.")]),
                user("Weather in Paris?"),
                message_pb2.Message(role=message_pb2.ROLE_ASSISTANT, tool_calls=[call]),
                message_pb2.Message(
                    role=message_pb2.ROLE_TOOL, call_id="c1", content=[text("sunny")]
                ),
            ],
            sampling_params=sampling(8),
            tools=[WEATHER],
        ),
        metadata=on("openai"),
    )  # fmt: skip
    assert metrics(r)["completion_tokens"] > 0


def test_completion_and_stream_completion(remote):
    inference, _ = remote
    r = inference.Completion(
        pb.CompletionRequest(
            model_id=REMOTE_MODEL,
            content=[text("The capital of France is")],
            sampling_params=sampling(5),
        ),
        metadata=on("vllm"),
    )
    assert r.content and metrics(r)["completion_tokens"] > 0
    chunks = list(
        inference.StreamCompletion(
            pb.StreamCompletionRequest(
                model_id=REMOTE_MODEL, content=[text("One, two,")], sampling_params=sampling(5)
            ),
            metadata=on("vllm"),
        )
    )
    assert "".join(c.delta for c in chunks) and chunks[-1].stop_reason


@pytest.mark.parametrize(
    "tool_config",
    [
        tool_pb2.ToolConfig(tool_choice=tool_pb2.TOOL_CHOICE_REQUIRED),
        tool_pb2.ToolConfig(tool_name="get_weather"),
    ],
)
def test_forced_tool_call(remote, tool_config):
    inference, _ = remote
    request = dict(
        model_id=REMOTE_MODEL,
        messages=[user("What is the weather in Paris?")],
        sampling_params=sampling(30),
        tools=[WEATHER],
        tool_config=tool_config,
    )
    r = inference.ChatCompletion(pb.ChatCompletionRequest(**request), metadata=on("openai"))
    msg = r.completion_message
    assert msg.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE
    [call] = msg.tool_calls
    assert call.tool_name == "get_weather" and isinstance(call.arguments["city"], str)
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(**request), metadata=on("openai")
        )
    )
    parsed = [
        e.event.delta.tool_call.parsed for e in events if e.event.delta.tool_call.HasField("parsed")
    ]
    assert [p.tool_name for p in parsed] == ["get_weather"]
    assert events[-1].event.stop_reason == message_pb2.STOP_REASON_END_OF_MESSAGE


def test_json_schema_output(remote):
    inference, _ = remote
    schema = struct_pb2.Struct()
    schema.update(
        {
            "type": "object",
            "properties": {
                "city": {"type": "string", "maxLength": 20},
                "sunny": {"type": "boolean"},
            },
            "required": ["city", "sunny"],
        }
    )
    r = inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=REMOTE_MODEL,
            messages=[user("Paris weather as JSON.")],
            sampling_params=sampling(60),
            response_format=sampling_pb2.ResponseFormat(json_schema=schema),
        ),
        metadata=on("openai"),
    )
    data = json.loads(r.completion_message.content[0].text)
    assert set(data) == {"city", "sunny"} and isinstance(data["sunny"], bool)


def test_list_provider_models_from_the_server(remote):
    _, providers = remote
    listed = providers.ListProviderModels(ppb.ListProviderModelsRequest(provider_id="vllm"))
    assert [m.provider_resource_id for m in listed.data] == [REMOTE_MODEL]
    assert listed.data[0].provider_id == "vllm"


def test_registration_checks_the_server(remote):
    _, providers = remote

    def register(provider_id: str, model_id: str, model_type=resources_pb2.MODEL_TYPE_LLM):
        model = resources_pb2.Model(
            identifier=model_id, provider_id=provider_id, provider_resource_id=model_id,
            model_type=model_type,
        )  # fmt: skip
        return providers.RegisterResource(
            ppb.RegisterResourceRequest(resource=ppb.AnyResource(model=model))
        ).resource.model

    assert register("vllm", REMOTE_MODEL).model_type == resources_pb2.MODEL_TYPE_LLM
    with pytest.raises(grpc.RpcError) as err:
        register("vllm", "not-served")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND and "not-served" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        register("down", REMOTE_MODEL)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    embedder = register("embedder", REMOTE_MODEL, resources_pb2.MODEL_TYPE_EMBEDDING)
    assert json_format.MessageToDict(embedder.metadata)["embedding_dimension"] == 576


def test_remote_embeddings(remote):
    inference, _ = remote
    r = inference.Embeddings(
        pb.EmbeddingsRequest(model_id=REMOTE_MODEL, contents=[text("hello"), text("world")]),
        metadata=on("embedder"),
    )
    assert [len(e.values) for e in r.embeddings] == [576, 576]
    with pytest.raises(grpc.RpcError) as err:
        inference.Embeddings(
            pb.EmbeddingsRequest(
                model_id=REMOTE_MODEL,
                contents=[content_pb2.ContentItem(image=content_pb2.ImageContent(data=b"x"))],
            ),
            metadata=on("embedder"),
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_registered_llm_used_for_embeddings_is_a_mismatch(remote):
    inference, providers = remote
    model = resources_pb2.Model(
        identifier="chat", provider_id="vllm", provider_resource_id=REMOTE_MODEL,
        model_type=resources_pb2.MODEL_TYPE_LLM,
    )  # fmt: skip
    providers.RegisterResource(ppb.RegisterResourceRequest(resource=ppb.AnyResource(model=model)))
    with pytest.raises(grpc.RpcError) as err:
        inference.Embeddings(
            pb.EmbeddingsRequest(model_id=REMOTE_MODEL, contents=[text("x")]), metadata=on("vllm")
        )
    assert reason(err.value) == "ERROR_REASON_RESOURCE_TYPE_MISMATCH"


def test_unknown_model_is_not_found(remote):
    inference, _ = remote
    with pytest.raises(grpc.RpcError) as err:
        inference.ChatCompletion(
            pb.ChatCompletionRequest(model_id="missing", messages=[user("hi")]),
            metadata=on("openai"),
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert "missing" in err.value.details() and "openai" in err.value.details()


def test_server_down_is_unavailable_naming_provider_and_url(remote):
    inference, providers = remote
    for call in (
        lambda: inference.ChatCompletion(
            pb.ChatCompletionRequest(model_id=REMOTE_MODEL, messages=[user("hi")]),
            metadata=on("down"),
        ),
        lambda: list(
            inference.StreamChatCompletion(
                pb.StreamChatCompletionRequest(model_id=REMOTE_MODEL, messages=[user("hi")]),
                metadata=on("down"),
            )
        ),
    ):
        with pytest.raises(grpc.RpcError) as err:
            call()
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "down" in err.value.details() and "127.0.0.1" in err.value.details()
        assert reason(err.value) == "ERROR_REASON_UPSTREAM_UNAVAILABLE"
    health = {
        p.provider_id: p.health
        for p in providers.DescribeProviders(ppb.DescribeProvidersRequest()).providers
    }
    assert health["down"].status == provider_pb2.HEALTH_STATUS_ERROR and health["down"].message
    assert health["vllm"].status == provider_pb2.HEALTH_STATUS_OK


def test_secrets_are_redacted(remote):
    _, providers = remote
    described = providers.DescribeProviders(ppb.DescribeProvidersRequest())
    vllm = next(p for p in described.providers if p.provider_id == "vllm")
    assert json_format.MessageToDict(vllm.config)["api_token"] == "********"
