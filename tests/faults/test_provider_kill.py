"""A provider killed in the middle of a stream, with the real model: the inline llama.cpp
inference service (SIGKILL), and a remote llama.cpp server (`python -m llama_cpp.server`)
behind `remote::openai-compatible` in a second inference service. Through Envoy, native and
OpenAI REST streams alternate.

What must hold, every run: the REST client gets an error event, never a clean end (no
COMPLETE, no `[DONE]`); the other model keeps answering meanwhile; once the process is back,
calls route again (recovery time measured from the kill, restarting at once as the
launcher would after its 0.5 s backoff).
"""

from __future__ import annotations

import statistics
import time

import httpx
import pytest

from tests.faults.stack import FaultStack, figure, read_sse
from tests.integration.inference.mesh import REMOTE_MODEL, LlamaServer, llama_cpp_provider

pytestmark = pytest.mark.slow

RUNS = 3
INLINE = "llama-cpp/SmolLM2-135M-Instruct"
REMOTE = f"remote-llama/{REMOTE_MODEL}"
PROMPT = "Write a long story about a lighthouse keeper and the sea."


def _config(server_url: str) -> dict:
    return {
        "version": 2,
        "image_name": "faults-kill",
        "apis": ["inference"],
        "providers": {
            "inference": [
                llama_cpp_provider(),
                {
                    "provider_id": "remote-llama",
                    "provider_type": "remote::openai-compatible",
                    "config": {"url": server_url},
                },
            ]
        },
        "services": {
            "inference": {"providers": ["llama-cpp"]},
            "inference_remote": {"api": "inference", "providers": ["remote-llama"]},
        },
        "models": [
            {"model_id": "SmolLM2-135M-Instruct", "provider_id": "llama-cpp"},
            {"model_id": REMOTE_MODEL, "provider_id": "remote-llama"},
        ],
    }


class KillMesh:
    def __init__(self, workdir) -> None:
        self.workdir = workdir
        # llama-cpp-python's server cuts a running generation short (with `[DONE]`) when
        # another request arrives, unless told not to.
        self.server = self._server()
        self.stack = FaultStack(
            workdir, _config(self.server.url), {"inference": None, "inference_remote": None}
        ).start()
        self.http = httpx.Client(base_url=self.stack.rest, timeout=120)

    def _server(self, port: int = 0) -> LlamaServer:
        return LlamaServer(self.workdir, "--interrupt_requests", "false", port=port).wait_ready()

    def restart_server(self) -> None:
        self.server.popen.wait(30)
        self.server = self._server(self.server.port)

    def stop(self) -> None:
        self.http.close()
        self.stack.stop()
        self.server.stop()


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    m = KillMesh(tmp_path_factory.mktemp("faults-kill"))
    try:
        yield m
    finally:
        m.stop()


def _stream(http: httpx.Client, model: str, openai: bool, on_event):
    if openai:
        body = {"model": model, "messages": [{"role": "user", "content": PROMPT}],
                "stream": True, "max_tokens": 400, "temperature": 0}  # fmt: skip
        return read_sse(http, "/v1/chat/completions", body, on_event=on_event)
    body = {"model_id": model, "messages": [{"role": "ROLE_USER", "content": [{"text": PROMPT}]}],
            "sampling_params": {"max_tokens": 400}}  # fmt: skip
    return read_sse(http, "/v1/inference/chat-completion:stream", body, on_event=on_event)


def _chat_ok(http: httpx.Client, model: str) -> bool:
    body = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}
    try:
        return http.post("/v1/chat/completions", json=body, timeout=30).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_ok(http: httpx.Client, model: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not _chat_ok(http, model):
        assert time.monotonic() < deadline, f"{model} did not answer again"
        time.sleep(0.1)


def _runs(mesh: KillMesh, model: str, other: str, kill, restart) -> tuple[list[float], list[str]]:
    recoveries, codes = [], []
    for run in range(RUNS):
        killed_at = 0.0

        def on_event(n, _event):
            nonlocal killed_at
            if n == 5:
                kill()
                killed_at = time.monotonic()

        sse = _stream(mesh.http, model, openai=run % 2 == 1, on_event=on_event)
        assert sse.status == 200 and killed_at, sse.body
        assert sse.error is not None, f"run {run}: a clean end after the kill: {sse.events[-2:]}"
        assert not sse.done and not any(
            isinstance(e, dict) and e.get("event", {}).get("event_type", "").endswith("COMPLETE")
            for e in sse.events
        )
        codes.append(str(sse.error.get("code")))
        assert _chat_ok(mesh.http, other), f"{other} failed while {model} was down"
        restart()
        _wait_ok(mesh.http, model)
        recoveries.append(time.monotonic() - killed_at)
    return recoveries, codes


def _report(scenario: str, other: str, recoveries: list[float], codes: list[str]) -> None:
    figure(
        scenario,
        f"{RUNS}/{RUNS} runs ended with an error event ({', '.join(sorted(set(codes)))}), 0 clean "
        f"ends; the {other} model answered meanwhile; routes again after p50 "
        f"{statistics.median(recoveries):.1f}s / max {max(recoveries):.1f}s (kill → first OK)",
    )


def test_the_inline_provider_killed_mid_stream(mesh):
    _wait_ok(mesh.http, INLINE)
    recoveries, codes = _runs(
        mesh,
        INLINE,
        REMOTE,
        kill=lambda: mesh.stack.kill("inference"),
        restart=lambda: mesh.stack.restart("inference"),
    )
    _report("inline llama.cpp service SIGKILL mid-stream", "remote", recoveries, codes)


def test_the_remote_server_killed_mid_stream(mesh):
    _wait_ok(mesh.http, REMOTE)
    recoveries, codes = _runs(  # the server is a new process after each restart
        mesh, REMOTE, INLINE, kill=lambda: mesh.server.popen.kill(), restart=mesh.restart_server
    )
    _report("remote llama.cpp server SIGKILL mid-stream", "inline", recoveries, codes)
