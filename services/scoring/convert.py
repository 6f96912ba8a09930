"""Protobuf ⇄ domain for scoring (the only module that knows both)."""

from __future__ import annotations

from collections.abc import Mapping

from llamastack.common.v1 import scoring_pb2
from llamastack.registry.v1 import resources_pb2
from llamastack.scoring.v1 import scoring_service_pb2 as pb
from services.common import descriptors
from services.common.aggregation import aggregation_names
from services.common.structs import to_struct, to_structs
from services.scoring.types import FnParams, ScoreResult, ScoringFn

__all__ = [
    "params",
    "params_proto",
    "result_proto",
    "results_proto",
    "scoring_fn",
    "scoring_fn_proto",
]

_AGG = scoring_pb2.AggregationFunction
_AGG_PREFIX = descriptors.enum_prefix(_AGG.DESCRIPTOR) + "_"
_PARAM_TYPE = scoring_pb2.ParamType
_PARAM_PREFIX = descriptors.enum_prefix(_PARAM_TYPE.DESCRIPTOR) + "_"


def _agg_value(name: str) -> int:
    return _AGG.Value(_AGG_PREFIX + name.upper())


def params(message: scoring_pb2.ScoringFnParams) -> FnParams:
    which = message.WhichOneof("params")
    if which is None:
        return FnParams()
    inner = getattr(message, which)
    aggs = tuple(aggregation_names(message))
    if which == "llm_as_judge":
        return FnParams(
            which,
            aggs,
            judge_model=inner.judge_model,
            prompt_template=inner.prompt_template,
            judge_score_regexes=tuple(inner.judge_score_regexes),
        )
    if which == "regex_parser":
        return FnParams(which, aggs, parsing_regexes=tuple(inner.parsing_regexes))
    return FnParams(which, aggs)


def params_proto(p: FnParams) -> scoring_pb2.ScoringFnParams:
    out = scoring_pb2.ScoringFnParams()
    aggs = [_agg_value(a) for a in p.aggregation_functions]
    if p.kind == "llm_as_judge":
        out.llm_as_judge.CopyFrom(
            scoring_pb2.LlmAsJudgeScoringParams(
                judge_model=p.judge_model,
                prompt_template=p.prompt_template,
                judge_score_regexes=p.judge_score_regexes,
                aggregation_functions=aggs,
            )
        )
    elif p.kind == "regex_parser":
        out.regex_parser.CopyFrom(
            scoring_pb2.RegexParserScoringParams(
                parsing_regexes=p.parsing_regexes, aggregation_functions=aggs
            )
        )
    elif p.kind == "basic":
        out.basic.CopyFrom(scoring_pb2.BasicScoringParams(aggregation_functions=aggs))
    return out


def scoring_fn(fn: resources_pb2.ScoringFunction) -> ScoringFn:
    return ScoringFn(
        identifier=fn.identifier,
        provider_id=fn.provider_id,
        provider_fn_id=fn.provider_resource_id or fn.identifier,
        params=params(fn.params),
        description=fn.description,
        return_type=_PARAM_TYPE.Name(fn.return_type).removeprefix(_PARAM_PREFIX).lower()
        if fn.return_type
        else "",
    )


def scoring_fn_proto(fn: ScoringFn, base: resources_pb2.ScoringFunction | None = None):
    out = resources_pb2.ScoringFunction()
    if base is not None:
        out.CopyFrom(base)
    out.identifier = fn.identifier
    out.provider_id = fn.provider_id
    out.provider_resource_id = fn.provider_fn_id
    out.description = fn.description
    out.return_type = _PARAM_TYPE.Value(_PARAM_PREFIX + fn.return_type.upper())
    out.params.CopyFrom(params_proto(fn.params))
    return out


def result_proto(result: ScoreResult) -> pb.ScoringResult:
    return pb.ScoringResult(
        score_rows=to_structs(result.score_rows),
        aggregated_results=to_struct(result.aggregated_results),
    )


def results_proto(results: Mapping[str, ScoreResult]) -> dict[str, pb.ScoringResult]:
    return {fn_id: result_proto(r) for fn_id, r in results.items()}
