"""What an eval provider is: a benchmark table (the gateway checked the dataset and scoring
functions a benchmark names before registering it) and the parts its jobs run on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument
from services.common.jobs import JobStore
from services.common.providers import Provider
from services.common.resources import Accepted, ResourceTable
from services.eval import convert
from services.eval.mesh import Mesh
from services.eval.records import EvalRecords
from services.eval.types import Benchmark

__all__ = ["EvalProviderBase"]


class EvalProviderBase(Provider):
    api: ClassVar[str] = "eval"
    #: The most rows one EvaluateRows call takes.
    evaluate_rows_max: int = 20
    #: The most rows one eval job evaluates.
    max_rows: int = 100_000
    #: Rows generated at once (per job, and per EvaluateRows call).
    max_concurrency: int = 4
    #: Deadline of each call a job makes through the gateway.
    timeout_s: float = 600.0

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.benchmarks: ResourceTable[Benchmark] = ResourceTable(
            "benchmark", self.label, self.ready, accept=self._accept
        )
        self.table = self.benchmarks

    async def _accept(self, resource: resources_pb2.Benchmark) -> Accepted[Benchmark]:
        """The gateway checked that its dataset and functions are registered; a benchmark
        must name both."""
        bench = convert.benchmark(resource)
        if not bench.dataset_id or not bench.scoring_functions:
            raise InvalidArgument(
                f"benchmark {bench.identifier} must name a dataset and at least one scoring "
                "function",
                benchmarkId=bench.identifier,
            )
        return Accepted(resource, bench)

    # Set up by `initialize()`.
    jobs: JobStore
    records: EvalRecords
    mesh: Mesh
