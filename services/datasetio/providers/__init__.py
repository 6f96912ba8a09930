"""The dataset IO provider types this service can host (imported lazily, see inference)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.datasetio.provider import DatasetIoProviderBase

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], DatasetIoProviderBase]


def _localfs(provider_id: str, config: Mapping[str, Any]) -> DatasetIoProviderBase:
    from services.datasetio.providers.localfs.provider import LocalFsProvider

    return LocalFsProvider(provider_id, config)


#: provider_type → factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {"inline::localfs": _localfs}
