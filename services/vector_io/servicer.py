"""VectorIoService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.vector_io.v1 import vector_io_service_pb2 as pb
from llamastack.vector_io.v1 import vector_io_service_pb2_grpc as pb_grpc
from services.common.gateway_client import GatewayClient
from services.common.providers import ProviderHost
from services.common.providers import provider_id_of as provider_of
from services.common.settings import Settings
from services.vector_io import convert
from services.vector_io.embedder import Embedder
from services.vector_io.service import VectorIoService

__all__ = ["VectorIoServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    """The vector IO service's own servicers (the skeleton adds the ProviderService)."""
    embedder = Embedder(GatewayClient(Settings().gateway_addr))
    return [
        (
            pb_grpc.add_VectorIoServiceServicer_to_server,
            VectorIoServicer(VectorIoService(host, embedder)),
        )
    ]


class VectorIoServicer(pb_grpc.VectorIoServiceServicer):
    def __init__(self, service: VectorIoService) -> None:
        self._service = service

    async def InsertChunks(self, request, context):
        ttl = request.ttl_seconds if request.HasField("ttl_seconds") else None
        ids = await self._service.insert(
            provider_of(context), request.vector_db_id, convert.chunks(request), ttl,
            context.time_remaining(),
        )  # fmt: skip
        return pb.InsertChunksResponse(chunk_ids=ids)

    async def QueryChunks(self, request, context):
        hits = await self._service.query(
            provider_of(context), request.vector_db_id, convert.query(request),
            context.time_remaining(),
        )  # fmt: skip
        return pb.QueryChunksResponse(
            chunks=[convert.chunk_proto(h) for h in hits], scores=[h.score for h in hits]
        )

    async def DeleteChunks(self, request, context):
        n = await self._service.delete(
            provider_of(context), request.vector_db_id, list(request.chunk_ids),
            list(request.document_ids), list(request.keep_chunk_ids),
        )  # fmt: skip
        return pb.DeleteChunksResponse(deleted_count=n)
