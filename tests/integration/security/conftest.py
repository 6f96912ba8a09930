"""A secured mesh: echo services that accept only the gateway, a gateway with API keys, JWTs
from a real JWKS endpoint, an access policy and quotas, and a real Envoy in front."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

from llamastack.admin.v1 import api_key_service_pb2 as keys_pb
from llamastack.admin.v1 import api_key_service_pb2_grpc as keys_grpc
from tests.integration.gateway.mesh import ECHO
from tests.integration.rest.envoy_proc import EnvoyProcess
from tests.support.jwks import AUDIENCE, ISSUER, JwksServer, SigningKey
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

MESH_TOKEN = "mesh-" + secrets.token_hex(16)
ADMIN_KEY = "lls_bootstrap_" + secrets.token_urlsafe(24)
REQUEST_WINDOW = 4
TOKEN_WINDOW = 6

POLICY = [
    {"forbid": {"actions": ["create"], "resource": "model::reserved/*"},
     "unless": "user with admin in roles"},
    {"permit": {"actions": ["create", "read", "delete"]}, "when": "user with admin in roles"},
    {"permit": {"actions": ["create", "read", "delete"]}, "when": "user is owner"},
    {"permit": {"actions": ["read"]}, "when": "resource is unowned"},
    {"permit": {"actions": ["read"]}, "when": "user in owners teams",
     "description": "teammates use each other's resources"},
    {"permit": {"actions": ["create"]}},
]  # fmt: skip


PROVIDERS = {
    "inference": [
        {"provider_id": "echo-llm", "provider_type": "test::echo",
         "config": {"models": ["m1", "m2", "embed"]}},
    ],
    "vector_io": [{"provider_id": "echo-vec", "provider_type": "test::echo"}],
}  # fmt: skip
MODELS = [
    {"model_id": "m1", "provider_id": "echo-llm"},
    {"model_id": "embed", "provider_id": "echo-llm", "model_type": "embedding",
     "metadata": {"embedding_dimension": 8}},
]  # fmt: skip


def run_config(state: Path, jwks_url: str) -> dict[str, Any]:
    return {
        "version": 2,
        "image_name": "security-test",
        "providers": PROVIDERS,
        "services": {"inference": {}, "vector_io": {}},
        "metadata_store": {"type": "sqlite", "db_path": str(state / "registry.db")},
        "models": MODELS,
        "server": {
            "auth": {
                "api_keys": {
                    "bootstrap_admin_sha256": hashlib.sha256(ADMIN_KEY.encode()).hexdigest()
                },
                "provider_config": {
                    "type": "oauth2_token",
                    "issuer": ISSUER,
                    "audience": AUDIENCE,
                    "jwks": {"uri": jwks_url, "min_refetch_interval": 0},
                    "claims_mapping": {"groups": "teams", "realm_access.roles": "roles"},
                },
                "access_policy": POLICY,
            },
            "quota": {
                "principals": {
                    "limited": {"requests_per_minute": 5},
                    "replicated": {"requests_per_minute": 5},
                    "tokenbot": {"tokens_per_day": 25},
                },
                "request_window_s": REQUEST_WINDOW,
                "token_window_s": TOKEN_WINDOW,
            },
        },
    }


@dataclass
class Secured:
    workdir: Path
    jwks: JwksServer
    signing: SigningKey
    services: dict[str, MeshProcess]
    gateway: MeshProcess
    channel: grpc.Channel
    keys: dict[str, str] = field(default_factory=dict)

    def md(self, who: str) -> tuple[tuple[str, str], ...]:
        """Call metadata for a user (an API key made for them) or a raw bearer credential."""
        return (("authorization", f"Bearer {self.keys.get(who, who)}"),)

    def create_key(self, principal: str, **attributes: list[str]) -> keys_pb.CreateApiKeyResponse:
        req = keys_pb.CreateApiKeyRequest(principal=principal)
        for name, values in attributes.items():
            req.attributes[name].values.extend(values)
        return keys_grpc.ApiKeyServiceStub(self.channel).CreateApiKey(
            req, metadata=self.md(ADMIN_KEY)
        )


@pytest.fixture(scope="session")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    workdir = tmp_path_factory.mktemp("secured")
    signing = SigningKey.generate("k1")
    with JwksServer([signing]) as jwks:
        config = write_config(workdir / "run.yaml", run_config(workdir, jwks.url))
        env = {"LLS_MESH_TOKEN": MESH_TOKEN}
        services: dict[str, MeshProcess] = {}
        gateway = None
        try:
            for name in ("inference", "vector_io"):
                services[name] = start_service(name, config, workdir, module=ECHO, env=env)
            gateway = start_gateway(config, workdir, services, env=env)
            with grpc.insecure_channel(gateway.address) as channel:
                s = Secured(workdir, jwks, signing, services, gateway, channel)
                for user, teams in (("alice", ["red"]), ("bob", ["blue"]), ("carol", ["red"])):
                    s.keys[user] = s.create_key(user, teams=teams).secret
                for user in ("limited", "replicated", "tokenbot"):
                    s.keys[user] = s.create_key(user).secret
                yield s
        finally:
            for proc in [gateway, *services.values()]:
                if proc is not None:
                    proc.stop()


@pytest.fixture(scope="session")
def secured_envoy(secured: Secured) -> Iterator[EnvoyProcess]:
    proc = EnvoyProcess(secured.workdir, secured.gateway.address, name="envoy-secured").start()
    try:
        yield proc
    finally:
        proc.stop()


def fresh_window(size: float, need: float = 2.0) -> None:
    """Sleep into a new quota window when less than `need` seconds are left in this one."""
    left = size - time.time() % size
    if left < need:
        time.sleep(left + 0.05)
