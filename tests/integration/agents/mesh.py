"""A real mesh for the agents tests: the inference service (real SmolLM2 and MiniLM), the
safety service (a deterministic keyword shield), vector IO (sqlite-vec), the tool runtime
(the RAG tool and MCP), the agents service and a gateway, each a process on its own port,
stopped by PID.

The gateway's port is picked first because the agents service calls other APIs through it
(as the launcher does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format

from llamastack.agents.v1 import agents_pb2, agents_service_pb2_grpc
from tests.integration.inference.mesh import GGUF_REF, free_port
from tests.support.processes import (
    MeshProcess,
    start_gateway,
    start_service,
    wait_healthy,
    write_config,
)

MODEL = "llama-cpp/SmolLM2-135M-Instruct"
#: Short leases so that a killed agents service's turn is noticed within seconds.
LEASE_S = 2.0
SERVICES = ("inference", "safety", "vector_io", "tool_runtime", "agents")


def run_config(state: Path, **agents_config: Any) -> dict[str, Any]:
    return {
        "version": 2,
        "image_name": "agents-test",
        "apis": ["inference", "safety", "vector_io", "tool_runtime", "agents"],
        "providers": {
            "inference": [
                {
                    "provider_id": "llama-cpp",
                    "provider_type": "inline::llama-cpp",
                    "config": {
                        "models": [{"model_id": "SmolLM2-135M-Instruct", "path": GGUF_REF}],
                        "n_ctx": 2048,
                        "n_threads": 1,
                        "default_max_tokens": 32,
                    },
                },
                {
                    "provider_id": "sentence-transformers",
                    "provider_type": "inline::sentence-transformers",
                    "config": {},
                },
            ],
            "vector_io": [
                {
                    "provider_id": "sqlite-vec",
                    "provider_type": "inline::sqlite-vec",
                    "config": {"path": str(state / "sqlite-vec")},
                }
            ],
            "tool_runtime": [
                {"provider_id": "rag-runtime", "provider_type": "inline::rag-runtime"},
                {
                    "provider_id": "model-context-protocol",
                    "provider_type": "remote::model-context-protocol",
                    "config": {"timeout_seconds": 20},
                },
            ],
            "safety": [
                {
                    "provider_id": "policy",
                    "provider_type": "inline::policy",
                    "config": {
                        "rule_sets": {
                            "weapons": [{"name": "weapons", "keywords": ["bomb", "grenade"]}]
                        }
                    },
                }
            ],
            "agents": [
                {
                    "provider_id": "meta-reference",
                    "provider_type": "inline::meta-reference",
                    "config": {
                        "turn_lease_seconds": LEASE_S,
                        "sweep_interval_seconds": 0.5,
                        **agents_config,
                    },
                }
            ],
        },
        "metadata_store": {"type": "sqlite", "db_path": str(state / "registry.db")},
        "services": {name: {} for name in (*SERVICES, "gateway")},
        "models": [
            {"model_id": "SmolLM2-135M-Instruct", "provider_id": "llama-cpp", "model_type": "llm"},
            {
                "model_id": "all-MiniLM-L6-v2",
                "provider_id": "sentence-transformers",
                "model_type": "embedding",
                "metadata": {"embedding_dimension": 384},
            },
        ],
        "tool_groups": [{"toolgroup_id": "builtin::rag", "provider_id": "rag-runtime"}],
        "shields": [
            {"shield_id": "weapons", "provider_id": "policy", "provider_shield_id": "weapons"}
        ],
    }


class AgentsMesh:
    """inference + agents + gateway; `restart_agents()` kills and restarts the agents service."""

    def __init__(self, workdir: Path, config: dict[str, Any] | None = None) -> None:
        self.workdir = workdir
        state = workdir / "state"
        state.mkdir(parents=True, exist_ok=True)
        self.run_yaml = write_config(workdir / "run.yaml", config or run_config(state))
        self.gateway_port = free_port()
        self.services: dict[str, MeshProcess] = {}
        self.gateway: MeshProcess | None = None

    @property
    def gateway_addr(self) -> str:
        return f"127.0.0.1:{self.gateway_port}"

    def start(self) -> AgentsMesh:
        """Every service at once (ready when the slowest is), then the gateway."""
        env = {"LLS_GATEWAY_ADDR": self.gateway_addr}
        try:
            for name in SERVICES:
                self.services[name] = start_service(
                    name, self.run_yaml, self.workdir, env=env, healthy=False
                )
            for proc in self.services.values():
                wait_healthy(proc.address, 120, alive=proc._check_alive)
        except BaseException:
            self.stop()
            raise
        self.gateway = start_gateway(
            self.run_yaml, self.workdir, self.services, port=self.gateway_port
        )
        return self

    def kill_agents(self) -> None:
        self.services["agents"].kill()

    def start_agents(self) -> MeshProcess:
        """The agents service again, on the same port (the gateway reconnects)."""
        return self.services["agents"].start(120)

    def stop(self) -> None:
        for proc in [self.gateway, *self.services.values()]:
            if proc is not None:
                proc.stop()


def agents_stub(channel: grpc.Channel) -> agents_service_pb2_grpc.AgentsServiceStub:
    return agents_service_pb2_grpc.AgentsServiceStub(channel)


def agent_config(**fields: Any) -> agents_pb2.AgentConfig:
    """An AgentConfig from proto3 JSON fields; SmolLM2, greedy and short by default."""
    data = {"model": MODEL, "sampling_params": {"greedy": {}, "max_tokens": 24}, **fields}
    return json_format.ParseDict(data, agents_pb2.AgentConfig())


def user(text: str) -> dict[str, Any]:
    return {"role": "ROLE_USER", "content": [{"text": text}]}


def turn_request(cls: type, agent_id: str, session_id: str, *messages: dict, **fields: Any):
    return json_format.ParseDict(
        {"agent_id": agent_id, "session_id": session_id, "messages": list(messages), **fields},
        cls(),
    )


def events_of(stream: Iterator[Any]) -> list[agents_pb2.AgentTurnResponseEvent]:
    return [chunk.event for chunk in stream]


def shape(events: list[agents_pb2.AgentTurnResponseEvent]) -> list[str]:
    """The sequence of events as `kind` or `kind:step_type`, progress events collapsed."""
    out: list[str] = []
    for e in events:
        kind = e.WhichOneof("payload")
        payload = getattr(e, kind)
        label = kind
        if kind.startswith("step_"):
            label += ":" + agents_pb2.StepType.Name(payload.step_type).removeprefix("STEP_TYPE_")
            label = label.lower()
        if out and out[-1] == label and kind == "step_progress":
            continue
        out.append(label)
    return out


def text_of(message: Any) -> str:
    return "".join(c.text for c in message.content)
