"""Streams that fail say so on every surface (gateway/streams.py), with a real echo service,
gateway and Envoy: the service is killed (SIGKILL) or frozen (SIGSTOP) in the middle of a
stream, or the caller's deadline passes.

REST (SSE) callers get a last event with the error (the native `google.rpc.Status`, or
OpenAI's error object and no `[DONE]`); gRPC callers get the status only, never a message
with `error` set.
"""

from __future__ import annotations

import signal
import time

import grpc
import pytest

from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from tests.faults.stack import ECHO, FaultStack, error_info, figure, read_sse

MODEL = "echo-llm/m1"
STREAM = "/v1/inference/chat-completion:stream"
OPENAI = "/v1/chat/completions"
IDLE_S = 1.5

CONFIG = {
    "version": 2,
    "image_name": "faults-streams",
    "providers": {
        "inference": [
            {"provider_id": "echo-llm", "provider_type": "test::echo", "config": {}},
        ]
    },
    "services": {"inference": {}},
    "models": [{"model_id": "m1", "provider_id": "echo-llm"}],
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = FaultStack(
        tmp_path_factory.mktemp("faults-streams"),
        CONFIG,
        {"inference": ECHO},
        gateway_env={"LLS_STREAM_IDLE_TIMEOUT_S": str(IDLE_S)},
    )
    try:
        yield s.start()
    finally:
        s.stop()


@pytest.fixture(scope="module")
def stub(stack):
    with grpc.insecure_channel(stack.gateway.address) as channel:
        yield inf_grpc.InferenceServiceStub(channel)


def _native(n: int, pace: float) -> dict:
    return {
        "model_id": MODEL,
        "messages": [{"role": "ROLE_USER", "content": [{"text": "hi"}]}],
        "sampling_params": {"max_tokens": n, "top_p": {"temperature": pace}},
    }


def _openai(n: int, pace: float) -> dict:
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "max_tokens": n,
        "temperature": pace,
    }


def _grpc_request(n: int, pace: float) -> inf.StreamChatCompletionRequest:
    return inf.StreamChatCompletionRequest(
        model_id=MODEL,
        messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "hi"}])],
        sampling_params=sampling_pb2.SamplingParams(
            max_tokens=n, top_p=sampling_pb2.TopPSampling(temperature=pace)
        ),
    )


def _routes_again(stub, timeout: float = 60.0) -> None:
    """Wait until a stream through the gateway completes (the service is back and the gateway
    re-registered its models)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if len(list(stub.StreamChatCompletion(_grpc_request(1, 0), timeout=5))) == 1:
                return
        except grpc.RpcError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


class _At:
    """`on_event` hook: do something to the inference service when event `n` arrives."""

    def __init__(self, stack: FaultStack, n: int, sig: int) -> None:
        self.stack, self.n, self.sig, self.at = stack, n, sig, 0.0

    def __call__(self, count: int, _event) -> None:
        if count == self.n:
            self.stack.kill("inference", self.sig)
            self.at = time.monotonic()


def test_a_healthy_stream_has_no_error_event(http):
    sse = read_sse(http, STREAM, _native(5, 0))
    assert sse.status == 200 and len(sse.events) == 5 and sse.error is None
    openai = read_sse(http, OPENAI, _openai(3, 0))
    assert openai.done and openai.error is None


def test_a_killed_service_ends_a_native_rest_stream_with_an_error_event(stack, http, stub):
    kill = _At(stack, 3, signal.SIGKILL)
    sse = read_sse(http, STREAM, _native(100, 0.05), on_event=kill)
    seen = time.monotonic() - kill.at
    assert sse.status == 200  # the stream had started: the error must be in the body
    error = sse.error
    assert error is not None, f"the stream ended without an error event: {sse.events[-2:]}"
    assert error["code"] == 14 and "inference service" in error["message"]
    assert error_info(error)["reason"] == "ERROR_REASON_SERVICE_UNAVAILABLE"
    assert all("error" not in e for e in sse.events[:-1])
    assert 3 <= len(sse.events) - 1 < 100
    t0 = time.monotonic()
    stack.restart("inference")
    _routes_again(stub)
    figure(
        "stream cut: service SIGKILL (REST, native)",
        f"error event {seen * 1000:.0f} ms after the kill, code 14 SERVICE_UNAVAILABLE; "
        f"routes again {time.monotonic() - t0:.1f}s after the restart began",
    )


def test_a_killed_service_ends_an_openai_stream_with_openai_error_and_no_done(stack, http, stub):
    kill = _At(stack, 3, signal.SIGKILL)
    sse = read_sse(http, OPENAI, _openai(100, 0.05), on_event=kill)
    seen = time.monotonic() - kill.at
    assert sse.status == 200 and not sse.done
    assert sse.error == {
        "message": sse.error["message"],
        "type": "server_error",
        "param": None,
        "code": "service_unavailable",
    }
    assert "inference service" in sse.error["message"]
    stack.restart("inference")
    _routes_again(stub)
    figure(
        "stream cut: service SIGKILL (REST, OpenAI)",
        f"OpenAI error event {seen * 1000:.0f} ms after the kill, no [DONE]",
    )


def test_a_killed_service_ends_a_grpc_stream_with_the_status_only(stack, stub):
    got = []
    with pytest.raises(grpc.RpcError) as err:
        for chunk in stub.StreamChatCompletion(_grpc_request(100, 0.05), timeout=30):
            got.append(chunk)
            if len(got) == 3:
                stack.kill("inference")
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert error_info(err.value)["reason"] == "ERROR_REASON_SERVICE_UNAVAILABLE"
    assert not any(c.HasField("error") for c in got)
    stack.restart("inference")
    _routes_again(stub)


def test_a_frozen_service_ends_the_stream_after_the_idle_timeout(stack, http, stub):
    freeze = _At(stack, 2, signal.SIGSTOP)
    try:
        sse = read_sse(http, STREAM, _native(100, 0.05), on_event=freeze)
        seen = time.monotonic() - freeze.at
    finally:
        stack.kill("inference", signal.SIGCONT)
    assert sse.status == 200
    assert sse.error["code"] == 4, sse.events[-1]
    assert f"sent nothing for {IDLE_S:g}s" in sse.error["message"]
    assert error_info(sse.error)["reason"] == "ERROR_REASON_TIMEOUT"
    figure(
        f"stream stalled: service SIGSTOP (idle timeout {IDLE_S:g}s)",
        f"DEADLINE_EXCEEDED error event {seen:.2f}s after the freeze",
    )
    # Over gRPC: the status.
    got = []
    try:
        with pytest.raises(grpc.RpcError) as err:
            for chunk in stub.StreamChatCompletion(_grpc_request(100, 0.05), timeout=30):
                got.append(chunk)
                if len(got) == 2:
                    stack.kill("inference", signal.SIGSTOP)
    finally:
        stack.kill("inference", signal.SIGCONT)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert not any(c.HasField("error") for c in got)
    _routes_again(stub)


def test_a_stream_silent_from_the_start_is_a_504(http):
    sse = read_sse(http, STREAM, _native(2, IDLE_S * 3))
    assert sse.status == 504 and not sse.events
    assert sse.json()["code"] == 4 and "sent nothing" in sse.json()["message"]


@pytest.mark.parametrize(
    "headers", [{"x-llamastack-timeout-ms": "1200"}, {"grpc-timeout": "1200m"}], ids=["ms", "grpc"]
)
def test_the_callers_deadline_ends_the_stream_with_an_error_event(http, headers):
    sse = read_sse(http, STREAM, _native(100, 0.3), headers=headers)
    assert sse.status == 200 and len(sse.events) >= 2
    assert sse.error["code"] == 4 and "deadline (1.2s)" in sse.error["message"]
    assert sse.seconds < 30
    if "grpc-timeout" not in headers:
        figure(
            "caller deadline 1.2s (x-llamastack-timeout-ms)",
            f"stream ended after {sse.seconds:.2f}s with a DEADLINE_EXCEEDED error event, "
            f"{len(sse.events) - 1} chunks before it",
        )


def test_the_caller_deadline_also_bounds_unary_calls(http):
    body = _native(1, 3.0)  # the echo answers after 3 s
    resp = http.post(
        "/v1/inference/chat-completion", json=body, headers={"x-llamastack-timeout-ms": "500"}
    )
    assert resp.status_code == 504 and resp.json()["code"] == 4


def test_a_bad_timeout_header_is_a_400(http):
    resp = http.post(STREAM, json=_native(1, 0), headers={"x-llamastack-timeout-ms": "soon"})
    assert resp.status_code == 400
    assert resp.json() == {
        "code": 3,
        "message": "x-llamastack-timeout-ms must be a whole number of milliseconds from 1 to "
        "99999999",
        "details": [],
    }
