"""`remote::model-context-protocol`: tool groups that point at MCP servers.

A group's tools are listed from its server when it is registered (JSON schemas kept) and
invoked there. Per group (`args`): `headers` sent with every request, `timeout_seconds`,
`transport` (`streamable_http`, the default, or `sse`; an endpoint ending in `/sse` means
SSE). Secrets belong in the provider's config (`group_headers`, filled from the environment
in run.yaml), not in `args`, which the registry stores as given. A call may also carry the
reference's `X-LlamaStack-Provider-Data: {"mcp_headers": {"<endpoint>": {...}}}`.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from services.common.errors import InvalidArgument
from services.tool_runtime.provider import Call, ToolGroupEntry, ToolRuntimeProvider
from services.tool_runtime.providers.mcp.client import McpEndpoint
from services.tool_runtime.schema import check_schema
from services.tool_runtime.types import ToolGroupInfo, ToolResult, ToolSpec

__all__ = ["McpConfig", "McpProvider"]

_TRANSPORTS = ("streamable_http", "sse")


class McpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Seconds a tool call may take when the group does not say (and the caller's deadline
    #: is longer).
    timeout_seconds: float = Field(default=60.0, gt=0)
    #: Seconds connecting and listing tools may take.
    list_timeout_seconds: float = Field(default=15.0, gt=0)
    #: Headers per tool group id, for credentials (`Authorization: Bearer ${env.TOKEN}`).
    group_headers: dict[str, dict[str, str]] = Field(default_factory=dict)


class McpProvider(ToolRuntimeProvider):
    provider_type: ClassVar[str] = "remote::model-context-protocol"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = McpConfig.model_validate(dict(config))

    def endpoint(
        self, info: ToolGroupInfo, extra_headers: Mapping[str, str] | None = None
    ) -> McpEndpoint:
        args = info.args
        url = info.mcp_endpoint
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InvalidArgument(
                f"tool group {info.group_id}: mcp_endpoint {url!r} must be an http(s) URL of an "
                "MCP server (streamable HTTP, or SSE)",
                field="mcp_endpoint",
            )
        transport = args.get("transport") or (
            "sse" if parsed.path.rstrip("/").endswith("/sse") else "streamable_http"
        )
        if transport not in _TRANSPORTS:
            raise InvalidArgument(
                f"args.transport {transport!r} is not one of {list(_TRANSPORTS)}", field="args"
            )
        headers = args.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise InvalidArgument("args.headers must map header names to strings", field="args")
        timeout = args.get("timeout_seconds", self.config.timeout_seconds)
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise InvalidArgument("args.timeout_seconds must be a positive number", field="args")
        merged = {
            **headers,
            **self.config.group_headers.get(info.group_id, {}),
            **(extra_headers or {}),
        }
        return McpEndpoint(url, transport, merged, float(timeout), info.group_id)

    async def group_tools(self, info: ToolGroupInfo) -> list[ToolSpec]:
        if not info.mcp_endpoint:
            raise InvalidArgument(
                f"tool group {info.group_id} needs an mcp_endpoint (the MCP server's URL)",
                field="mcp_endpoint",
            )
        endpoint = self.endpoint(info)
        endpoint.timeout = self.config.list_timeout_seconds  # not the tool-call timeout
        tools = await endpoint.list_tools()
        for t in tools:
            if t.input_schema:
                check_schema(t.input_schema, t.name)
        return tools

    async def list_endpoint_tools(self, url: str) -> list[ToolSpec]:
        """Tools of another endpoint (ListRuntimeTools' `mcp_endpoint` override)."""
        return await self.group_tools(ToolGroupInfo(group_id="(listed)", mcp_endpoint=url))

    def arguments(
        self, group: ToolGroupEntry, tool: ToolSpec, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        return kwargs

    async def invoke(
        self, group: ToolGroupEntry, tool: ToolSpec, arguments: dict[str, Any], call: Call
    ) -> ToolResult:
        per_call = (call.provider_data.get("mcp_headers") or {}).get(group.info.mcp_endpoint) or {}
        endpoint = self.endpoint(group.info, per_call)
        timeout = endpoint.timeout
        if call.timeout is not None:
            timeout = min(timeout, max(call.timeout - 0.1, 0.01))
        return await endpoint.call_tool(tool.name, arguments, timeout)
