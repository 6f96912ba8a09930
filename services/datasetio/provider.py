"""What a dataset IO provider is: the capability the service calls, and the dataset table
every provider composes (registrations validated by the provider's `open_dataset`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from llamastack.registry.v1 import resources_pb2
from services.common.providers import Provider
from services.common.resources import Accepted, Entry, ResourceTable
from services.datasetio import convert
from services.datasetio.types import DatasetSpec, Page, Row

__all__ = ["DatasetIoProviderBase", "RowsProvider"]

H = TypeVar("H")


class RowsProvider(Protocol):
    """Rows of the datasets a provider serves, by the provider's own dataset id."""

    #: The most rows one IterateRows or AppendRows call handles.
    max_rows_per_request: int

    async def read(self, dataset_id: str, start: int, count: int) -> Page: ...

    async def append(self, dataset_id: str, rows: Sequence[Row]) -> None: ...


class DatasetIoProviderBase(Provider, Generic[H]):
    """A dataset table whose value per dataset is the provider's handle `H`; subclasses
    implement `open_dataset` (validate a registration, return its handle), `close_dataset`
    and `RowsProvider`."""

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
