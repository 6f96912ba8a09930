"""Protobuf ⇄ domain for eval (the only module that knows both)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import duration_pb2, json_format, timestamp_pb2

from llamastack.common.v1 import job_pb2
from llamastack.eval.v1 import eval_pb2
from llamastack.registry.v1 import resources_pb2
from llamastack.scoring.v1 import scoring_service_pb2
from services.common.errors import InvalidArgument
from services.common.jobs import Job, JobStatus
from services.common.structs import to_struct, to_structs
from services.eval.types import Benchmark, Candidate, Row

__all__ = [
    "benchmark",
    "candidate",
    "job_proto",
    "json_of",
    "scoring_result",
]

_STATUS = {
    JobStatus.QUEUED: job_pb2.JOB_STATUS_SCHEDULED,
    JobStatus.RUNNING: job_pb2.JOB_STATUS_IN_PROGRESS,
    JobStatus.COMPLETED: job_pb2.JOB_STATUS_COMPLETED,
    JobStatus.FAILED: job_pb2.JOB_STATUS_FAILED,
    JobStatus.CANCELLED: job_pb2.JOB_STATUS_CANCELLED,
}


def json_of(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def benchmark(resource: resources_pb2.Benchmark) -> Benchmark:
    return Benchmark(
        identifier=resource.identifier,
        benchmark_id=resource.provider_resource_id or resource.identifier,
        dataset_id=resource.dataset_id,
        scoring_functions=tuple(resource.scoring_functions),
    )


def candidate(config: eval_pb2.BenchmarkConfig) -> Candidate:
    which = config.eval_candidate.WhichOneof("candidate")
    if which == "model":
        model = config.eval_candidate.model
        if not model.model:
            raise InvalidArgument(
                "benchmark_config.eval_candidate.model.model is required: the model to evaluate",
                field="benchmark_config.eval_candidate.model.model",
            )
        return Candidate(
            "model",
            model=model.model,
            sampling_params=json_of(model.sampling_params),
            system_message=json_of(model.system_message)
            if model.HasField("system_message")
            else {},
        )
    if which == "agent":
        return Candidate("agent", agent_config=json_of(config.eval_candidate.agent.config))
    raise InvalidArgument(
        "benchmark_config.eval_candidate is required: a model (or agent) to evaluate",
        field="benchmark_config.eval_candidate",
    )


def _timestamp(seconds: float | None) -> timestamp_pb2.Timestamp | None:
    if not seconds:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


def job_proto(job: Job) -> job_pb2.Job:
    out = job_pb2.Job(
        job_id=job.id,
        status=_STATUS[job.status],
        progress=job_pb2.JobProgress(
            completed=job.completed, total=job.total, message=_message(job)
        ),
        error=job.error,
    )
    for name, value in (
        ("scheduled_at", job.created_at),
        ("started_at", job.started_at),
        ("completed_at", job.finished_at),
    ):
        ts = _timestamp(value)
        if ts is not None:
            getattr(out, name).CopyFrom(ts)
    eta = job.eta_seconds
    if eta is not None:
        out.progress.eta.CopyFrom(duration_pb2.Duration(seconds=int(eta), nanos=0))
    return out


def _message(job: Job) -> str:
    if job.status is JobStatus.QUEUED:
        return "waiting for an eval worker"
    if job.status is JobStatus.RUNNING:
        if job.cancel_requested:
            return "cancelling"
        if not job.total:
            return "reading the benchmark's dataset"
        resumed = f" (resumed, attempt {job.attempts})" if job.attempts > 1 else ""
        return f"generated and scored {job.completed} of {job.total} rows{resumed}"
    if job.status is JobStatus.FAILED:
        return f"failed: {job.error}"
    return job.status.value


def scoring_result(
    score_rows: list[Row], aggregated: Mapping[str, Any]
) -> scoring_service_pb2.ScoringResult:
    return scoring_service_pb2.ScoringResult(
        score_rows=to_structs(score_rows), aggregated_results=to_struct(aggregated)
    )
