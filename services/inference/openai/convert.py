"""OpenAI JSON → protobuf for the OpenAI servicer (with `wire.py`, which reads requests, the
only modules of the OpenAI API that know protobuf): JSON answers become typed messages for
gRPC clients, or the exact bytes REST clients get, in `google.api.HttpBody` messages."""

from __future__ import annotations

import json
from typing import Any

import grpc
from google.api import httpbody_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

from llamastack.common.v1 import errors_pb2
from llamastack.openai.v1 import openai_service_pb2 as pb
from services.common.errors import FailedPrecondition, LlamaStackError
from services.common.logs import REQUEST_ID

__all__ = [
    "DONE",
    "chat_chunk",
    "chat_completion",
    "completion",
    "embeddings",
    "error_json",
    "json_body",
    "sse_body",
]

JSON = "application/json"
SSE = "text/event-stream"
#: The last Server-Sent Event of every OpenAI stream.
DONE = httpbody_pb2.HttpBody(content_type=SSE, data=b"data: [DONE]\n\n")
#: OpenAI's error `type` per status (the HTTP status Envoy gives the gRPC code).
_ERROR_TYPES = {
    grpc.StatusCode.INVALID_ARGUMENT: "invalid_request_error",
    grpc.StatusCode.FAILED_PRECONDITION: "invalid_request_error",
    grpc.StatusCode.OUT_OF_RANGE: "invalid_request_error",
    grpc.StatusCode.NOT_FOUND: "invalid_request_error",
    grpc.StatusCode.ALREADY_EXISTS: "invalid_request_error",
    grpc.StatusCode.UNAUTHENTICATED: "authentication_error",
    grpc.StatusCode.PERMISSION_DENIED: "permission_error",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "rate_limit_error",
}


def _typed(data: dict[str, Any], cls: type[Message]) -> Any:
    try:
        return json_format.ParseDict(data, cls(), ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise FailedPrecondition(
            f"the provider answered JSON that does not fit OpenAI's {cls.DESCRIPTOR.name}: {exc}"
        ) from None


def chat_completion(data: dict[str, Any]) -> pb.ChatCompletion:
    return _typed(data, pb.ChatCompletion)


def chat_chunk(data: dict[str, Any]) -> pb.ChatCompletionChunk:
    return _typed(data, pb.ChatCompletionChunk)


def completion(data: dict[str, Any]) -> pb.Completion:
    return _typed(data, pb.Completion)


def embeddings(data: dict[str, Any]) -> pb.CreateEmbeddingResponse:
    """A base64 `embedding` (encoding_format base64) goes to `embedding_bytes`."""
    rows = []
    for row in data.get("data") or []:
        vector = row.get("embedding")
        if isinstance(vector, str):
            row = {**row, "embedding": [], "embedding_bytes": vector}
        rows.append(row)
    return _typed({**data, "data": rows}, pb.CreateEmbeddingResponse)


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_body(data: dict[str, Any]) -> httpbody_pb2.HttpBody:
    return httpbody_pb2.HttpBody(content_type=JSON, data=_dumps(data))


def sse_body(data: dict[str, Any]) -> httpbody_pb2.HttpBody:
    return httpbody_pb2.HttpBody(content_type=SSE, data=b"data: " + _dumps(data) + b"\n\n")


def error_json(exc: BaseException) -> dict[str, Any]:
    """OpenAI's error object for a failure in the middle of a stream (earlier failures are a
    gRPC status, which Envoy turns into the HTTP status and this shape)."""
    if isinstance(exc, LlamaStackError):
        code, message = exc.code, exc.message
        param = exc.metadata.get("field")
        name = errors_pb2.ErrorReason.Name(exc.reason).removeprefix("ERROR_REASON_").lower()
    else:
        code, param, name = grpc.StatusCode.INTERNAL, None, "internal"
        message = f"internal error (request id {REQUEST_ID.get()}); the service log has the details"
    return {
        "error": {
            "message": message,
            "type": _ERROR_TYPES.get(code, "server_error"),
            "param": param,
            "code": name,
        }
    }
