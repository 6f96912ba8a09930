"""Dataset IO logic over the hosted providers: paging (start index or page token) and the
per-request row limit; the provider reads and appends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.common import pagination
from services.common.errors import InvalidArgument
from services.common.providers import ProviderHost
from services.datasetio.provider import DatasetIoProviderBase
from services.datasetio.types import Row

__all__ = ["DatasetIoService", "RowsPage"]


@dataclass
class RowsPage:
    rows: list[Row]
    has_more: bool
    next_start_index: int
    next_page_token: str


class DatasetIoService:
    def __init__(self, host: ProviderHost[DatasetIoProviderBase]) -> None:
        self._host = host

    async def iterate(
        self,
        provider_id: str | None,
        dataset_id: str,
        start_index: int = 0,
        limit: int | None = None,
        page_token: str = "",
    ) -> RowsPage:
        provider = self._host.pick(provider_id, dataset_id)
        provider.datasets.entry(dataset_id)  # NOT_FOUND before anything else
        if start_index < 0:
            raise InvalidArgument(
                f"start_index must be >= 0 (got {start_index})", field="start_index"
            )
        if page_token:
            if start_index:
                raise InvalidArgument(
                    "give start_index or page_token, not both", field="page_token"
                )
            start_index = _token_start(page_token, dataset_id)
        if limit is not None and limit < -1:
            raise InvalidArgument(
                f"limit must be >= 0, or -1 for all rows (got {limit})", field="limit"
            )
        cap = provider.max_rows_per_request
        count = cap if limit is None or limit == -1 else min(limit, cap)
        page = await provider.read(dataset_id, start_index, count)
        next_start = start_index + len(page.rows)
        token = pagination.encode(str(next_start), dataset_id) if page.has_more else ""
        return RowsPage(page.rows, page.has_more, next_start, token)

    async def append(self, provider_id: str | None, dataset_id: str, rows: Sequence[Row]) -> None:
        provider = self._host.pick(provider_id, dataset_id)
        provider.datasets.entry(dataset_id)
        if not rows:
            raise InvalidArgument("rows is empty; give at least one row to append", field="rows")
        cap = provider.max_rows_per_request
        if len(rows) > cap:
            raise InvalidArgument(
                f"{len(rows)} rows in one request; {provider.label} appends at most {cap} "
                "per request: send them in several requests",
                field="rows",
            )
        await provider.append(dataset_id, rows)


def _token_start(token: str, dataset_id: str) -> int:
    value = pagination.decode(token, dataset_id)
    if not value.isdigit():
        raise InvalidArgument(
            "page_token is not valid; pass the next_page_token of a previous response",
            field="page_token",
        )
    return int(value)
