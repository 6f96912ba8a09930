"""The tool runtime logic: find the tool, check its arguments, call its provider; the RAG
tool's insert and query."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, runtime_checkable

from services.common.errors import FailedPrecondition, InvalidArgument, Unsupported
from services.common.providers import ProviderHost
from services.tool_runtime.provider import Call, RagRuntime, ToolInvoker, ToolRuntimeProvider
from services.tool_runtime.schema import check_arguments
from services.tool_runtime.types import (
    InsertProgress,
    InsertResult,
    RagDocument,
    RagQueryResult,
    ToolResult,
    ToolSpec,
)

__all__ = ["ToolRuntimeService"]


@runtime_checkable
class EndpointLister(Protocol):
    async def list_endpoint_tools(self, url: str) -> list[ToolSpec]: ...


class ToolRuntimeService:
    def __init__(self, host: ProviderHost[ToolRuntimeProvider]) -> None:
        self.host = host

    async def list_tools(
        self, provider_id: str | None, group_id: str, mcp_endpoint: str
    ) -> list[ToolSpec]:
        provider = self.host.pick(provider_id, group_id)
        entry = provider.groups.get(group_id)
        if mcp_endpoint:
            if not isinstance(provider, EndpointLister):
                raise InvalidArgument(
                    f"tool group {group_id} is not an MCP group; mcp_endpoint does not apply",
                    field="mcp_endpoint",
                )
            return await provider.list_endpoint_tools(mcp_endpoint)
        return list(entry.tools.values())

    async def invoke(
        self, provider_id: str | None, tool_name: str, kwargs: dict[str, Any], call: Call
    ) -> ToolResult:
        provider = self.host.pick(provider_id, tool_name)
        if not isinstance(provider, ToolInvoker):
            raise Unsupported(f"{provider.label} runs no tools")
        group, tool = provider.resolve(tool_name)
        arguments = provider.arguments(group, tool, kwargs)
        check_arguments(tool.input_schema, arguments, tool.name)
        return await provider.invoke(group, tool, arguments, call)

    def rag(self) -> RagRuntime:
        """The provider of the RAG tool (InsertRagDocuments / QueryRagContext name vector DBs,
        not a tool group, so they go to the RAG provider of this service)."""
        if not self.host.ready:
            self.host.pick(None)  # raises UNAVAILABLE while providers load
        found = [p for p in self.host.providers.values() if isinstance(p, RagRuntime)]
        if len(found) != 1:
            raise FailedPrecondition(
                "this tool runtime service hosts "
                + ("no inline::rag-runtime provider" if not found else "several RAG providers")
                + "; configure exactly one to use the RAG tool"
            )
        return found[0]

    def insert(
        self,
        documents: list[RagDocument],
        vector_db_id: str,
        chunk_size: int,
        overlap: int | None,
        call: Call,
    ) -> AsyncIterator[InsertProgress | InsertResult]:
        return self.rag().insert(documents, vector_db_id, chunk_size, overlap, call)

    async def query(
        self, text: str, vector_db_ids: list[str], config: Mapping[str, Any], call: Call
    ) -> RagQueryResult:
        return await self.rag().query(text, vector_db_ids, config, call)
