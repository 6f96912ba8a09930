"""`inline::meta-reference`: spans, logs and metrics in SQLite (embedded) or Redis, pruned to
the retention limits in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from services.common.config import ConfigError, load_run_config
from services.common.providers import Health, HealthStatus, Provider
from services.common.settings import Settings
from services.telemetry.provider import TelemetryStore
from services.telemetry.providers.meta_reference.config import (
    MetaReferenceConfig,
    RetentionConfig,
    StoreConfig,
)

__all__ = ["MetaReferenceProvider"]

log = logging.getLogger(__name__)


def _default_store(settings: Settings) -> tuple[StoreConfig, str]:
    """The run.yaml's metadata_store as a telemetry store, and the distribution's name."""
    if settings.run_config is None:
        return StoreConfig(), "llamastack"
    config = load_run_config(settings.run_config)
    md = config.metadata_store
    if md.type == "redis":
        return StoreConfig(type="redis", url=md.url, namespace=md.namespace), config.image_name
    return StoreConfig(), config.image_name


class MetaReferenceProvider(Provider):
    api: ClassVar[str] = "telemetry"
    provider_type: ClassVar[str] = "inline::meta-reference"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = MetaReferenceConfig.model_validate(dict(config))
        self.retention: RetentionConfig = self.config.retention
        settings = Settings()
        image = "llamastack"
        store = self.config.store
        if store is None:
            store, image = _default_store(settings)
        if store.type == "redis" and not store.url:
            raise ConfigError(f"provider {provider_id}: store.type is redis but store.url is empty")
        self.store_config = store
        self._default_db = settings.state_dir / image / "telemetry.db"
        self.store: TelemetryStore | None = None
        self._pruner: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        cfg = self.store_config
        if cfg.type == "redis":
            from services.telemetry.providers.meta_reference.redis_store import (
                RedisTelemetryStore,
            )

            store = RedisTelemetryStore(cfg.url or "", cfg.namespace)
            try:
                await store.ping()
            except Exception as exc:
                await store.close()
                raise ConfigError(f"{self.label}: cannot reach Redis at {cfg.url}: {exc}") from exc
            self.store = store
        else:
            from services.telemetry.providers.meta_reference.sqlite_store import (
                SqliteTelemetryStore,
            )

            self.store = SqliteTelemetryStore(
                Path(cfg.db_path) if cfg.db_path else self._default_db
            )
        await self.prune()
        self._pruner = asyncio.create_task(self._prune_forever())

    async def prune(self) -> None:
        assert self.store is not None
        now = time.time_ns()
        r = self.retention
        await self.store.prune(now, now - r.max_age_s * 10**9, r.max_traces, r.max_metric_points)

    async def _prune_forever(self) -> None:
        while True:
            await asyncio.sleep(self.retention.prune_interval_s)
            try:
                await self.prune()
            except Exception:
                log.exception(
                    "%s: pruning failed (retried in %.0fs)",
                    self.label,
                    self.retention.prune_interval_s,
                )

    async def shutdown(self) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pruner
        if self.store is not None:
            await self.store.close()

    async def health(self) -> Health:
        if self.store is None:
            return Health(HealthStatus.HEALTH_STATUS_ERROR, "store not open")
        return Health()
