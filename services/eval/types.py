"""The eval domain on plain data. Protobuf parts a job carries to the mesh (sampling params,
a system message, scoring params) are kept as their proto3 JSON, so a job record is JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Benchmark", "Candidate", "EvalPlan", "Row"]

Row = dict[str, Any]


@dataclass(frozen=True)
class Candidate:
    """What generates the answers: `kind` "model" (with `model`, `sampling_params` and
    `system_message` as proto3 JSON) or "agent" (`agent_config`)."""

    kind: str
    model: str = ""
    sampling_params: dict[str, Any] = field(default_factory=dict)
    system_message: dict[str, Any] = field(default_factory=dict)
    agent_config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Benchmark:
    identifier: str
    #: The provider's own id (what the gateway sends in requests).
    benchmark_id: str
    dataset_id: str
    scoring_functions: tuple[str, ...]


@dataclass(frozen=True)
class EvalPlan:
    """Everything a job needs, fixed when it is submitted (so a resumed job does the same):
    the benchmark, the candidate, each scoring function's complete params (proto3 JSON of
    ScoringFnParams) and aggregations, and how many rows."""

    benchmark: Benchmark
    candidate: Candidate
    scoring_params: dict[str, dict[str, Any]]
    aggregations: dict[str, list[str]]
    num_examples: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EvalPlan:
        bench = dict(data["benchmark"])
        bench["scoring_functions"] = tuple(bench["scoring_functions"])
        return cls(
            benchmark=Benchmark(**bench),
            candidate=Candidate(**data["candidate"]),
            scoring_params=data["scoring_params"],
            aggregations=data["aggregations"],
            num_examples=data.get("num_examples"),
        )
