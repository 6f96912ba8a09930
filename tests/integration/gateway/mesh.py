"""A mesh of echo services behind real gateway processes, for the gateway's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.support.processes import MeshProcess, start_gateway, start_service, write_config

ECHO = "tests.support.echo_service"

APIS = ("inference", "safety", "tool_runtime", "datasetio", "vector_io", "scoring", "eval")

# One echo service per API, each hosting test::echo providers.
RUN_CONFIG: dict[str, Any] = {
    "version": 2,
    "image_name": "gateway-test",
    "providers": {
        "inference": [
            {"provider_id": "echo-llm", "provider_type": "test::echo",
             "config": {"models": ["m1", "m2", "embed"]}},
        ],
        "safety": [
            {"provider_id": "echo-a", "provider_type": "test::echo", "config": {"reject": ["bad"]}},
            {"provider_id": "echo-b", "provider_type": "test::echo"},
        ],
        "tool_runtime": [
            {"provider_id": "echo-tools", "provider_type": "test::echo",
             "config": {"tools": ["web_search", "calc"]}},
        ],
        "datasetio": [{"provider_id": "echo-data", "provider_type": "test::echo"}],
        "vector_io": [{"provider_id": "echo-vec", "provider_type": "test::echo"}],
        "scoring": [{"provider_id": "echo-score", "provider_type": "test::echo"}],
        "eval": [{"provider_id": "echo-eval", "provider_type": "test::echo"}],
    },
    "services": {api: {} for api in APIS},
    "models": [
        {"model_id": "m1", "provider_id": "echo-llm"},
        {"model_id": "embed", "provider_id": "echo-llm", "model_type": "embedding",
         "metadata": {"embedding_dimension": 8}},
    ],
}  # fmt: skip


class Mesh:
    def __init__(self, workdir: Path, config: dict[str, Any] | None = None) -> None:
        self.workdir = workdir
        self.config = config or RUN_CONFIG
        self.run_config = write_config(workdir / "run.yaml", self.config)
        self.services: dict[str, MeshProcess] = {}
        self.gateways: list[MeshProcess] = []

    def start_services(self) -> Mesh:
        for name in self.config["services"]:
            self.services[name] = start_service(name, self.run_config, self.workdir, module=ECHO)
        return self

    def start_gateway(self, name: str = "gateway", **env: str) -> MeshProcess:
        gw = start_gateway(self.run_config, self.workdir, self.services, name=name, env=env)
        self.gateways.append(gw)
        return gw

    def stop(self) -> None:
        for proc in [*self.gateways, *self.services.values()]:
            proc.stop()


def error_info(err: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    status = rpc_status.from_call(err)
    if status is None:
        return None
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    return None
