from __future__ import annotations

import pytest

from gateway.declared import to_request
from llamastack.common.v1 import scoring_pb2
from llamastack.registry.v1 import model_service_pb2, resources_pb2
from services.common.kinds import KIND_BY_NAME


@pytest.mark.parametrize(
    ("model_id", "provider_model_id", "identifier", "resource_id"),
    [
        ("SmolLM2", "", "llama-cpp/SmolLM2", "SmolLM2"),
        ("SmolLM2", "SmolLM2", "llama-cpp/SmolLM2", "SmolLM2"),
        ("smol", "SmolLM2", "smol", "SmolLM2"),
        ("llama-cpp/SmolLM2", "", "llama-cpp/SmolLM2", "SmolLM2"),
        ("org/model", "", "llama-cpp/org/model", "org/model"),
    ],
)
def test_model_identifier_rule(model_id, provider_model_id, identifier, resource_id):
    req = model_service_pb2.RegisterModelRequest(
        model_id=model_id, provider_model_id=provider_model_id
    )
    model = KIND_BY_NAME["model"].build(req, "llama-cpp").resource
    assert (model.identifier, model.provider_resource_id) == (identifier, resource_id)
    assert model.model_type == resources_pb2.MODEL_TYPE_LLM


def test_reference_yaml_shapes_become_requests():
    model = to_request(
        KIND_BY_NAME["model"],
        {"model_id": "e", "model_type": "embedding", "metadata": {"embedding_dimension": 384}},
    )
    assert model.model_type == resources_pb2.MODEL_TYPE_EMBEDDING
    dataset = to_request(
        KIND_BY_NAME["dataset"],
        {
            "dataset_id": "qa",
            "purpose": "eval/question-answer",
            "source": {"type": "uri", "uri": "huggingface://llamastack/simpleqa?split=train"},
        },
    )
    assert dataset.purpose == resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER
    assert dataset.source.uri.uri.startswith("huggingface://")
    fn = to_request(
        KIND_BY_NAME["scoring_function"],
        {
            "scoring_fn_id": "judge",
            "return_type": {"type": "number"},
            "params": {
                "type": "llm_as_judge",
                "judge_model": "m",
                "aggregation_functions": ["average"],
            },
        },
    )
    assert fn.return_type == scoring_pb2.PARAM_TYPE_NUMBER
    assert fn.params.llm_as_judge.judge_model == "m"
    assert list(fn.params.llm_as_judge.aggregation_functions) == [
        scoring_pb2.AGGREGATION_FUNCTION_AVERAGE
    ]
    rows = to_request(
        KIND_BY_NAME["dataset"],
        {"purpose": "eval/messages-answer", "source": {"type": "rows", "rows": [{"a": 1}]}},
    )
    assert rows.source.rows.rows[0]["a"] == 1
