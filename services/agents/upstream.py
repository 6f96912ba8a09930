"""Every call the agents service makes to other APIs, all through the gateway.

Inference, safety, the tool runtime and the registry are reached as any client reaches them
(`GatewayClient`), with the caller's remaining deadline and request id. Errors keep their
upstream status (the servicer forwards it unchanged). Cancelling the task that awaits a call
cancels the call; streams are cancelled explicitly when left early.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from google.protobuf import struct_pb2

from llamastack.common.v1 import content_pb2, message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inference_pb
from llamastack.inference.v1 import inference_service_pb2_grpc as inference_grpc
from llamastack.registry.v1 import (
    model_service_pb2,
    model_service_pb2_grpc,
    resources_pb2,
    shield_service_pb2,
    shield_service_pb2_grpc,
    vector_db_service_pb2,
    vector_db_service_pb2_grpc,
)
from llamastack.registry.v1 import tool_group_service_pb2 as toolgroup_pb
from llamastack.registry.v1 import tool_group_service_pb2_grpc as toolgroup_grpc
from llamastack.safety.v1 import safety_service_pb2, safety_service_pb2_grpc
from llamastack.tool_runtime.v1 import tool_runtime_pb2
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as tools_pb
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2_grpc as tools_grpc
from services.common.errors import FailedPrecondition
from services.common.gateway_client import GatewayClient

__all__ = ["Upstream"]

#: Registry look-ups are quick; they never wait for the whole turn's deadline.
_LOOKUP_S = 30.0


class Upstream:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    # -- registry ----------------------------------------------------------------------------

    async def model(self, model_id: str) -> resources_pb2.Model:
        stub = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        req = model_service_pb2.GetModelRequest(model_id=model_id)
        return (await stub.GetModel(req, timeout=_LOOKUP_S)).model

    async def first_embedding_model(self) -> str:
        stub = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        token = ""
        while True:
            req = model_service_pb2.ListModelsRequest(page_size=1000, page_token=token)
            resp = await stub.ListModels(req, timeout=_LOOKUP_S)
            for m in resp.data:
                if m.model_type == resources_pb2.MODEL_TYPE_EMBEDDING:
                    return m.identifier
            token = resp.next_page_token
            if not token:
                raise FailedPrecondition(
                    "documents need an embedding model for the session's vector database, "
                    "and none is registered: register one, or set embedding_model in the "
                    "agents provider's config"
                )

    async def shield(self, shield_id: str) -> resources_pb2.Shield:
        stub = self.gateway.stub(shield_service_pb2_grpc.ShieldServiceStub)
        req = shield_service_pb2.GetShieldRequest(shield_id=shield_id)
        return (await stub.GetShield(req, timeout=_LOOKUP_S)).shield

    async def tool_group(self, toolgroup_id: str) -> resources_pb2.ToolGroup:
        stub = self.gateway.stub(toolgroup_grpc.ToolGroupServiceStub)
        req = toolgroup_pb.GetToolGroupRequest(toolgroup_id=toolgroup_id)
        return (await stub.GetToolGroup(req, timeout=_LOOKUP_S)).tool_group

    async def tool_group_ids(self) -> list[str]:
        stub = self.gateway.stub(toolgroup_grpc.ToolGroupServiceStub)
        req = toolgroup_pb.ListToolGroupsRequest(page_size=1000)
        resp = await stub.ListToolGroups(req, timeout=_LOOKUP_S)
        return [g.identifier for g in resp.data]

    async def tools(self, toolgroup_id: str) -> list[resources_pb2.Tool]:
        stub = self.gateway.stub(toolgroup_grpc.ToolGroupServiceStub)
        out, token = [], ""
        while True:
            req = toolgroup_pb.ListToolsRequest(
                toolgroup_id=toolgroup_id, page_size=1000, page_token=token
            )
            resp = await stub.ListTools(req, timeout=_LOOKUP_S)
            out += resp.data
            token = resp.next_page_token
            if not token:
                return out

    async def register_vector_db(
        self, vector_db_id: str, embedding_model: str, provider_id: str
    ) -> None:
        stub = self.gateway.stub(vector_db_service_pb2_grpc.VectorDbServiceStub)
        req = vector_db_service_pb2.RegisterVectorDbRequest(
            vector_db_id=vector_db_id, embedding_model=embedding_model, provider_id=provider_id
        )
        await stub.RegisterVectorDb(req, timeout=_LOOKUP_S)

    async def unregister_vector_db(self, vector_db_id: str) -> None:
        stub = self.gateway.stub(vector_db_service_pb2_grpc.VectorDbServiceStub)
        req = vector_db_service_pb2.UnregisterVectorDbRequest(vector_db_id=vector_db_id)
        try:
            await stub.UnregisterVectorDb(req, timeout=_LOOKUP_S)
        except grpc.aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.NOT_FOUND:
                raise

    # -- data plane --------------------------------------------------------------------------

    async def chat(
        self, request: inference_pb.ChatCompletionRequest, timeout: float
    ) -> inference_pb.ChatCompletionResponse:
        stub = self.gateway.stub(inference_grpc.InferenceServiceStub)
        return await stub.ChatCompletion(request, timeout=timeout)

    async def stream_chat(
        self, request: inference_pb.StreamChatCompletionRequest, timeout: float
    ) -> AsyncIterator[inference_pb.StreamChatCompletionResponse]:
        stub = self.gateway.stub(inference_grpc.InferenceServiceStub)
        call = stub.StreamChatCompletion(request, timeout=timeout)
        try:
            async for chunk in call:
                yield chunk
        finally:
            call.cancel()  # a no-op once finished; stops the generation when left early

    async def run_shield(
        self, shield_id: str, messages: list[message_pb2.Message], timeout: float
    ) -> safety_service_pb2.RunShieldResponse:
        stub = self.gateway.stub(safety_service_pb2_grpc.SafetyServiceStub)
        req = safety_service_pb2.RunShieldRequest(shield_id=shield_id, messages=messages)
        return await stub.RunShield(req, timeout=timeout)

    async def invoke_tool(
        self, tool_name: str, kwargs: struct_pb2.Struct, timeout: float
    ) -> tools_pb.InvokeToolResponse:
        stub = self.gateway.stub(tools_grpc.ToolRuntimeServiceStub)
        req = tools_pb.InvokeToolRequest(tool_name=tool_name, kwargs=kwargs)
        return await stub.InvokeTool(req, timeout=timeout)

    async def insert_documents(
        self,
        vector_db_id: str,
        documents: list[tool_runtime_pb2.RagDocument],
        chunk_size: int,
        timeout: float,
    ) -> None:
        stub = self.gateway.stub(tools_grpc.ToolRuntimeServiceStub)
        req = tools_pb.InsertRagDocumentsRequest(
            documents=documents, vector_db_id=vector_db_id, chunk_size_in_tokens=chunk_size
        )
        await stub.InsertRagDocuments(req, timeout=timeout)

    async def query_context(
        self,
        content: list[content_pb2.ContentItem],
        vector_db_ids: list[str],
        query_config: tool_runtime_pb2.RagQueryConfig | None,
        timeout: float,
    ) -> tools_pb.QueryRagContextResponse:
        stub = self.gateway.stub(tools_grpc.ToolRuntimeServiceStub)
        req = tools_pb.QueryRagContextRequest(
            content=content, vector_db_ids=vector_db_ids, query_config=query_config
        )
        return await stub.QueryRagContext(req, timeout=timeout)
