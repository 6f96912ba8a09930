"""What eval reads and calls through the gateway: registered models and scoring functions,
dataset rows, and scoring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import json_format

from llamastack.common.v1 import scoring_pb2
from llamastack.datasetio.v1 import datasetio_service_pb2_grpc
from llamastack.registry.v1 import (
    model_service_pb2,
    model_service_pb2_grpc,
    scoring_function_service_pb2,
    scoring_function_service_pb2_grpc,
)
from llamastack.scoring.v1 import scoring_service_pb2, scoring_service_pb2_grpc
from services.common.aggregation import aggregation_names
from services.common.dataset_rows import read_rows
from services.common.errors import NotFound
from services.common.gateway_client import GatewayClient
from services.common.structs import from_struct, to_structs
from services.eval.types import Row

__all__ = ["Mesh"]


def _not_found(err: grpc.aio.AioRpcError, what: str) -> Exception:
    if err.code() == grpc.StatusCode.NOT_FOUND:
        return NotFound(f"{what}: {err.details()}")
    return err


class Mesh:
    def __init__(self, gateway: GatewayClient, timeout: float) -> None:
        self.gateway = gateway
        self.timeout = timeout

    async def check_model(self, model_id: str) -> None:
        stub = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        try:
            await stub.GetModel(
                model_service_pb2.GetModelRequest(model_id=model_id), timeout=self.timeout
            )
        except grpc.aio.AioRpcError as err:
            raise _not_found(err, f"the candidate's model {model_id!r}") from None

    async def aggregations(self, fn_id: str, override: dict[str, Any]) -> list[str]:
        """The aggregations a scoring call with `override` (proto3 JSON of ScoringFnParams)
        applies: the override's when it names some, else the registered function's (scoring
        merges params the same way)."""
        named = aggregation_names(json_format.ParseDict(override, scoring_pb2.ScoringFnParams()))
        stub = self.gateway.stub(scoring_function_service_pb2_grpc.ScoringFunctionServiceStub)
        try:
            resp = await stub.GetScoringFunction(
                scoring_function_service_pb2.GetScoringFunctionRequest(scoring_fn_id=fn_id),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as err:
            raise _not_found(err, f"scoring function {fn_id!r}") from None
        return named or aggregation_names(resp.scoring_function.params)

    async def rows(self, dataset_id: str, limit: int | None) -> list[Row]:
        """The first `limit` rows of a dataset (all when None)."""
        stub = self.gateway.stub(datasetio_service_pb2_grpc.DatasetIoServiceStub)
        return await read_rows(stub, dataset_id, limit, self.timeout)

    async def score(
        self, rows: Sequence[Row], params: Mapping[str, dict[str, Any]]
    ) -> dict[str, tuple[list[Row], dict[str, Any]]]:
        """Per function: its score rows and aggregated results."""
        request = scoring_service_pb2.ScoreRequest(input_rows=to_structs(rows))
        for fn_id, p in params.items():
            json_format.ParseDict(p, request.scoring_functions[fn_id])
        stub = self.gateway.stub(scoring_service_pb2_grpc.ScoringServiceStub)
        resp = await stub.Score(request, timeout=self.timeout)
        return {
            fn_id: (
                [from_struct(r) for r in result.score_rows],
                from_struct(result.aggregated_results),
            )
            for fn_id, result in resp.results.items()
        }
