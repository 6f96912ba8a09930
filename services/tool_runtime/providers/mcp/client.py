"""Talking to an MCP server with the `mcp` SDK: one connection per operation (streamable HTTP
or SSE), every operation bounded by a timeout, every failure turned into a clear status."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc

from llamastack.common.v1 import errors_pb2
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    LlamaStackError,
    Unsupported,
    UpstreamUnavailable,
)
from services.tool_runtime.types import ToolResult, ToolSpec

__all__ = ["McpDenied", "McpEndpoint", "McpTimeout"]

log = logging.getLogger(__name__)

_REQUEST_TIMEOUT = -32001
_METHOD_NOT_FOUND = -32601
_INVALID_PARAMS = -32602
MAX_LIST_PAGES = 100


class McpTimeout(LlamaStackError):
    """The MCP server did not answer in time."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED
    reason = errors_pb2.ERROR_REASON_TIMEOUT


class McpDenied(LlamaStackError):
    """The MCP server refused the group's credentials."""

    code = grpc.StatusCode.PERMISSION_DENIED
    reason = errors_pb2.ERROR_REASON_FAILED_PRECONDITION


class McpEndpoint:
    """One MCP server as a tool group reaches it."""

    def __init__(
        self, url: str, transport: str, headers: dict[str, str], timeout: float, group: str
    ) -> None:
        self.url = url
        self.transport = transport
        self.headers = headers
        self.timeout = timeout
        self.group = group
        #: The last HTTP error status the server answered.
        self.http_status = 0

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[Any]:
        from mcp import Client
        from mcp.client.sse import sse_client
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        def http_client(**kwargs: Any) -> Any:
            client = create_mcp_http_client(**kwargs)
            # The SDK turns HTTP errors into a generic JSON-RPC error; keep the status.
            client.event_hooks["response"].append(self._saw)
            return client

        if self.transport == "sse":
            transport = sse_client(
                self.url, headers=self.headers, timeout=self.timeout,
                httpx_client_factory=http_client,
            )  # fmt: skip
        else:
            transport = streamable_http_client(
                self.url, http_client=http_client(headers=self.headers)
            )
        async with Client(transport, read_timeout_seconds=self.timeout, cache=None) as client:
            yield client

    async def _saw(self, response: Any) -> None:
        if response.status_code >= 400:
            self.http_status = response.status_code

    async def _run(self, what: str, timeout: float, op: Any) -> Any:
        try:
            async with asyncio.timeout(timeout):
                async with self._client() as client:
                    return await op(client)
        except TimeoutError:
            raise McpTimeout(
                f"MCP server {self.url} (tool group {self.group}) did not answer {what} within "
                f"{timeout:.1f}s; raise the group's args.timeout_seconds or the call's deadline",
                group=self.group,
            ) from None
        except LlamaStackError:
            raise
        except BaseException as exc:  # anyio task groups wrap failures in exception groups
            raise self._translate(what, exc) from None

    def _translate(self, what: str, exc: BaseException) -> BaseException:
        import httpx2
        from mcp.shared.exceptions import MCPError

        leaf = _leaf(exc)
        if isinstance(leaf, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
            return leaf
        if self.http_status in (401, 403):
            return McpDenied(
                f"MCP server {self.url} refused the credentials of tool group {self.group} "
                f"(HTTP {self.http_status}); set its headers (args.headers, or the provider's "
                "group_headers for secrets)",
                group=self.group,
            )
        if isinstance(leaf, MCPError):
            if leaf.code == _REQUEST_TIMEOUT:
                return McpTimeout(
                    f"MCP server {self.url} (tool group {self.group}) did not answer {what} "
                    f"within {self.timeout:.1f}s",
                    group=self.group,
                )
            if leaf.code == _INVALID_PARAMS:
                return InvalidArgument(f"MCP server {self.url} refused {what}: {leaf.message}")
            if leaf.code == _METHOD_NOT_FOUND:
                return Unsupported(f"MCP server {self.url} does not support {what}: {leaf.message}")
            return FailedPrecondition(
                f"MCP server {self.url} failed {what}: {leaf.message} (MCP error {leaf.code})"
            )
        if isinstance(leaf, httpx2.HTTPStatusError):
            return UpstreamUnavailable(
                f"MCP server {self.url} answered HTTP {leaf.response.status_code} ({what})",
                group=self.group,
            )
        if isinstance(leaf, httpx2.TimeoutException):
            return McpTimeout(f"MCP server {self.url} timed out ({what})", group=self.group)
        if isinstance(leaf, httpx2.HTTPError | OSError | ConnectionError):
            return UpstreamUnavailable(
                f"MCP server {self.url} (tool group {self.group}) cannot be reached ({what}): "
                f"{leaf or type(leaf).__name__}",
                group=self.group,
            )
        log.warning("MCP %s at %s failed", what, self.url, exc_info=exc)
        return UpstreamUnavailable(
            f"MCP server {self.url} failed ({what}): {type(leaf).__name__}: {leaf}",
            group=self.group,
        )

    async def list_tools(self) -> list[ToolSpec]:
        async def op(client: Any) -> list[ToolSpec]:
            tools: list[ToolSpec] = []
            cursor = None
            for _ in range(MAX_LIST_PAGES):
                page = await client.list_tools(cursor=cursor)
                tools.extend(
                    ToolSpec(
                        name=t.name,
                        description=t.description or "",
                        input_schema=dict(t.input_schema or {}),
                        metadata={"endpoint": self.url},
                    )
                    for t in page.tools
                )
                cursor = page.next_cursor
                if not cursor:
                    break
            return tools

        return await self._run("tools/list", self.timeout, op)

    async def call_tool(self, name: str, arguments: dict[str, Any], timeout: float) -> ToolResult:
        async def op(client: Any) -> ToolResult:
            result = await client.call_tool(name, arguments, read_timeout_seconds=timeout)
            content = [_content(c) for c in result.content]
            if result.is_error:
                message = " ".join(c.get("text", "") for c in content).strip()
                return ToolResult(
                    content=content,
                    error_message=message or f"tool {name} failed",
                    error_code=1,
                )
            meta: dict[str, Any] = {}
            if result.structured_content is not None:
                meta["structured_content"] = result.structured_content
            return ToolResult(content=content, metadata=meta)

        return await self._run(f"the call of tool {name!r}", timeout, op)


def _content(item: Any) -> dict[str, Any]:
    kind = getattr(item, "type", "")
    if kind == "text":
        return {"text": item.text}
    if kind == "image":
        return {"image": {"data": item.data}}  # base64 in JSON, as ImageContent.data reads
    return {"text": item.model_dump_json(exclude_none=True)}


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
