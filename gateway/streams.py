"""Forwarded streams that fail say so, and never hang.

REST callers read a server stream through Envoy's transcoder as Server-Sent Events. Once the
first event is out the HTTP status is 200, and a gRPC status that ends the stream later only
reaches HTTP trailers, which SSE clients never read: a cut stream looked complete. So when a
forwarded stream fails after its first message and the caller came through the transcoder
(Envoy marks those requests with `x-llamastack-rest`), the gateway sends one more message
before the status, built from that same `google.rpc.Status`:

- ordinary streaming responses: a message holding only `google.rpc.Status error = 1000` (every
  streaming response declares it; a contract test checks), written as raw bytes (tag, length,
  status) without parsing anything. The transcoder prints `data: {"error": {"code": 14,
  "message": ..., "details": [ErrorInfo]}}` (plus the message's empty repeated fields).
- `google.api.HttpBody` responses (the OpenAI API, whose service writes the SSE itself): when
  the stream was SSE, OpenAI's `data: {"error": {"message", "type", "param", "code"}}`; the
  service never wrote `data: [DONE]`, so OpenAI's SDKs raise.

Native gRPC and gRPC-Web callers get the status only. The gateway also ends streams that would
hang or be cut without a word, with a status (and, for REST callers, that last message):

- idle: no message from the upstream service for `stream_idle_timeout_s` → DEADLINE_EXCEEDED;
- the caller's deadline: just before it passes → DEADLINE_EXCEEDED (at the deadline itself
  gRPC cancels the call, and the error message could not be sent any more);
- drain: a gateway stopping on SIGTERM lets streams run on for its drain period, then ends
  those still open with UNAVAILABLE (their clients retry on another replica).

Cost on the success path: one timer per stream (re-armed every quarter of the idle time) and
one attribute store per message (`watch.last = chunk`, the timer's mark of progress).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import grpc
from google.api import httpbody_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from llamastack.common.v1 import errors_pb2
from services.common import descriptors
from services.common.errors import DeadlineExceeded, ServiceUnavailable, build_status, status_for
from services.common.httpbody import SSE, sse_body
from services.common.logs import REQUEST_ID

if TYPE_CHECKING:
    from gateway.directory import ServiceEntry

__all__ = ["ERROR_FIELD_NUMBER", "REST_METADATA", "ErrorTail", "StreamGuard", "Watch"]

#: Envoy adds it to every request that came through the REST transcoder.
REST_METADATA = "x-llamastack-rest"
#: Number of the `google.rpc.Status error` field of every streaming response message.
ERROR_FIELD_NUMBER = 1000
_DETAILS = "grpc-status-details-bin"
_HTTP_BODY = "google.api.HttpBody"
_STATUS = "google.rpc.Status"
#: OpenAI's error `type` per code (as the Lua filter derives it from the HTTP status).
_OPENAI_TYPES = {
    code_pb2.INVALID_ARGUMENT: "invalid_request_error",
    code_pb2.FAILED_PRECONDITION: "invalid_request_error",
    code_pb2.OUT_OF_RANGE: "invalid_request_error",
    code_pb2.NOT_FOUND: "invalid_request_error",
    code_pb2.ALREADY_EXISTS: "invalid_request_error",
    code_pb2.UNAUTHENTICATED: "authentication_error",
    code_pb2.PERMISSION_DENIED: "permission_error",
    code_pb2.RESOURCE_EXHAUSTED: "rate_limit_error",
}


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


class ErrorTail:
    """The last message of a failed stream, for one RPC's response type."""

    __slots__ = ("_tag",)

    def __init__(self, tag: bytes | None) -> None:
        self._tag = tag  # None: google.api.HttpBody

    @classmethod
    def for_method(cls, method: descriptors.MethodInfo) -> ErrorTail | None:
        """None when the response can carry no error (gRPC-only typed OpenAI chunks)."""
        if method.response.full_name == _HTTP_BODY:
            return cls(None)
        field = method.response.fields_by_name.get("error")
        if field is None or field.message_type is None or field.message_type.full_name != _STATUS:
            return None
        return cls(_varint(field.number << 3 | 2))

    def message(self, status: status_pb2.Status, last: bytes) -> bytes | None:
        """The serialized message; None when the stream was not SSE (a whole JSON body)."""
        if self._tag is not None:
            body = status.SerializeToString()
            return self._tag + _varint(len(body)) + body
        if not httpbody_pb2.HttpBody.FromString(last).content_type.startswith(SSE):
            return None
        return sse_body(openai_error(status)).SerializeToString()


def openai_error(status: status_pb2.Status) -> dict[str, Any]:
    """OpenAI's error object for a status: `code` is the ErrorInfo reason in lower case,
    `param` its `field` (as the `llamastack.rest` Lua filter writes them for early errors)."""
    reason, param = None, None
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            reason = info.reason.removeprefix("ERROR_REASON_").lower() or None
            param = info.metadata.get("field")
            break
    return {
        "error": {
            "message": status.message,
            "type": _OPENAI_TYPES.get(status.code, "server_error"),
            "param": param,
            "code": reason,
        }
    }


def status_of(error: BaseException) -> status_pb2.Status:
    """The google.rpc.Status the caller gets for `error` (what the guard will abort with)."""
    if isinstance(error, grpc.aio.AioRpcError):
        for key, value in error.trailing_metadata() or ():
            if key == _DETAILS:
                return status_pb2.Status.FromString(value)
        return status_pb2.Status(code=error.code().value[0], message=error.details() or "")
    rid = REQUEST_ID.get()
    status = status_for(error, rid) or build_status(
        grpc.StatusCode.INTERNAL,
        f"internal error (request id {rid}); the gateway log has the details",
        errors_pb2.ERROR_REASON_INTERNAL,
        request_id=rid,
    )
    for key, value in status.trailing_metadata:
        if key == _DETAILS:
            return status_pb2.Status.FromString(value)
    return status_pb2.Status(code=status.code.value[0], message=status.details)


def _from_rest(context: grpc.aio.ServicerContext) -> bool:
    return any(key == REST_METADATA for key, _ in context.invocation_metadata() or ())


class Watch:
    """The timer of one forwarded stream: idle time, the caller's deadline, the drain."""

    __slots__ = ("_budget", "_call", "_deadline", "_entry", "_guard", "_mark", "_quiet_since",
                 "_timer", "last", "reason")  # fmt: skip

    def __init__(
        self, guard: StreamGuard, call: Any, entry: ServiceEntry, budget: float | None
    ) -> None:
        #: The last message forwarded (the router sets it per message).
        self.last: bytes | None = None
        #: Why the gateway ended the stream itself, once it did.
        self.reason: Exception | None = None
        self._guard, self._call, self._entry, self._budget = guard, call, entry, budget
        self._mark: bytes | None = None
        self._quiet_since = guard.loop.time()
        # Early enough that the error still goes out before gRPC cancels the call.
        self._deadline = None
        if budget is not None:
            margin = min(guard.deadline_margin_s, budget / 10)
            self._deadline = self._quiet_since + budget - margin
        self._timer: asyncio.TimerHandle | None = None
        self._arm(self._quiet_since)

    def _arm(self, now: float) -> None:
        at = now + self._guard.tick if self._guard.tick else None
        if self._deadline is not None:
            at = self._deadline if at is None else min(at, self._deadline)
        if at is not None:
            self._timer = self._guard.loop.call_at(at, self._check)

    def _check(self) -> None:
        now = self._guard.loop.time()
        if self._deadline is not None and now >= self._deadline:
            budget = f"{self._budget:.1f}".rstrip("0").rstrip(".")  # the caller's round value
            self.stop(
                DeadlineExceeded(
                    f"the call's deadline ({budget}s) passed before the stream ended",
                    timeoutSeconds=budget,
                )
            )
            return
        # Messages are new bytes objects (b"" aside, which no stream sends twice in a row).
        if self.last is not self._mark:
            self._mark, self._quiet_since = self.last, now
        elif now - self._quiet_since >= self._guard.idle_timeout_s:
            idle = self._guard.idle_timeout_s
            self.stop(
                DeadlineExceeded(
                    f"the {self._entry.name} service sent nothing for {idle:g}s; the gateway "
                    "ended the stream (stream idle timeout, LLS_STREAM_IDLE_TIMEOUT_S)",
                    service=self._entry.name,
                    idleSeconds=f"{idle:g}",
                )
            )
            return
        self._arm(now)

    def stop(self, reason: Exception) -> None:
        """End the stream with `reason` (cancels the upstream call; the router reports it)."""
        if self.reason is None:
            self.reason = reason
            self._call.cancel()

    def failure(self, exc: BaseException) -> BaseException:
        """What to report for the exception that ended the stream. The caller's own
        cancellation is re-raised: nobody is left to tell."""
        if isinstance(exc, asyncio.CancelledError):
            task = asyncio.current_task()
            if self.reason is None or (task is not None and task.cancelling()):
                raise exc
        if self.reason is not None:
            return self.reason
        assert isinstance(exc, grpc.aio.AioRpcError)
        return self._entry.upstream_error(exc)

    def tail(
        self, tail: ErrorTail | None, context: grpc.aio.ServicerContext, error: BaseException
    ) -> bytes | None:
        """The last message for a REST caller, when the stream had started."""
        if tail is None or self.last is None or not _from_rest(context):
            return None
        return tail.message(status_of(error), self.last)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._guard.active.discard(self)


class StreamGuard:
    """The watches of one gateway's forwarded streams."""

    def __init__(self, idle_timeout_s: float, deadline_margin_s: float = 0.25) -> None:
        #: 0 disables the idle check.
        self.idle_timeout_s = idle_timeout_s
        self.tick = idle_timeout_s / 4 if idle_timeout_s > 0 else 0.0
        self.deadline_margin_s = deadline_margin_s
        self.active: set[Watch] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def watch(self, call: Any, context: grpc.aio.ServicerContext, entry: ServiceEntry) -> Watch:
        watch = Watch(self, call, entry, context.time_remaining())
        self.active.add(watch)
        return watch

    async def drain(self, grace_s: float) -> None:
        """On SIGTERM: streams still open near the end of the drain period end with
        UNAVAILABLE (and their error message), rather than being cut by the server's stop."""
        await asyncio.sleep(max(0.0, grace_s - max(0.5, grace_s / 10)))
        for watch in list(self.active):
            watch.stop(
                ServiceUnavailable(
                    f"the gateway is shutting down (its {grace_s:g}s drain period is ending); "
                    "the stream was ended: retry it",
                    service="gateway",
                )
            )
