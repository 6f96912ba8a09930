"""What scoring reads from the rest of the mesh, through the gateway: registered scoring
functions (the registry is the one truth: no cache) and dataset rows; and where it saves
scored rows (a new dataset)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import grpc

from llamastack.datasetio.v1 import datasetio_service_pb2_grpc
from llamastack.registry.v1 import (
    dataset_service_pb2,
    dataset_service_pb2_grpc,
    resources_pb2,
    scoring_function_service_pb2,
    scoring_function_service_pb2_grpc,
)
from services.common.dataset_rows import read_rows
from services.common.errors import NotFound
from services.common.gateway_client import GatewayClient
from services.common.structs import to_structs
from services.scoring import convert
from services.scoring.types import Row, ScoringFn

__all__ = ["GatewayDatasets", "GatewayResolver"]

_TIMEOUT = 120.0


class GatewayResolver:
    def __init__(self, gateway: GatewayClient) -> None:
        self._gateway = gateway  # stubs are made on first use, on the serving event loop

    async def __call__(self, fn_id: str) -> ScoringFn:
        request = scoring_function_service_pb2.GetScoringFunctionRequest(scoring_fn_id=fn_id)
        stub = self._gateway.stub(scoring_function_service_pb2_grpc.ScoringFunctionServiceStub)
        try:
            resp = await stub.GetScoringFunction(request, timeout=_TIMEOUT)
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                raise NotFound(
                    f"scoring function {fn_id!r} is not registered; list them with "
                    "`llamastack scoring-functions list`",
                    resourceKind="scoring_function",
                    identifier=fn_id,
                ) from None
            raise
        return convert.scoring_fn(resp.scoring_function)


class GatewayDatasets:
    def __init__(self, gateway: GatewayClient) -> None:
        self._gateway = gateway

    @property
    def _rows(self) -> datasetio_service_pb2_grpc.DatasetIoServiceStub:
        return self._gateway.stub(datasetio_service_pb2_grpc.DatasetIoServiceStub)

    @property
    def _registry(self) -> dataset_service_pb2_grpc.DatasetServiceStub:
        return self._gateway.stub(dataset_service_pb2_grpc.DatasetServiceStub)

    async def rows(self, dataset_id: str, limit: int) -> list[Row]:
        """Up to `limit` + 1 rows: enough to tell a dataset of more than `limit` rows."""
        return await read_rows(self._rows, dataset_id, limit + 1, _TIMEOUT)

    async def save(self, source_id: str, rows: Sequence[Row], functions: Sequence[str]) -> str:
        source = await self._registry.GetDataset(
            dataset_service_pb2.GetDatasetRequest(dataset_id=source_id), timeout=_TIMEOUT
        )
        request = dataset_service_pb2.RegisterDatasetRequest(
            purpose=source.dataset.purpose,
            source=resources_pb2.DataSource(
                rows=resources_pb2.RowsDataSource(rows=to_structs(rows))
            ),
            dataset_id=f"{source_id}-scored-{uuid.uuid4().hex[:8]}",
            provider_id=source.dataset.provider_id,
        )
        request.metadata.update({"scored_from": source_id, "scoring_functions": list(functions)})
        resp = await self._registry.RegisterDataset(request, timeout=_TIMEOUT)
        return resp.dataset.identifier
