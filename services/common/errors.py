"""Domain errors and their mapping to `google.rpc.Status` with `ErrorInfo`.

Code raises these (or plain ValueError / TimeoutError / NotImplementedError); one
interceptor turns them into a status. The message must say what to fix.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from llamastack.common.v1 import errors_pb2

__all__ = [
    "DOMAIN",
    "AlreadyExists",
    "DeadlineExceeded",
    "FailedPrecondition",
    "InvalidArgument",
    "LlamaStackError",
    "NotFound",
    "ObjectNotFound",
    "ProviderAmbiguous",
    "ProviderNotFound",
    "ResourceTypeMismatch",
    "ServiceUnavailable",
    "Unsupported",
    "UpstreamUnavailable",
    "build_status",
    "error_info",
    "status_for",
]

DOMAIN = "llamastack.io"
Reason = errors_pb2.ErrorReason


class LlamaStackError(Exception):
    """Base of every error a caller can act on."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    reason: int = Reason.ERROR_REASON_INTERNAL

    def __init__(self, message: str, **metadata: str) -> None:
        super().__init__(message)
        self.message = message
        self.metadata = {k: str(v) for k, v in metadata.items()}


class InvalidArgument(LlamaStackError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    reason = Reason.ERROR_REASON_INVALID_ARGUMENT


class NotFound(LlamaStackError):
    """A registered resource (model, shield, ...) does not exist."""

    code = grpc.StatusCode.NOT_FOUND
    reason = Reason.ERROR_REASON_RESOURCE_NOT_FOUND


class ObjectNotFound(NotFound):
    """An agent, session, turn, step, job or trace does not exist."""

    reason = Reason.ERROR_REASON_OBJECT_NOT_FOUND


class ProviderNotFound(NotFound):
    reason = Reason.ERROR_REASON_PROVIDER_NOT_FOUND


class AlreadyExists(LlamaStackError):
    code = grpc.StatusCode.ALREADY_EXISTS
    reason = Reason.ERROR_REASON_RESOURCE_ALREADY_EXISTS


class ProviderAmbiguous(InvalidArgument):
    reason = Reason.ERROR_REASON_PROVIDER_AMBIGUOUS


class ResourceTypeMismatch(InvalidArgument):
    reason = Reason.ERROR_REASON_RESOURCE_TYPE_MISMATCH


class FailedPrecondition(LlamaStackError):
    code = grpc.StatusCode.FAILED_PRECONDITION
    reason = Reason.ERROR_REASON_FAILED_PRECONDITION


class ServiceUnavailable(LlamaStackError):
    """A mesh service (gateway, API service) cannot be reached."""

    code = grpc.StatusCode.UNAVAILABLE
    reason = Reason.ERROR_REASON_SERVICE_UNAVAILABLE


class UpstreamUnavailable(LlamaStackError):
    """The external server behind a remote provider cannot be reached."""

    code = grpc.StatusCode.UNAVAILABLE
    reason = Reason.ERROR_REASON_UPSTREAM_UNAVAILABLE


class DeadlineExceeded(LlamaStackError):
    """The call ran out of time (the caller's deadline, a stream that went silent, a remote
    server that did not answer in time)."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED
    reason = Reason.ERROR_REASON_TIMEOUT


class Unsupported(LlamaStackError):
    code = grpc.StatusCode.UNIMPLEMENTED
    reason = Reason.ERROR_REASON_UNSUPPORTED


# Built-in exceptions that carry a caller's mistake or a plain condition.
_BUILTINS: dict[type[BaseException], tuple[grpc.StatusCode, int]] = {
    ValueError: (grpc.StatusCode.INVALID_ARGUMENT, Reason.ERROR_REASON_INVALID_ARGUMENT),
    TimeoutError: (grpc.StatusCode.DEADLINE_EXCEEDED, Reason.ERROR_REASON_TIMEOUT),
    NotImplementedError: (grpc.StatusCode.UNIMPLEMENTED, Reason.ERROR_REASON_UNSUPPORTED),
    ConnectionError: (grpc.StatusCode.UNAVAILABLE, Reason.ERROR_REASON_UPSTREAM_UNAVAILABLE),
    # A request whose bytes are not the message the RPC takes.
    DecodeError: (grpc.StatusCode.INVALID_ARGUMENT, Reason.ERROR_REASON_INVALID_ARGUMENT),
}


def error_info(reason: int, **metadata: str) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=Reason.Name(reason), domain=DOMAIN, metadata=metadata)


def status_for(exc: BaseException, request_id: str = "") -> grpc.Status | None:
    """The status for a known exception, or None for a bug (the caller logs and hides it)."""
    if isinstance(exc, LlamaStackError):
        code, reason, message, metadata = exc.code, exc.reason, exc.message, exc.metadata
    else:
        for cls in type(exc).__mro__:
            if cls in _BUILTINS:
                code, reason = _BUILTINS[cls]
                message, metadata = str(exc) or cls.__name__, {}
                break
        else:
            return None
    return build_status(code, message, reason, request_id=request_id, **metadata)


def build_status(
    code: grpc.StatusCode, message: str, reason: int, request_id: str = "", **metadata: str
) -> grpc.Status:
    if request_id:
        metadata = {**metadata, "requestId": request_id}
    detail = any_pb2.Any()
    detail.Pack(error_info(reason, **metadata))
    status = status_pb2.Status(code=_CODES[code], message=message, details=[detail])
    return rpc_status.to_status(status)


_CODES = {c: getattr(code_pb2, c.name) for c in grpc.StatusCode}
