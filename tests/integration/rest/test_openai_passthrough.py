"""OpenAI requests to a remote OpenAI-compatible provider pass through: a real llama.cpp
server (`python -m llama_cpp.server`) behind `remote::openai-compatible`, the inference
service, the gateway and Envoy, called with the official `openai` SDK and over gRPC."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import openai
import pytest
from google.protobuf import struct_pb2

from llamastack.openai.v1 import openai_pb2, openai_service_pb2, openai_service_pb2_grpc
from tests.integration.inference.mesh import REMOTE_MODEL, LlamaServer
from tests.support.processes import start_gateway, start_service, write_config

from .envoy_proc import EnvoyProcess

MODEL = f"remote-llama/{REMOTE_MODEL}"


class RemoteMesh:
    def __init__(self, workdir: Path) -> None:
        self.server = LlamaServer(workdir).wait_ready()
        config = {
            "version": 2,
            "image_name": "openai-remote",
            "apis": ["inference"],
            "providers": {
                "inference": [
                    {
                        "provider_id": "remote-llama",
                        "provider_type": "remote::openai-compatible",
                        "config": {"url": self.server.url},
                    }
                ]
            },
            "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
            "services": {"gateway": {"port": 0}, "inference": {"port": 0}},
            "models": [{"model_id": REMOTE_MODEL, "provider_id": "remote-llama"}],
        }
        run_yaml = write_config(workdir / "run.yaml", config)
        self.procs = []
        self.service = start_service("inference", run_yaml, workdir)
        self.procs.append(self.service)
        self.gateway = start_gateway(run_yaml, workdir, {"inference": self.service})
        self.procs.append(self.gateway)
        self.envoy = EnvoyProcess(workdir, self.gateway.address).start()
        self.procs.append(self.envoy)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()
        self.server.stop()


@pytest.fixture(scope="module")
def remote_mesh(tmp_path_factory) -> Iterator[RemoteMesh]:
    mesh = None
    try:
        mesh = RemoteMesh(tmp_path_factory.mktemp("openai-remote"))
        yield mesh
    finally:
        if mesh is not None:
            mesh.stop()


@pytest.fixture(scope="module")
def client(remote_mesh) -> Iterator[openai.OpenAI]:
    base_url = f"{remote_mesh.envoy.base_url}/v1"
    with openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0) as c:
        yield c


def test_chat_passes_through_with_the_callers_model_id(client):
    r = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Say hello."}],
        max_tokens=8,
        temperature=0,
    )
    assert r.model == MODEL and r.choices[0].message.content
    assert r.usage.completion_tokens > 0


def test_stream_passes_through_and_ends_with_done(remote_mesh, client):
    kwargs = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Count from one to ten."}],
        "max_tokens": 12,
        "temperature": 0,
        "stream": True,
    }
    chunks = list(client.chat.completions.create(**kwargs))
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) >= 3 and {c.model for c in chunks} == {MODEL}
    url = f"{remote_mesh.envoy.base_url}/v1/chat/completions"
    with httpx.stream("POST", url, json=kwargs, timeout=120) as r:
        events = [line for line in r.iter_lines() if line]
    assert events[-1] == "data: [DONE]"


def test_provider_features_pass_through(client):
    """Fields the native adapter does not translate reach the server: llama.cpp's own
    log probabilities come back in OpenAI's shape."""
    r = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Hi"}],
        max_tokens=3,
        temperature=0,
        logprobs=True,
        top_logprobs=2,
        extra_body={"top_k": 1, "repetition_penalty": 1.0},
    )
    assert r.choices[0].logprobs.content


def test_json_schema_reaches_a_server_that_wants_its_own_form(client):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    r = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Invent a city."}],
        response_format={"type": "json_schema", "json_schema": {"name": "c", "schema": schema}},
        max_tokens=32,
        temperature=0,
    )
    assert isinstance(json.loads(r.choices[0].message.content)["city"], str)


def test_completions_pass_through(client):
    r = client.completions.create(
        model=MODEL, prompt="The capital of France is", max_tokens=4, temperature=0
    )
    assert r.model == MODEL and r.choices[0].text


def test_typed_grpc_from_a_passthrough_answer(remote_mesh):
    request = openai_service_pb2.CreateChatCompletionRequest(
        model=MODEL,
        messages=[
            openai_pb2.ChatMessage(role="user", content=struct_pb2.Value(string_value="Hello"))
        ],
        max_tokens=6,
        temperature=0,
    )
    with grpc.insecure_channel(remote_mesh.gateway.address) as channel:
        stub = openai_service_pb2_grpc.OpenAIServiceStub(channel)
        unary = stub.CreateChatCompletion(request, timeout=120)
        chunks = list(stub.StreamChatCompletion(request, timeout=120))
    assert unary.model == MODEL and unary.choices[0].message.content
    assert "".join(c.choices[0].delta.content for c in chunks if c.choices)


def test_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
