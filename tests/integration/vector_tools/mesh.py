"""The vector IO + tool runtime mesh for tests: a real inference service (MiniLM embeddings),
the vector IO service with all three providers, the tool runtime service (RAG + MCP), a
gateway, and a real MCP server process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.support.processes import REPO, stop_process

EMBED = "sentence-transformers/all-MiniLM-L6-v2"
VECTOR_PROVIDERS = ("qdrant", "sqlite-vec", "qdrant-remote")
MCP_TOKEN = "t0ken-for-tests"


def run_config(workdir: Path) -> dict[str, Any]:
    state = workdir / "state"
    return {
        "version": 2,
        "image_name": "vector-tools-test",
        "providers": {
            "inference": [
                {"provider_id": "sentence-transformers",
                 "provider_type": "inline::sentence-transformers", "config": {}},
            ],
            "vector_io": [
                {"provider_id": "qdrant", "provider_type": "inline::qdrant",
                 "config": {"path": str(state / "qdrant")}},
                {"provider_id": "sqlite-vec", "provider_type": "inline::sqlite-vec",
                 "config": {"path": str(state / "sqlite-vec")}},
                {"provider_id": "qdrant-remote", "provider_type": "remote::qdrant",
                 "config": {"path": str(state / "qdrant-local")}},
            ],
            "tool_runtime": [
                {"provider_id": "rag-runtime", "provider_type": "inline::rag-runtime",
                 "config": {"files_dir": str(workdir / "files")}},
                {"provider_id": "mcp", "provider_type": "remote::model-context-protocol",
                 "config": {"timeout_seconds": 20, "group_headers": {
                     "mcp::secure": {"Authorization": f"Bearer {MCP_TOKEN}"}}}},
            ],
        },
        "metadata_store": {"type": "sqlite", "db_path": str(state / "registry.db")},
        "services": {"gateway": {"port": 0}, "inference": {"port": 0}, "vector_io": {"port": 0},
                     "tool_runtime": {"port": 0}},
        "models": [
            {"model_id": "all-MiniLM-L6-v2", "provider_id": "sentence-transformers",
             "model_type": "embedding", "metadata": {"embedding_dimension": 384}},
        ],
        "tool_groups": [{"toolgroup_id": "builtin::rag", "provider_id": "rag-runtime"}],
    }  # fmt: skip


class McpServer:
    """`python -m tests.support.mcp_server` on a free port, stopped by PID."""

    def __init__(self, workdir: Path, token: str | None = None) -> None:
        name = "mcp-secure" if token else "mcp"
        self.port_file = workdir / f"{name}.port"
        self.log_path = workdir / f"{name}.log"
        self.port_file.unlink(missing_ok=True)
        args = [sys.executable, "-m", "tests.support.mcp_server", str(self.port_file)]
        if token:
            args += ["--token", token]
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
            )
        deadline = time.monotonic() + 30
        while not self.port_file.exists() or not self.port_file.read_text():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"MCP server did not start:\n{self.log_path.read_text()}")
            time.sleep(0.05)
        self.port = int(self.port_file.read_text())
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.sse_url = f"http://127.0.0.1:{self.port}/sse"

    def stop(self) -> None:
        stop_process(self.popen)


def reason(err: grpc.RpcError) -> str:
    status = rpc_status.from_call(err)
    for detail in status.details if status else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""
