"""ScoringService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.scoring.v1 import scoring_service_pb2 as pb
from llamastack.scoring.v1 import scoring_service_pb2_grpc as pb_grpc
from services.common.gateway_client import GatewayClient
from services.common.providers import ProviderHost
from services.common.settings import Settings
from services.common.structs import from_struct
from services.scoring import convert
from services.scoring.mesh import GatewayDatasets, GatewayResolver
from services.scoring.service import ScoringService

__all__ = ["ScoringServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    gateway = GatewayClient(Settings().gateway_addr)
    service = ScoringService(host, GatewayResolver(gateway), GatewayDatasets(gateway))
    return [(pb_grpc.add_ScoringServiceServicer_to_server, ScoringServicer(service))]


def _functions(request: Any) -> dict[str, Any]:
    return {fn_id: convert.params(p) for fn_id, p in request.scoring_functions.items()}


class ScoringServicer(pb_grpc.ScoringServiceServicer):
    def __init__(self, service: ScoringService) -> None:
        self._service = service

    async def Score(self, request, context):
        rows = [from_struct(r) for r in request.input_rows]
        results = await self._service.score(rows, _functions(request))
        return pb.ScoreResponse(results=convert.results_proto(results))

    async def ScoreBatch(self, request, context):
        saved, results = await self._service.score_batch(
            request.dataset_id, _functions(request), request.save_results_dataset
        )
        return pb.ScoreBatchResponse(dataset_id=saved, results=convert.results_proto(results))
