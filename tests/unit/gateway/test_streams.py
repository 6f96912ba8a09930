"""The error tail of failed streams and the stream timers (gateway/streams.py)."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest
from google.api import httpbody_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from gateway.streams import ErrorTail, StreamGuard, openai_error, status_of
from llamastack.agents.v1 import agents_service_pb2
from llamastack.common.v1 import errors_pb2
from llamastack.inference.v1 import inference_service_pb2
from services.common import descriptors
from services.common.errors import DeadlineExceeded, ServiceUnavailable, build_status


def _method(path: str) -> descriptors.MethodInfo:
    return next(m for m in descriptors.methods() if m.path == path)


CHAT = "/llamastack.inference.v1.InferenceService/StreamChatCompletion"
TURN = "/llamastack.agents.v1.AgentsService/StreamTurn"
OPENAI_HTTP = "/llamastack.openai.v1.OpenAIService/ChatCompletionsHttp"
OPENAI_TYPED = "/llamastack.openai.v1.OpenAIService/StreamChatCompletion"


def _status(code=code_pb2.UNAVAILABLE, message="gone", **metadata) -> status_pb2.Status:
    reason = errors_pb2.ERROR_REASON_SERVICE_UNAVAILABLE
    grpc_code = next(c for c in grpc.StatusCode if c.value[0] == code)
    built = build_status(grpc_code, message, reason, request_id="r1", **metadata)
    return status_pb2.Status.FromString(dict(built.trailing_metadata)["grpc-status-details-bin"])


@pytest.mark.parametrize(
    ("path", "cls"),
    [
        (CHAT, inference_service_pb2.StreamChatCompletionResponse),
        (TURN, agents_service_pb2.StreamTurnResponse),
    ],
)
def test_the_tail_is_a_message_holding_only_the_status(path, cls):
    status = _status(service="inference")
    data = ErrorTail.for_method(_method(path)).message(status, b"\n\x02\x08\x01")
    parsed = cls.FromString(data)
    assert parsed.error == status
    assert parsed.ListFields() == [(cls.DESCRIPTOR.fields_by_name["error"], status)]


def test_openai_sse_streams_end_with_openai_error_event():
    tail = ErrorTail.for_method(_method(OPENAI_HTTP))
    last = httpbody_pb2.HttpBody(content_type="text/event-stream", data=b"data: {}\n\n")
    data = tail.message(
        _status(code_pb2.INVALID_ARGUMENT, "bad", field="x"), last.SerializeToString()
    )
    body = httpbody_pb2.HttpBody.FromString(data)
    assert body.content_type == "text/event-stream"
    assert body.data.startswith(b"data: ") and body.data.endswith(b"\n\n")
    assert json.loads(body.data[6:]) == {
        "error": {
            "message": "bad",
            "type": "invalid_request_error",
            "param": "x",
            "code": "service_unavailable",
        }
    }


def test_a_whole_json_body_gets_no_sse_event():
    tail = ErrorTail.for_method(_method(OPENAI_HTTP))
    last = httpbody_pb2.HttpBody(content_type="application/json", data=b"{}")
    assert tail.message(_status(), last.SerializeToString()) is None


def test_grpc_only_streams_have_no_tail():
    assert ErrorTail.for_method(_method(OPENAI_TYPED)) is None


def test_openai_error_without_error_info():
    assert openai_error(status_pb2.Status(code=code_pb2.UNAVAILABLE, message="m")) == {
        "error": {"message": "m", "type": "server_error", "param": None, "code": None}
    }


def test_status_of_a_domain_error_is_what_the_guard_sends():
    status = status_of(DeadlineExceeded("slow", service="s"))
    assert status.code == code_pb2.DEADLINE_EXCEEDED and status.message == "slow"
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert info.reason == "ERROR_REASON_TIMEOUT" and info.metadata["service"] == "s"


def test_status_of_an_upstream_error_keeps_its_details():
    original = _status(service="x")
    err = grpc.aio.AioRpcError(
        grpc.StatusCode.UNAVAILABLE,
        grpc.aio.Metadata(),
        grpc.aio.Metadata(("grpc-status-details-bin", original.SerializeToString())),
        details="gone",
    )
    assert status_of(err) == original
    bare = grpc.aio.AioRpcError(
        grpc.StatusCode.INTERNAL, grpc.aio.Metadata(), grpc.aio.Metadata(), details="boom"
    )
    assert status_of(bare) == status_pb2.Status(code=code_pb2.INTERNAL, message="boom")


def test_status_of_a_bug_is_internal_with_a_request_id():
    status = status_of(KeyError("x"))
    assert status.code == code_pb2.INTERNAL and "request id" in status.message


class _Call:
    def __init__(self) -> None:
        self.cancelled = asyncio.Event()

    def cancel(self) -> None:
        self.cancelled.set()


class _Entry:
    name = "inference"

    def upstream_error(self, err):
        return ServiceUnavailable("gone")


class _Context:
    def __init__(self, remaining=None, metadata=()) -> None:
        self._remaining, self._metadata = remaining, metadata

    def time_remaining(self):
        return self._remaining

    def invocation_metadata(self):
        return self._metadata


async def test_a_silent_stream_is_stopped_after_the_idle_time():
    guard = StreamGuard(idle_timeout_s=0.5)
    call = _Call()
    watch = guard.watch(call, _Context(), _Entry())
    for _ in range(12):  # messages keep it alive
        await asyncio.sleep(0.05)
        watch.last = b"x" + bytes(1)
    assert not call.cancelled.is_set()
    await asyncio.wait_for(call.cancelled.wait(), 2)
    assert isinstance(watch.reason, DeadlineExceeded)
    assert "sent nothing for 0.5s" in watch.reason.message
    assert watch.failure(asyncio.CancelledError()) is watch.reason
    watch.close()
    assert not guard.active


async def test_the_deadline_fires_before_the_callers():
    guard = StreamGuard(idle_timeout_s=0, deadline_margin_s=0.05)
    call = _Call()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    watch = guard.watch(call, _Context(remaining=0.3), _Entry())
    await asyncio.wait_for(call.cancelled.wait(), 2)
    assert loop.time() - t0 >= 0.27  # the margin is a tenth of a short deadline
    assert "deadline (0.3s)" in watch.reason.message
    watch.close()


async def test_drain_ends_open_streams_with_unavailable():
    guard = StreamGuard(idle_timeout_s=0)
    call = _Call()
    watch = guard.watch(call, _Context(), _Entry())
    await guard.drain(0.1)
    assert call.cancelled.is_set()
    assert isinstance(watch.reason, ServiceUnavailable)
    assert "shutting down" in watch.reason.message
    watch.close()


async def test_failures_the_gateway_did_not_cause():
    guard = StreamGuard(idle_timeout_s=0)
    watch = guard.watch(_Call(), _Context(metadata=(("x-llamastack-rest", "1"),)), _Entry())
    with pytest.raises(asyncio.CancelledError):  # the caller went away: nothing to report
        watch.failure(asyncio.CancelledError())
    err = grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, None, None)
    error = watch.failure(err)
    assert isinstance(error, ServiceUnavailable)
    tail = ErrorTail.for_method(_method(CHAT))
    assert watch.tail(tail, _Context(metadata=(("x-llamastack-rest", "1"),)), error) is None
    watch.last = b"\n\x00"  # the stream had started
    assert watch.tail(tail, _Context(), error) is None  # a gRPC caller: the status only
    assert watch.tail(tail, _Context(metadata=(("x-llamastack-rest", "1"),)), error)
    watch.close()
