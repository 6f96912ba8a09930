"""Scoring through the gateway: built-in basic functions, parametrised llm-as-judge functions
judged by SmolLM2 through the gateway (per-row failures, reproducible), score_batch with saved
results, and refusals."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format

from llamastack.datasetio.v1 import datasetio_service_pb2 as io
from llamastack.registry.v1 import scoring_function_service_pb2 as sf
from llamastack.scoring.v1 import scoring_service_pb2 as sc
from tests.integration.evaldata.mesh import CHAT_MODEL, register_qa

ROWS = [
    {"input_query": "What is 2 + 2?", "generated_answer": "4", "expected_answer": "4"},
    {"input_query": "Capital of France?", "generated_answer": "It is Paris.", "answer": "Paris"},
    {"input_query": "Capital of Japan?", "generated_answer": "Kyoto", "expected_answer": "Tokyo"},
]


def score(scoring, rows, functions):
    request = json_format.ParseDict(
        {"input_rows": rows, "scoring_functions": functions}, sc.ScoreRequest()
    )
    resp = scoring.Score(request, timeout=300)
    return json_format.MessageToDict(resp, preserving_proto_field_name=True)["results"]


def test_basic_functions_score_and_aggregate(scoring):
    results = score(
        scoring,
        ROWS,
        {"basic::equality": {}, "basic::subset_of": {},
         "basic::regex_parser_math_response": {"regex_parser": {
             "aggregation_functions": ["AGGREGATION_FUNCTION_AVERAGE"]}}},
    )  # fmt: skip
    assert [r["score"] for r in results["basic::equality"]["score_rows"]] == [1, 0, 0]
    assert results["basic::equality"]["aggregated_results"]["accuracy"] == {
        "accuracy": 1 / 3, "num_correct": 1, "num_total": 3}  # fmt: skip
    assert [r["score"] for r in results["basic::subset_of"]["score_rows"]] == [1, 1, 0]
    assert results["basic::regex_parser_math_response"]["aggregated_results"] == {
        "average": {"average": 1 / 3}
    }


def register_judge(scoring_functions, fn_id: str, regex: str):
    request = json_format.ParseDict(
        {"scoring_fn_id": fn_id, "provider_id": "llm-as-judge",
         "return_type": "PARAM_TYPE_NUMBER",
         "params": {"llm_as_judge": {
             "judge_model": CHAT_MODEL,
             "prompt_template": "Question: {input_query}\nExpected: {expected_answer}\n"
                                "Answer: {generated_answer}\nIs the answer right? Say yes or no.",
             "judge_score_regexes": [regex],
             "aggregation_functions": ["AGGREGATION_FUNCTION_CATEGORICAL_COUNT"]}}},
        sf.RegisterScoringFunctionRequest(),
    )  # fmt: skip
    return scoring_functions.RegisterScoringFunction(request, timeout=60).scoring_function


def test_llm_as_judge_grades_each_row_reproducibly_and_reports_failures_per_row(
    scoring, scoring_functions
):
    fn = register_judge(scoring_functions, "judge-any-word", r"(\w+)")
    assert fn.provider_resource_id == "judge-any-word" and fn.params.llm_as_judge.judge_model
    register_judge(scoring_functions, "judge-never", r"(NEVER_MATCHES_\d{9})")
    first = score(scoring, ROWS, {"judge-any-word": {}, "judge-never": {}})
    again = score(scoring, ROWS, {"judge-any-word": {}})
    assert again["judge-any-word"] == first["judge-any-word"]  # greedy: the same grades
    judged = first["judge-any-word"]
    assert all(r["score"] and r["judge_feedback"] for r in judged["score_rows"])
    counts = judged["aggregated_results"]["categorical_count"]["categorical_count"]
    assert sum(counts.values()) == 3
    failed = first["judge-never"]
    assert [r["score"] for r in failed["score_rows"]] == [None] * 3
    assert all("matched none of judge_score_regexes" in r["error"] for r in failed["score_rows"])
    assert failed["aggregated_results"]["num_errors"] == 3


def test_score_batch_saves_the_scored_rows_as_a_dataset(datasets, datasetio, scoring):
    register_qa(datasets, "qa-scored-source")
    request = json_format.ParseDict(
        {"dataset_id": "qa-scored-source", "save_results_dataset": True,
         "scoring_functions": {"basic::subset_of": {}}},
        sc.ScoreBatchRequest(),
    )  # fmt: skip
    with pytest.raises(grpc.RpcError) as err:  # qa rows have no generated_answer
        scoring.ScoreBatch(request, timeout=120)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "no generated_answer column" in err.value.details()
    rows = [{"question": f"q{i}", "answer": "x", "generated_answer": "x" if i % 2 else "y"}
            for i in range(4)]  # fmt: skip
    register_qa(datasets, "qa-generated", uri="", source={"rows": {"rows": rows}})
    request.dataset_id = "qa-generated"
    resp = scoring.ScoreBatch(request, timeout=120)
    assert resp.results["basic::subset_of"].aggregated_results["accuracy"]["accuracy"] == 0.5
    assert resp.dataset_id.startswith("qa-generated-scored-")
    saved = datasetio.IterateRows(io.IterateRowsRequest(dataset_id=resp.dataset_id), timeout=30)
    first = json_format.MessageToDict(saved.data[0])
    assert first["question"] == "q0" and first["basic::subset_of"] == {"score": 0}


def test_scoring_refusals(scoring, scoring_functions):
    with pytest.raises(grpc.RpcError) as err:
        score(scoring, ROWS, {"no-such-fn": {}})
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as err:
        score(scoring, [{"generated_answer": "x"}], {"basic::equality": {}})
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "expected_answer" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        score(scoring, ROWS, {"basic::equality": {"llm_as_judge": {"judge_model": "x"}}})
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    request = sf.RegisterScoringFunctionRequest(
        scoring_fn_id="strict-eq", provider_id="basic", return_type=2
    )
    with pytest.raises(grpc.RpcError) as err:
        scoring_functions.RegisterScoringFunction(request, timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "set provider_scoring_fn_id" in err.value.details()
    request.provider_scoring_fn_id = "basic::equality"
    fn = scoring_functions.RegisterScoringFunction(request, timeout=30).scoring_function
    assert fn.params.WhichOneof("params") == "basic"  # the built-in's defaults filled in
    with pytest.raises(grpc.RpcError) as err:
        bad = sf.RegisterScoringFunctionRequest(scoring_fn_id="bad-judge", return_type=2,
                                                provider_id="llm-as-judge")  # fmt: skip
        bad.params.llm_as_judge.prompt_template = "{nope}"
        scoring_functions.RegisterScoringFunction(bad, timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "placeholders" in err.value.details()
