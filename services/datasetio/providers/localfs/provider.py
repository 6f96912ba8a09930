"""`inline::localfs`: datasets from files under a root directory (CSV, JSON Lines, JSON,
Parquet), `data:` URIs and inline rows.

File datasets are read on each call (parsed files are cached by path, size and modification
time, so a change by anyone is seen at once) and appended to in place. Inline and `data:`
datasets keep their rows in the registry's resource; rows appended to them go to the state
store (`AppendedRows`).
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.common.errors import InvalidArgument
from services.common.settings import Settings
from services.common.state import StateStore
from services.common.state.process import open_process_state_store
from services.datasetio.provider import DatasetIoProviderBase
from services.datasetio.providers.localfs import formats
from services.datasetio.providers.localfs.appended import AppendedRows
from services.datasetio.providers.localfs.config import LocalFsConfig
from services.datasetio.providers.localfs.sources import (
    check_size,
    decode_data_uri,
    resolve_file,
)
from services.datasetio.purposes import check_columns, check_rows
from services.datasetio.types import DatasetSpec, Page, Row

__all__ = ["Handle", "LocalFsProvider"]


@dataclass
class Handle:
    """A registered dataset: its file (and format), or its own rows."""

    identifier: str
    purpose: str
    #: The `file:` URI as registered (resolved again on every use).
    uri: str = ""
    path: Path | None = None
    fmt: str = ""
    rows: list[Row] = field(default_factory=list)


class LocalFsProvider(DatasetIoProviderBase[Handle]):
    provider_type = "inline::localfs"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = LocalFsConfig.model_validate(dict(config))
        self.max_rows_per_request = self.config.max_rows_per_request
        root = Path(self.config.root).expanduser() if self.config.root else None
        self.root = Path(os.path.realpath(root or Settings().state_dir / "datasets"))
        self._store: StateStore | None = None
        self._appended: AppendedRows | None = None
        self._cache: OrderedDict[Path, tuple[tuple[int, int, int], list[Row], list[str]]] = (
            OrderedDict()
        )

    async def initialize(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._store = await open_process_state_store()
        self._appended = AppendedRows(self._store, self.provider_id)

    async def shutdown(self) -> None:
        if self._store is not None:
            await self._store.close()

    @property
    def appended(self) -> AppendedRows:
        assert self._appended is not None, "the provider is not initialised"
        return self._appended

    # -- registration ------------------------------------------------------------------------

    async def open_dataset(self, spec: DatasetSpec) -> Handle:
        name = spec.identifier
        if spec.rows is not None:
            check_rows(name, spec.purpose, spec.rows)
            return Handle(name, spec.purpose, rows=spec.rows)
        if spec.uri.startswith("data:"):
            data = decode_data_uri(spec.uri, self.config.max_file_bytes)
            # Off the event loop, as files are (up to max_file_bytes of CSV/Parquet/JSON).
            rows, columns = await asyncio.to_thread(
                formats.parse, data.data, data.fmt, "the data: URI"
            )
            self._check(name, spec.purpose, data.fmt, rows, columns, "the data: URI")
            return Handle(name, spec.purpose, rows=rows)
        path, fmt = resolve_file(spec.uri, self.root)
        rows, columns = await self._read_file(path, fmt)
        self._check(name, spec.purpose, fmt, rows, columns, path.name)
        return Handle(name, spec.purpose, uri=spec.uri, path=path, fmt=fmt)

    def _check(
        self, name: str, purpose: str, fmt: str, rows: list[Row], columns: list[str], what: str
    ) -> None:
        if fmt in ("csv", "parquet"):  # every row has the file's columns
            check_columns(name, purpose, columns, f"{what}'s header")
        else:
            check_rows(name, purpose, rows)

    async def close_dataset(self, dataset_id: str, handle: Handle) -> None:
        if handle.path is None:
            await self.appended.clear(dataset_id)

    # -- rows --------------------------------------------------------------------------------

    async def read(self, dataset_id: str, start: int, count: int) -> Page:
        rows = await self._rows(dataset_id, self.datasets.get(dataset_id))
        return Page(rows[start : start + count], has_more=start + count < len(rows))

    async def append(self, dataset_id: str, rows: Sequence[Row]) -> None:
        handle = self.datasets.get(dataset_id)
        check_rows(handle.identifier, handle.purpose, rows)
        if handle.path is None:
            await self.appended.add(dataset_id, rows)
            return
        path = self._recheck(handle)
        await asyncio.to_thread(formats.append_file, path, handle.fmt, rows)

    async def _rows(self, dataset_id: str, handle: Handle) -> list[Row]:
        if handle.path is None:
            return handle.rows + await self.appended.all(dataset_id)
        rows, _ = await self._read_file(self._recheck(handle), handle.fmt)
        return rows

    def _recheck(self, handle: Handle) -> Path:
        """The file again, resolved under the root (a symlink may have changed since)."""
        try:
            path, _ = resolve_file(handle.uri, self.root)
        except InvalidArgument as exc:
            raise InvalidArgument(
                f"dataset {handle.identifier}: its file is no longer readable: {exc.message}"
            ) from None
        return path

    async def _read_file(self, path: Path, fmt: str) -> tuple[list[Row], list[str]]:
        st = os.stat(path)
        check_size(st.st_size, self.config.max_file_bytes, str(path.name))
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = self._cache.get(path)
        if cached is not None and cached[0] == key:
            self._cache.move_to_end(path)
            return cached[1], cached[2]
        data = await asyncio.to_thread(path.read_bytes)
        rows, columns = await asyncio.to_thread(formats.parse, data, fmt, path.name)
        if self.config.cached_files:
            self._cache[path] = (key, rows, columns)
            while len(self._cache) > self.config.cached_files:
                self._cache.popitem(last=False)
        return rows, columns
