"""Real processes for the inference tests: the inference service on port 0 (real SmolLM2 and
MiniLM models) and real llama.cpp OpenAI-compatible servers, each stopped by PID."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from llamastack.inference.v1 import inference_service_pb2_grpc
from llamastack.provider.v1 import provider_service_pb2_grpc
from tests.integration.inference.mesh import LlamaServer, inline_config
from tests.support.processes import start_gateway, start_service, write_config


@pytest.fixture(scope="session")
def inline_service(tmp_path_factory):
    """llama-cpp (SmolLM2, parallelism 1) and sentence-transformers in one process."""
    workdir = tmp_path_factory.mktemp("inference-inline")
    proc = start_service("inference", write_config(workdir / "run.yaml", inline_config()), workdir)
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def inference_gateway(inline_service, tmp_path_factory):
    """A gateway in front of `inline_service` (its run.yaml declares no resources)."""
    workdir = tmp_path_factory.mktemp("inference-gateway-inline")
    run_config = Path(inline_service.env["LLS_RUN_CONFIG"])
    gateway = start_gateway(run_config, workdir, {"inference": inline_service})
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def inline_channel(inline_service):
    with grpc.insecure_channel(inline_service.address) as channel:
        yield channel


@pytest.fixture(scope="session")
def inference(inline_channel):
    return inference_service_pb2_grpc.InferenceServiceStub(inline_channel)


@pytest.fixture(scope="session")
def providers(inline_channel):
    return provider_service_pb2_grpc.ProviderServiceStub(inline_channel)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    server = LlamaServer(tmp_path_factory.mktemp("llama-server")).wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedding_server(tmp_path_factory):
    """A second llama.cpp server, with embeddings on (it then answers embeddings only)."""
    server = LlamaServer(tmp_path_factory.mktemp("llama-embed"), "--embedding", "true")
    yield server.wait_ready()
    server.stop()
