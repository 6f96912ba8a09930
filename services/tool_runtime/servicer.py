"""ToolRuntimeService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as pb
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2_grpc as pb_grpc
from services.common import pagination
from services.common.providers import ProviderHost
from services.common.providers import provider_id_of as provider_of
from services.tool_runtime import convert
from services.tool_runtime.provider import Call
from services.tool_runtime.service import ToolRuntimeService
from services.tool_runtime.types import InsertResult

__all__ = ["ToolRuntimeServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    """The tool runtime service's own servicers (the skeleton adds the ProviderService)."""
    servicer = ToolRuntimeServicer(ToolRuntimeService(host))
    return [(pb_grpc.add_ToolRuntimeServiceServicer_to_server, servicer)]


def _call(context) -> Call:
    return Call.within(
        context.time_remaining(), convert.provider_data(context.invocation_metadata())
    )


class ToolRuntimeServicer(pb_grpc.ToolRuntimeServiceServicer):
    def __init__(self, service: ToolRuntimeService) -> None:
        self._service = service

    async def ListRuntimeTools(self, request, context):
        tools = await self._service.list_tools(
            provider_of(context), request.tool_group_id, request.mcp_endpoint.uri
        )
        page, token = pagination.paginate(
            [convert.tool_def(t) for t in tools], lambda t: t.name, request.page_size,
            request.page_token,
        )  # fmt: skip
        return pb.ListRuntimeToolsResponse(data=page, next_page_token=token)

    async def InvokeTool(self, request, context):
        result = await self._service.invoke(
            provider_of(context), request.tool_name, convert.kwargs(request), _call(context)
        )
        return convert.invoke_response(result)

    async def InsertRagDocuments(self, request, context):
        events = self._service.insert(
            convert.rag_documents(request), request.vector_db_id, request.chunk_size_in_tokens,
            convert.overlap(request), _call(context),
        )  # fmt: skip
        async for item in events:
            if isinstance(item, InsertResult):
                return convert.insert_response(item)
        raise AssertionError("the RAG insert ended without a result")

    async def StreamInsertRagDocuments(self, request, context):
        events = self._service.insert(
            convert.rag_documents(request), request.vector_db_id, request.chunk_size_in_tokens,
            convert.overlap(request), _call(context),
        )  # fmt: skip
        async for item in events:
            yield convert.insert_event(item)

    async def QueryRagContext(self, request, context):
        result = await self._service.query(
            convert.text_of(request.content), list(request.vector_db_ids),
            convert.query_config(request), _call(context),
        )  # fmt: skip
        return convert.query_response(result.content, result.metadata)
