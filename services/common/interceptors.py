"""The one server interceptor: request ids, required fields, errors → google.rpc.Status."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from llamastack.common.v1 import errors_pb2
from services.common.errors import build_status, status_for
from services.common.logs import REQUEST_ID, new_request_id
from services.common.validation import check_required

__all__ = ["ErrorInterceptor", "forward_rpc_error", "guard_stream", "guard_unary", "request_id_of"]

log = logging.getLogger(__name__)
_DETAILS_KEY = "grpc-status-details-bin"


def request_id_of(context: grpc.aio.ServicerContext) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "x-request-id" and value:
            return str(value)
    return new_request_id()


async def abort_for(context: grpc.aio.ServicerContext, exc: BaseException) -> None:
    """Abort the call with the status `exc` stands for (INTERNAL for bugs)."""
    if isinstance(exc, grpc.aio.AioRpcError):
        await forward_rpc_error(context, exc)
    rid = REQUEST_ID.get()
    status = status_for(exc, rid)
    if status is None:
        log.exception("internal error", exc_info=exc)
        status = build_status(
            grpc.StatusCode.INTERNAL,
            f"internal error (request id {rid}); the service log has the details",
            errors_pb2.ERROR_REASON_INTERNAL,
            request_id=rid,
        )
    else:
        log.info("%s: %s", status.code.name, status.details)
    await context.abort(status.code, status.details, status.trailing_metadata)


async def forward_rpc_error(context: grpc.aio.ServicerContext, err: grpc.aio.AioRpcError) -> None:
    """Re-raise an error from a downstream call unchanged (code, message and details)."""
    trailers = tuple((k, v) for k, v in (err.trailing_metadata() or ()) if k == _DETAILS_KEY)
    await context.abort(err.code(), err.details() or "", trailers)


class ErrorInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every typed handler; raw (bytes) handlers handle their own errors."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(details)
        if handler is None or handler.request_deserializer is None:
            return handler
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                guard_unary(handler.unary_unary, check_required),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                guard_stream(handler.unary_stream, check_required),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler


def _no_check(request: Any) -> None:
    return None


def guard_unary(
    behavior: Callable[..., Any], check: Callable[[Any], None] = _no_check
) -> Callable[..., Any]:
    """A unary handler with the request id set for logs and every exception turned into its
    status (typed handlers through the interceptor, the gateway's byte handlers directly)."""

    async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> Any:
        # Each RPC runs in its own task, so the value never leaks into another call.
        REQUEST_ID.set(request_id_of(context))
        try:
            check(request)
            return await behavior(request, context)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            await abort_for(context, exc)

    return wrapped


def guard_stream(
    behavior: Callable[..., Any], check: Callable[[Any], None] = _no_check
) -> Callable[..., Any]:
    """`guard_unary` for server-streaming handlers."""

    async def wrapped(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        REQUEST_ID.set(request_id_of(context))
        try:
            check(request)
            result = behavior(request, context)
            if inspect.isasyncgen(result):
                async for item in result:
                    yield item
            else:
                await result
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            await abort_for(context, exc)

    return wrapped
