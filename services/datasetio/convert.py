"""Protobuf ⇄ domain for dataset IO (the only module that knows both)."""

from __future__ import annotations

from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument
from services.common.structs import from_struct
from services.datasetio.types import DatasetSpec

__all__ = ["PURPOSE_NAMES", "dataset_spec"]

#: DatasetPurpose -> the reference's name.
PURPOSE_NAMES = {
    resources_pb2.DATASET_PURPOSE_POST_TRAINING_MESSAGES: "post-training/messages",
    resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER: "eval/question-answer",
    resources_pb2.DATASET_PURPOSE_EVAL_MESSAGES_ANSWER: "eval/messages-answer",
}


def dataset_spec(dataset: resources_pb2.Dataset) -> DatasetSpec:
    which = dataset.source.WhichOneof("source")
    if which is None:
        raise InvalidArgument(
            f"dataset {dataset.identifier} has no source; give source.uri or source.rows",
            field="source",
        )
    return DatasetSpec(
        dataset_id=dataset.provider_resource_id or dataset.identifier,
        identifier=dataset.identifier,
        purpose=PURPOSE_NAMES.get(dataset.purpose, ""),
        uri=dataset.source.uri.uri if which == "uri" else "",
        rows=[from_struct(r) for r in dataset.source.rows.rows] if which == "rows" else None,
    )
