"""The RAG tool's calls to other APIs, through the gateway: vector DBs and their embedding
models (registry), chunks (vector IO), and a chat model for LLM-written queries (inference)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format

from llamastack.common.v1 import content_pb2, message_pb2
from llamastack.inference.v1 import inference_service_pb2, inference_service_pb2_grpc
from llamastack.registry.v1 import (
    model_service_pb2,
    model_service_pb2_grpc,
    vector_db_service_pb2,
    vector_db_service_pb2_grpc,
)
from llamastack.vector_io.v1 import vector_io_pb2, vector_io_service_pb2, vector_io_service_pb2_grpc
from services.common.gateway_client import GatewayClient

__all__ = ["Found", "Mesh"]

_MODES = {
    "vector": vector_io_pb2.SEARCH_MODE_VECTOR,
    "keyword": vector_io_pb2.SEARCH_MODE_KEYWORD,
    "hybrid": vector_io_pb2.SEARCH_MODE_HYBRID,
}


@dataclass
class Found:
    vector_db_id: str
    score: float
    chunk_id: str
    text: str
    metadata: dict[str, Any]


class Mesh:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    def _vector_io(self) -> vector_io_service_pb2_grpc.VectorIoServiceStub:
        return self.gateway.stub(vector_io_service_pb2_grpc.VectorIoServiceStub)

    async def embedding_window(self, vector_db_id: str, timeout: float | None) -> int | None:
        """Tokens the vector DB's embedding model reads at once (its context length), if the
        model says."""
        dbs = self.gateway.stub(vector_db_service_pb2_grpc.VectorDbServiceStub)
        db = (
            await dbs.GetVectorDb(
                vector_db_service_pb2.GetVectorDbRequest(vector_db_id=vector_db_id),
                timeout=timeout,
            )
        ).vector_db
        models = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        model = (
            await models.GetModel(
                model_service_pb2.GetModelRequest(model_id=db.embedding_model), timeout=timeout
            )
        ).model
        length = model.metadata.fields.get("context_length")
        return int(length.number_value) if length is not None and length.number_value else None

    async def insert(
        self, vector_db_id: str, chunks: list[dict[str, Any]], timeout: float | None
    ) -> list[str]:
        """Chunks given as {text, metadata, chunk_metadata}; their ids, in order."""
        request = vector_io_service_pb2.InsertChunksRequest(vector_db_id=vector_db_id)
        for c in chunks:
            chunk = request.chunks.add(content=[content_pb2.ContentItem(text=c["text"])])
            chunk.metadata.update(c["metadata"])
            json_format.ParseDict(c["chunk_metadata"], chunk.chunk_metadata)
        response = await self._vector_io().InsertChunks(request, timeout=timeout)
        return list(response.chunk_ids)

    async def drop_stale(
        self, vector_db_id: str, document_id: str, keep: list[str], timeout: float | None
    ) -> int:
        request = vector_io_service_pb2.DeleteChunksRequest(
            vector_db_id=vector_db_id, document_ids=[document_id], keep_chunk_ids=keep
        )
        return (await self._vector_io().DeleteChunks(request, timeout=timeout)).deleted_count

    async def query(
        self,
        vector_db_id: str,
        text: str,
        max_chunks: int,
        mode: str,
        ranker: dict[str, Any],
        timeout: float | None,
    ) -> list[Found]:
        params = vector_io_pb2.QueryParams(max_chunks=max_chunks, mode=_MODES[mode])
        if ranker:
            json_format.ParseDict(ranker, params.ranker)
        request = vector_io_service_pb2.QueryChunksRequest(
            vector_db_id=vector_db_id, query=[content_pb2.ContentItem(text=text)], params=params
        )
        response = await self._vector_io().QueryChunks(request, timeout=timeout)
        return [
            Found(
                vector_db_id,
                score,
                chunk.chunk_id,
                "\n".join(i.text for i in chunk.content if i.WhichOneof("item") == "text"),
                json_format.MessageToDict(chunk.metadata),
            )
            for chunk, score in zip(response.chunks, response.scores, strict=True)
        ]

    async def write_query(self, model_id: str, prompt: str, timeout: float | None) -> str:
        stub = self.gateway.stub(inference_service_pb2_grpc.InferenceServiceStub)
        request = inference_service_pb2.ChatCompletionRequest(
            model_id=model_id,
            messages=[
                message_pb2.Message(
                    role=message_pb2.ROLE_USER, content=[content_pb2.ContentItem(text=prompt)]
                )
            ],
        )
        response = await stub.ChatCompletion(request, timeout=timeout)
        return "".join(
            i.text for i in response.completion_message.content if i.WhichOneof("item") == "text"
        ).strip()
