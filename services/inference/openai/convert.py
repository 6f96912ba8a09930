"""OpenAI JSON → protobuf for the OpenAI servicer (with `wire.py`, which reads requests, the
only modules of the OpenAI API that know protobuf): JSON answers become typed messages for
gRPC clients, or the exact bytes REST clients get, in `google.api.HttpBody` messages."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from llamastack.openai.v1 import openai_service_pb2 as pb
from services.common.errors import FailedPrecondition
from services.common.httpbody import DONE, json_body, sse_body

__all__ = [
    "DONE",
    "chat_chunk",
    "chat_completion",
    "completion",
    "embeddings",
    "json_body",
    "sse_body",
]


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
