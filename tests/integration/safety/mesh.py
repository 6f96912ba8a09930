"""The safety service in a real mesh for its tests: run configs, start order (the gateway's
port is picked first: the safety service calls the gateway), request builders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2

from deploy.local.spec import free_port
from llamastack.common.v1 import content_pb2, message_pb2
from llamastack.safety.v1 import safety_service_pb2 as pb
from tests.integration.inference.mesh import GGUF_REF, MODEL, reason
from tests.integration.rest.envoy_proc import EnvoyProcess
from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

__all__ = ["GUARD_MODEL", "SafetyMesh", "guard_config", "policy_config", "reason", "request"]

#: The local distribution's LLM, as the registry names it.
GUARD_MODEL = f"llama-cpp/{MODEL}"

SAFETY_PROVIDERS = [
    {
        "provider_id": "policy",
        "provider_type": "inline::policy",
        "config": {
            "rule_sets": {
                "weapons": [{"name": "weapons", "keywords": ["bomb", "grenade"]}],
            },
        },
    },
    {"provider_id": "llama-guard", "provider_type": "inline::llama-guard"},
]
POLICY_SHIELDS = [
    {"shield_id": "policy", "provider_id": "policy", "provider_shield_id": "default"},
    {"shield_id": "weapons", "provider_id": "policy", "provider_shield_id": "weapons"},
]


def policy_config(workdir: Path) -> dict[str, Any]:
    """The safety service alone behind a gateway (no model: the fast tests)."""
    return {
        "version": 2,
        "image_name": "safety-test",
        "apis": ["safety"],
        "providers": {"safety": SAFETY_PROVIDERS},
        "metadata_store": {"type": "sqlite", "db_path": str(workdir / "registry.db")},
        "services": {"gateway": {}, "safety": {}},
        "shields": POLICY_SHIELDS,
    }


def guard_config(workdir: Path) -> dict[str, Any]:
    """Inference (SmolLM2) and safety behind a gateway, shields as the local distribution
    declares them, plus a second Llama Guard shield on the same model."""
    return {
        **policy_config(workdir),
        "image_name": "safety-guard-test",
        "apis": ["inference", "safety"],
        "providers": {
            "inference": [
                {
                    "provider_id": "llama-cpp",
                    "provider_type": "inline::llama-cpp",
                    "config": {
                        "models": [{"model_id": MODEL, "path": GGUF_REF}],
                        "n_ctx": 2048,
                        "n_threads": 1,
                    },
                }
            ],
            "safety": SAFETY_PROVIDERS,
        },
        "services": {"gateway": {}, "inference": {}, "safety": {}},
        "models": [{"model_id": MODEL, "provider_id": "llama-cpp", "model_type": "llm"}],
        "shields": [
            *POLICY_SHIELDS,
            {
                "shield_id": "llama-guard",
                "provider_id": "llama-guard",
                "provider_shield_id": GUARD_MODEL,
            },
            {
                "shield_id": "llama-guard-lenient",
                "provider_id": "llama-guard",
                "provider_shield_id": GUARD_MODEL,
                "params": {"excluded_categories": ["S6", "S7", "S8"]},
            },
        ],
    }


class SafetyMesh:
    """API services, then the gateway on a port chosen first, optionally Envoy."""

    def __init__(self, workdir: Path, config: dict[str, Any]) -> None:
        self.workdir = workdir
        self.run_config = write_config(workdir / "run.yaml", config)
        self.config = config
        self.gateway_port = free_port()
        self.services: dict[str, MeshProcess] = {}
        self.gateway: MeshProcess | None = None
        self.envoy: EnvoyProcess | None = None

    def start(self, envoy: bool = False) -> SafetyMesh:
        env = {"LLS_GATEWAY_ADDR": f"127.0.0.1:{self.gateway_port}"}
        try:
            for name in self.config["services"]:
                if name != "gateway":
                    self.services[name] = start_service(
                        name, self.run_config, self.workdir, env=env
                    )
            self.gateway = start_gateway(
                self.run_config, self.workdir, self.services, port=self.gateway_port
            )
            if envoy:
                self.envoy = EnvoyProcess(self.workdir, self.gateway.address).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in (self.envoy, self.gateway, *self.services.values()):
            if proc is not None:
                proc.stop()


def request(shield_id: str, *texts: str, role: int = message_pb2.ROLE_USER, **params: Any):
    req = pb.RunShieldRequest(
        shield_id=shield_id,
        messages=[
            message_pb2.Message(role=role, content=[content_pb2.ContentItem(text=t)]) for t in texts
        ],
    )
    if params:
        req.params.CopyFrom(struct_pb2.Struct())
        req.params.update(params)
    return req
