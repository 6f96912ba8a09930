"""Through the gateway: declared and registered models, and federation — one gateway in front
of two inference services (inline llama.cpp + sentence-transformers, and a remote
OpenAI-compatible server behind `inference_remote`), each model answered by its own provider."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format

from llamastack.inference.v1 import inference_pb2, inference_service_pb2_grpc
from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.registry.v1 import model_service_pb2 as mpb
from llamastack.registry.v1 import model_service_pb2_grpc, resources_pb2
from tests.integration.inference.mesh import (
    EMBED,
    MODEL,
    REMOTE_MODEL,
    llama_cpp_provider,
    metrics,
    reason,
    sampling,
    text,
    user,
)
from tests.support.processes import start_gateway, start_service, write_config

pytestmark = pytest.mark.slow

EventType = inference_pb2.ChatCompletionEventType


@pytest.fixture(scope="module")
def mesh(tmp_path_factory, llama_server):
    workdir = tmp_path_factory.mktemp("inference-gateway")
    config = {
        "version": 2,
        "image_name": "inference-federation",
        "apis": ["inference"],
        "providers": {
            "inference": [
                llama_cpp_provider(),
                {"provider_id": "sentence-transformers",
                 "provider_type": "inline::sentence-transformers"},
                {"provider_id": "vllm", "provider_type": "remote::vllm",
                 "config": {"url": llama_server.url}},
            ]
        },
        "services": {
            "gateway": {},
            "inference": {"providers": ["llama-cpp", "sentence-transformers"]},
            "inference_remote": {"api": "inference", "providers": ["vllm"]},
        },
        "models": [
            {"model_id": "local-smol", "provider_id": "llama-cpp", "provider_model_id": MODEL},
            {"model_id": EMBED, "provider_id": "sentence-transformers", "model_type": "embedding"},
        ],
    }  # fmt: skip
    run_config = write_config(workdir / "run.yaml", config)
    services = {
        name: start_service(name, run_config, workdir) for name in ("inference", "inference_remote")
    }
    gateway = start_gateway(run_config, workdir, services)
    channel = grpc.insecure_channel(gateway.address)
    yield (
        inference_service_pb2_grpc.InferenceServiceStub(channel),
        model_service_pb2_grpc.ModelServiceStub(channel),
        llama_server,
    )
    channel.close()
    gateway.stop()
    for proc in services.values():
        proc.stop()


def remote_requests(server) -> int:
    """Chat requests the remote llama.cpp server has answered so far (from its access log)."""
    return server.log_path.read_text().count("POST /v1/chat/completions")


def chat(inference, model_id: str, prompt: str = "Hi") -> pb.ChatCompletionResponse:
    return inference.ChatCompletion(
        pb.ChatCompletionRequest(
            model_id=model_id, messages=[user(prompt)], sampling_params=sampling(6)
        )
    )


def test_declared_models_are_registered_and_normalised(mesh):
    _, models, _ = mesh
    listed = {m.identifier: m for m in models.ListModels(mpb.ListModelsRequest()).data}
    assert listed["local-smol"].provider_id == "llama-cpp"
    assert listed["local-smol"].provider_resource_id == MODEL
    embed = next(m for m in listed.values() if m.provider_resource_id == EMBED)
    assert embed.model_type == resources_pb2.MODEL_TYPE_EMBEDDING
    assert json_format.MessageToDict(embed.metadata)["embedding_dimension"] == 384


def test_each_model_is_answered_by_its_own_provider(mesh):
    inference, models, server = mesh
    models.RegisterModel(
        mpb.RegisterModelRequest(
            model_id="remote-smol", provider_model_id=REMOTE_MODEL, provider_id="vllm"
        )
    )
    before = remote_requests(server)
    local = chat(inference, "local-smol")
    assert metrics(local)["completion_tokens"] > 0
    assert remote_requests(server) == before  # the inline model never reaches the server
    remote = chat(inference, "remote-smol")
    assert metrics(remote)["completion_tokens"] > 0
    assert remote_requests(server) == before + 1


def test_streaming_through_the_gateway(mesh):
    inference, _, _ = mesh
    events = list(
        inference.StreamChatCompletion(
            pb.StreamChatCompletionRequest(
                model_id="local-smol", messages=[user("Say hi.")], sampling_params=sampling(6)
            )
        )
    )
    kinds = [e.event.event_type for e in events]
    assert kinds[0] == EventType.CHAT_COMPLETION_EVENT_TYPE_START
    assert kinds[-1] == EventType.CHAT_COMPLETION_EVENT_TYPE_COMPLETE
    assert metrics(events[-1])["total_tokens"] > 0


def test_embeddings_through_the_gateway(mesh):
    inference, models, _ = mesh
    embed_id = next(
        m.identifier for m in models.ListModels(mpb.ListModelsRequest()).data
        if m.provider_resource_id == EMBED
    )  # fmt: skip
    r = inference.Embeddings(pb.EmbeddingsRequest(model_id=embed_id, contents=[text("hello")]))
    assert len(r.embeddings[0].values) == 384
    with pytest.raises(grpc.RpcError) as err:
        chat(inference, embed_id)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason(err.value) == "ERROR_REASON_RESOURCE_TYPE_MISMATCH"


def test_registration_is_validated_by_the_provider(mesh):
    _, models, _ = mesh
    with pytest.raises(grpc.RpcError) as err:
        models.RegisterModel(
            mpb.RegisterModelRequest(
                model_id="ghost", provider_model_id="ghost", provider_id="llama-cpp"
            )
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as err:
        models.RegisterModel(
            mpb.RegisterModelRequest(
                model_id="smol-as-embedder", provider_model_id=MODEL, provider_id="llama-cpp",
                model_type=resources_pb2.MODEL_TYPE_EMBEDDING,
            )
        )  # fmt: skip
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as err:
        models.RegisterModel(
            mpb.RegisterModelRequest(
                model_id="ghost", provider_model_id="ghost", provider_id="vllm"
            )
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    identifiers = {m.identifier for m in models.ListModels(mpb.ListModelsRequest()).data}
    assert "ghost" not in identifiers and "smol-as-embedder" not in identifiers


def test_unregistered_model_is_not_found(mesh):
    inference, _, _ = mesh
    with pytest.raises(grpc.RpcError) as err:
        chat(inference, "never-registered")
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
