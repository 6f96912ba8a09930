"""A remote model server that is down, slow, stalls, cuts the connection or sends malformed
chunks (tests/support/faulty_openai_server.py, a real HTTP server) behind the real inference
service's `remote::openai-compatible` provider, the gateway and Envoy.

Every fault is UNAVAILABLE or DEADLINE_EXCEEDED with a message naming the server and what went
wrong, never INTERNAL and never a stream that just ends: before the first chunk as the HTTP
status, after it as the stream's last event.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.faults.stack import FaultStack, error_info, figure, read_sse
from tests.support.processes import REPO, stop_process

FAULTS = ("good", "malformed", "cut", "no-done", "stall", "slow")
PROVIDER_TIMEOUT_S = 2.0
STREAM = "/v1/inference/chat-completion:stream"
OPENAI = "/v1/chat/completions"


class Server:
    """One faulty_openai_server process."""

    def __init__(self, workdir) -> None:
        port_file = workdir / "port"
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tests.support.faulty_openai_server", str(port_file)],
            cwd=REPO,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert self.popen.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{port_file.read_text()}/v1"

    def stop(self) -> None:
        stop_process(self.popen)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """The misbehaving server, and one that goes down once its model is registered."""
    up = Server(tmp_path_factory.mktemp("faulty-server"))
    doomed = Server(tmp_path_factory.mktemp("doomed-server"))
    try:
        yield up, doomed
    finally:
        up.stop()
        doomed.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, servers):
    server, doomed = servers
    config = {
        "version": 2,
        "image_name": "faults-remote",
        "providers": {
            "inference": [
                {
                    "provider_id": "flaky",
                    "provider_type": "remote::openai-compatible",
                    "config": {
                        "url": server.url,
                        "timeout_s": PROVIDER_TIMEOUT_S,
                        "models": [{"model_id": m} for m in FAULTS],
                    },
                },
                {
                    "provider_id": "down",
                    "provider_type": "remote::openai-compatible",
                    "config": {"url": doomed.url, "models": [{"model_id": "good"}]},
                },
            ]
        },
        "services": {"inference": {}},
        "models": [{"model_id": m, "provider_id": "flaky"} for m in FAULTS]
        + [{"model_id": "good", "provider_id": "down"}],
    }
    s = FaultStack(tmp_path_factory.mktemp("faults-remote"), config, {"inference": None})
    try:
        yield s.start()
    finally:
        s.stop()


def _native(model: str) -> dict:
    return {
        "model_id": model,
        "messages": [{"role": "ROLE_USER", "content": [{"text": "hi"}]}],
        "sampling_params": {"max_tokens": 16},
    }


def _openai(model: str) -> dict:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True}


def test_a_good_server_streams_to_the_end(http):
    sse = read_sse(http, STREAM, _native("flaky/good"))
    assert sse.status == 200 and sse.error is None
    assert sse.events[-1]["event"]["event_type"] == "CHAT_COMPLETION_EVENT_TYPE_COMPLETE"
    assert read_sse(http, OPENAI, _openai("flaky/good")).done


def test_a_server_that_is_down_is_unavailable_naming_it(http, servers):
    doomed = servers[1]
    assert read_sse(http, STREAM, _native("down/good")).error is None
    doomed.stop()
    url = doomed.url
    t0 = time.monotonic()
    sse = read_sse(http, STREAM, _native("down/good"))
    seconds = time.monotonic() - t0
    assert sse.status == 503, sse.body
    body = sse.json()
    assert body["code"] == 14 and f"cannot reach {url}" in body["message"]
    assert error_info(body)["reason"] == "ERROR_REASON_UPSTREAM_UNAVAILABLE"
    unary = http.post("/v1/inference/chat-completion", json=_native("down/good"))
    assert unary.status_code == 503 and f"cannot reach {url}" in unary.json()["message"]
    openai = http.post(OPENAI, json={**_openai("down/good"), "stream": False})
    assert openai.status_code == 503 and openai.json()["error"]["type"] == "server_error"
    figure("remote server down", f"HTTP 503 UNAVAILABLE naming the URL in {seconds:.2f}s")


def test_a_server_that_never_answers_is_deadline_exceeded(http):
    sse = read_sse(http, STREAM, _native("flaky/slow"))
    assert sse.status == 504, sse.body
    assert sse.json()["code"] == 4 and f"sent nothing for {PROVIDER_TIMEOUT_S:g}s" in sse.body
    own = read_sse(http, STREAM, _native("flaky/slow"), headers={"x-llamastack-timeout-ms": "800"})
    assert own.status == 504 and "deadline (0.8s)" in own.json()["message"]
    figure(
        "remote server slow (no answer)",
        f"HTTP 504 DEADLINE_EXCEEDED after {sse.seconds:.2f}s (provider timeout_s "
        f"{PROVIDER_TIMEOUT_S:g}), after {own.seconds:.2f}s with a 0.8s caller deadline",
    )


@pytest.mark.parametrize(
    ("model", "code", "words"),
    [
        ("stall", 4, f"sent nothing for {PROVIDER_TIMEOUT_S:g}s"),
        ("malformed", 14, "sent a malformed chunk mid-stream (not JSON"),
        ("cut", 14, "the connection to"),
        ("no-done", 14, "without `data: [DONE]` (the answer was cut off)"),
    ],
)
def test_a_stream_that_breaks_upstream_ends_with_a_clear_error_event(http, model, code, words):
    sse = read_sse(http, STREAM, _native(f"flaky/{model}"))
    assert sse.status == 200
    assert len(sse.events) >= 3  # START and the server's chunks came first
    assert sse.error is not None, f"no error event: {sse.events[-1]}"
    assert sse.error["code"] == code and words in sse.error["message"], sse.error
    assert "provider flaky" in sse.error["message"]
    openai = read_sse(http, OPENAI, _openai(f"flaky/{model}"))
    assert openai.status == 200 and not openai.done
    assert openai.error is not None and words in openai.error["message"]
    assert openai.error["type"] == "server_error"
    figure(
        f"remote server {model} mid-stream",
        f"native: error event code {sse.error['code']} after {sse.seconds:.2f}s; "
        f"OpenAI: error event, no [DONE] ({openai.error['code']})",
    )
