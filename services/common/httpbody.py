"""`google.api.HttpBody` answers: the exact bytes REST clients get from RPCs Envoy passes
through untouched (the OpenAI-compatible API): one JSON document, or Server-Sent Events."""

from __future__ import annotations

import json
from typing import Any

from google.api import httpbody_pb2

__all__ = ["DONE", "JSON", "SSE", "json_body", "sse_body"]

JSON = "application/json"
SSE = "text/event-stream"
#: The last Server-Sent Event of every OpenAI stream.
DONE = httpbody_pb2.HttpBody(content_type=SSE, data=b"data: [DONE]\n\n")


def _dumps(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def json_body(data: dict[str, Any]) -> httpbody_pb2.HttpBody:
    return httpbody_pb2.HttpBody(content_type=JSON, data=_dumps(data))


def sse_body(data: dict[str, Any]) -> httpbody_pb2.HttpBody:
    """One `data: {json}` event."""
    return httpbody_pb2.HttpBody(content_type=SSE, data=b"data: " + _dumps(data) + b"\n\n")
