"""What the mesh sends to an OpenAI-compatible server is byte for byte what the official OpenAI
SDK sends to that server directly for the same request, so the server sees the same request
(and its prompt cache hits): through Envoy (REST, the SDK pointed at the mesh) and through the
gateway over gRPC. The server is a real HTTP server that records request bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import openai
import pytest
from google.protobuf import json_format

from llamastack.openai.v1 import openai_service_pb2, openai_service_pb2_grpc
from tests.support.openai_capture import CaptureServer
from tests.support.processes import start_gateway, start_service, write_config

from .envoy_proc import EnvoyProcess

UPSTREAM_MODEL = "upstream-model"
MODEL = f"captured/{UPSTREAM_MODEL}"
# Keys in an order neither sorted nor a hash order: a prompt rendered from the schema (chat
# templates print tool schemas as JSON) changes when they move.
SCHEMA = {
    "type": "object",
    "properties": {
        "zeta": {"type": "string", "description": "Zürich ✓"},
        "alpha": {"type": "integer"},
    },
    "required": ["zeta"],
    "additionalProperties": False,
}  # fmt: skip
REQUEST: dict[str, Any] = {
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Weather in Zürich? Answer in one word."},
    ],
    "max_tokens": 8,
    "temperature": 0.2,
    "top_p": 0.9,
    "seed": 7,
    "stop": ["\n\n", "END"],
    "tools": [{"type": "function", "function": {
        "name": "weather", "description": "Current weather", "parameters": SCHEMA}}],
    "tool_choice": "auto",
    "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA}},
    "user": "u-1",
}  # fmt: skip
EXTRA = {"top_k": 40, "repetition_penalty": 1.1}  # vendor fields (the SDK's extra_body)


@pytest.fixture(scope="module")
def mesh(tmp_path_factory) -> Iterator[tuple[CaptureServer, EnvoyProcess, str]]:
    workdir: Path = tmp_path_factory.mktemp("upstream-bytes")
    procs = []
    with CaptureServer(UPSTREAM_MODEL) as upstream:
        config = {
            "version": 2,
            "image_name": "upstream-bytes",
            "providers": {"inference": [{
                "provider_id": "captured", "provider_type": "remote::openai-compatible",
                "config": {"url": upstream.url}}]},
            "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
            "services": {"inference": {"port": 0}},
            "models": [{"model_id": UPSTREAM_MODEL, "provider_id": "captured"}],
        }  # fmt: skip
        run_yaml = write_config(workdir / "run.yaml", config)
        try:
            procs.append(start_service("inference", run_yaml, workdir))
            gateway = start_gateway(run_yaml, workdir, {"inference": procs[0]})
            procs.append(gateway)
            envoy = EnvoyProcess(workdir, gateway.address).start()
            procs.append(envoy)
            yield upstream, envoy, gateway.address
        finally:
            for proc in reversed(procs):
                proc.stop()


def _sdk_body(upstream: CaptureServer, base_url: str, model: str, **kwargs: Any) -> bytes:
    """The bytes the server received when the SDK at `base_url` made the call."""
    with openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0) as client:
        result = client.chat.completions.create(model=model, extra_body=EXTRA, **kwargs)
        if kwargs.get("stream"):
            assert "".join(c.choices[0].delta.content or "" for c in result) == "Hi"
        else:
            assert result.choices[0].message.content == "Hi"
    return upstream.last_body()


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
def test_rest_sends_what_the_sdk_sends(mesh, stream):
    upstream, envoy, _ = mesh
    options: dict[str, Any] = {**REQUEST}
    if stream:
        options.update(stream=True, stream_options={"include_usage": True})
    direct = _sdk_body(upstream, upstream.url, UPSTREAM_MODEL, **options)
    through = _sdk_body(upstream, f"{envoy.base_url}/v1", MODEL, **options)
    assert through == direct
    sent = json.loads(through)
    assert list(sent["tools"][0]["function"]["parameters"]) == list(SCHEMA)
    assert list(sent["tools"][0]["function"]["parameters"]["properties"]) == ["zeta", "alpha"]


def test_grpc_sends_what_the_sdk_sends(mesh):
    """A gRPC client's typed request (no JSON objects whose key order protobuf could lose)."""
    upstream, _, gateway = mesh
    options = {k: v for k, v in REQUEST.items() if k not in ("tools", "response_format")}
    direct = _sdk_body(upstream, upstream.url, UPSTREAM_MODEL, **options)
    request = json_format.ParseDict(
        {"model": MODEL, **options, **EXTRA}, openai_service_pb2.CreateChatCompletionRequest()
    )
    with grpc.insecure_channel(gateway) as channel:
        answer = openai_service_pb2_grpc.OpenAIServiceStub(channel).CreateChatCompletion(
            request, timeout=30
        )
    assert answer.choices[0].message.content == "Hi"
    assert upstream.last_body() == direct


def test_grpc_stream_sends_what_the_sdk_sends(mesh):
    """A typed gRPC stream need not set `stream`: it goes upstream where the SDK puts it."""
    upstream, _, gateway = mesh
    options = {"messages": REQUEST["messages"], "max_tokens": 8, "temperature": 0.2}
    direct = _sdk_body(upstream, upstream.url, UPSTREAM_MODEL, stream=True, **options)
    request = json_format.ParseDict(
        {"model": MODEL, **options, **EXTRA}, openai_service_pb2.CreateChatCompletionRequest()
    )
    with grpc.insecure_channel(gateway) as channel:
        stub = openai_service_pb2_grpc.OpenAIServiceStub(channel)
        chunks = list(stub.StreamChatCompletion(request, timeout=30))
    assert "".join(c.choices[0].delta.content for c in chunks if c.choices) == "Hi"
    assert upstream.last_body() == direct
