"""EvalService over gRPC: convert the request, call the service, convert the answer."""

from __future__ import annotations

from typing import Any

from llamastack.eval.v1 import eval_service_pb2 as pb
from llamastack.eval.v1 import eval_service_pb2_grpc as pb_grpc
from services.common.providers import ProviderHost, provider_id_of
from services.common.structs import from_struct, to_structs
from services.eval import convert
from services.eval.service import EvalResult, EvalService

__all__ = ["EvalServicer", "servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    return [(pb_grpc.add_EvalServiceServicer_to_server, EvalServicer(EvalService(host)))]


def _overrides(config: Any) -> dict[str, dict[str, Any]]:
    return {fn: convert.json_of(p) for fn, p in config.scoring_params.items()}


def _scores(result: EvalResult) -> dict[str, Any]:
    return {fn: convert.scoring_result(rows, agg) for fn, (rows, agg) in result.scores.items()}


class EvalServicer(pb_grpc.EvalServiceServicer):
    def __init__(self, service: EvalService) -> None:
        self._service = service

    async def RunEval(self, request, context):
        config = request.benchmark_config
        job = await self._service.run_eval(
            provider_id_of(context),
            request.benchmark_id,
            convert.candidate(config),
            _overrides(config),
            config.num_examples if config.HasField("num_examples") else None,
        )
        return pb.RunEvalResponse(job=convert.job_proto(job))

    async def GetJobStatus(self, request, context):
        job = await self._service.status(
            provider_id_of(context), request.benchmark_id, request.job_id
        )
        return pb.GetJobStatusResponse(job=convert.job_proto(job))

    async def CancelJob(self, request, context):
        job = await self._service.cancel(
            provider_id_of(context), request.benchmark_id, request.job_id
        )
        return pb.CancelJobResponse(job=convert.job_proto(job))

    async def GetJobResult(self, request, context):
        result = await self._service.result(
            provider_id_of(context), request.benchmark_id, request.job_id
        )
        return pb.GetJobResultResponse(
            generations=to_structs(result.generations), scores=_scores(result)
        )

    async def EvaluateRows(self, request, context):
        config = request.benchmark_config
        result = await self._service.evaluate_rows(
            provider_id_of(context),
            request.benchmark_id,
            [from_struct(r) for r in request.input_rows],
            list(request.scoring_functions),
            convert.candidate(config),
            _overrides(config),
        )
        return pb.EvaluateRowsResponse(
            generations=to_structs(result.generations), scores=_scores(result)
        )
