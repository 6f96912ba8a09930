"""`python -m tests.integration.telemetry.rows_service`: a datasetio stand-in for the
telemetry tests (the datasetio service is another issue): provider `test::rows` accepts any
dataset and keeps appended rows in memory; IterateRows reads them back."""

from __future__ import annotations

from typing import Any

from llamastack.datasetio.v1 import datasetio_service_pb2 as pb
from llamastack.datasetio.v1 import datasetio_service_pb2_grpc as pb_grpc
from services.common.providers import Provider, ProviderHost
from services.common.resources import ResourceTable
from services.common.service import ServiceDef, main


class RowsProvider(Provider):
    api = "datasetio"
    provider_type = "test::rows"

    def __init__(self, provider_id: str, config: Any) -> None:
        super().__init__(provider_id, config)
        self.table = ResourceTable("dataset", self.label, self.ready)
        self.rows: dict[str, list[Any]] = {}


class Rows(pb_grpc.DatasetIoServiceServicer):
    def __init__(self, host: ProviderHost[RowsProvider]) -> None:
        self.host = host

    async def AppendRows(self, request, context):
        provider = self.host.for_call(context, request.dataset_id)
        provider.table.get(request.dataset_id)
        provider.rows.setdefault(request.dataset_id, []).extend(request.rows)
        return pb.AppendRowsResponse()

    async def IterateRows(self, request, context):
        provider = self.host.for_call(context, request.dataset_id)
        return pb.IterateRowsResponse(data=provider.rows.get(request.dataset_id, []))


SERVICE = ServiceDef(
    api="datasetio",
    providers={"test::rows": RowsProvider},
    servicers=lambda host: [(pb_grpc.add_DatasetIoServiceServicer_to_server, Rows(host))],
)

if __name__ == "__main__":
    main(SERVICE)
