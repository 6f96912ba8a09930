"""Authentication, authorization and quota errors.

Each can carry response headers (`WWW-Authenticate`, `Retry-After`) that are sent as gRPC
trailing metadata; Envoy passes them on as HTTP headers of the 401 / 429 answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from services.common.errors import LlamaStackError, Reason, build_status

__all__ = ["PermissionDenied", "QuotaExceeded", "Unauthenticated", "refusal"]


class Unauthenticated(LlamaStackError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = Reason.ERROR_REASON_UNAUTHENTICATED

    def __init__(self, message: str, challenge: str = "", **metadata: str) -> None:
        super().__init__(message, **metadata)
        #: The `WWW-Authenticate` challenge (RFC 6750), e.g. `Bearer realm="llamastack"`.
        self.headers: tuple[tuple[str, str], ...] = (
            (("www-authenticate", challenge),) if challenge else ()
        )


class PermissionDenied(LlamaStackError):
    code = grpc.StatusCode.PERMISSION_DENIED
    reason = Reason.ERROR_REASON_PERMISSION_DENIED
    headers: tuple[tuple[str, str], ...] = ()


class QuotaExceeded(LlamaStackError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    reason = Reason.ERROR_REASON_QUOTA_EXCEEDED

    def __init__(self, message: str, retry_after: int, **metadata: str) -> None:
        super().__init__(message, retryAfterSeconds=str(retry_after), **metadata)
        self.retry_after = retry_after
        self.headers = (("retry-after", str(retry_after)),)


def refusal(handler: grpc.RpcMethodHandler | None, exc: LlamaStackError) -> Any:
    """A handler of the same kind as `handler` that only answers `exc`'s status (with its
    headers as trailing metadata): what an interceptor returns to refuse a call."""
    if handler is None:
        return None
    status = build_status(exc.code, exc.message, exc.reason, **exc.metadata)
    trailers = (*status.trailing_metadata, *getattr(exc, "headers", ()))

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(status.code, status.details, trailers)

    async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        await context.abort(status.code, status.details, trailers)
        yield  # pragma: no cover - abort raises

    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(unary)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(stream)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(unary)
    return grpc.stream_stream_rpc_method_handler(stream)
