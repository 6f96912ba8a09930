"""What a dataset IO provider is: the capability the service calls, and the dataset table
every provider composes (registrations validated by the provider's `open_dataset`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from llamastack.registry.v1 import resources_pb2
from services.common.providers import Provider
from services.common.resources import Accepted, Entry, ResourceTable
from services.datasetio import convert
from services.datasetio.types import DatasetSpec

__all__ = ["DatasetIoProviderBase"]

H = TypeVar("H")


class DatasetIoProviderBase(Provider, Generic[H]):
    """A dataset table whose value per dataset is the provider's handle `H`; subclasses
    implement `open_dataset` (validate a registration, return its handle), `close_dataset`,
    and the rows the service calls for, by the provider's own dataset id:
    `read(dataset_id, start, count) -> Page` and `append(dataset_id, rows)` (each handling at
    most `max_rows_per_request` rows)."""

    api: ClassVar[str] = "datasetio"
    max_rows_per_request: int = 10_000

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.datasets: ResourceTable[H] = ResourceTable(
            "dataset", self.label, self.ready, accept=self._accept, release=self._release
        )
        self.table = self.datasets

    async def open_dataset(self, spec: DatasetSpec) -> H:
        raise NotImplementedError

    async def close_dataset(self, dataset_id: str, handle: H) -> None:
        """The dataset was unregistered: drop what the provider keeps for it."""

    async def _accept(self, dataset: resources_pb2.Dataset) -> Accepted[H]:
        handle = await self.open_dataset(convert.dataset_spec(dataset))
        return Accepted(dataset, handle)

    async def _release(self, entry: Entry[H]) -> None:
        await self.close_dataset(entry.id, entry.value)
