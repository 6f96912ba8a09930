"""DatasetIoService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.datasetio.v1 import datasetio_service_pb2 as pb
from llamastack.datasetio.v1 import datasetio_service_pb2_grpc as pb_grpc
from services.common.providers import ProviderHost, provider_id_of
from services.common.structs import from_struct, to_structs
from services.datasetio.service import DatasetIoService

__all__ = ["DatasetIoServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    servicer = DatasetIoServicer(DatasetIoService(host))
    return [(pb_grpc.add_DatasetIoServiceServicer_to_server, servicer)]


class DatasetIoServicer(pb_grpc.DatasetIoServiceServicer):
    def __init__(self, service: DatasetIoService) -> None:
        self._service = service

    async def IterateRows(self, request, context):
        page = await self._service.iterate(
            provider_id_of(context),
            request.dataset_id,
            request.start_index,
            request.limit if request.HasField("limit") else None,
            request.page_token,
        )
        return pb.IterateRowsResponse(
            data=to_structs(page.rows),
            has_more=page.has_more,
            next_start_index=page.next_start_index,
            next_page_token=page.next_page_token,
        )

    async def AppendRows(self, request, context):
        rows = [from_struct(r) for r in request.rows]
        await self._service.append(provider_id_of(context), request.dataset_id, rows)
        return pb.AppendRowsResponse()
