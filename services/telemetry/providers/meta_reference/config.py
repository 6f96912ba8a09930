"""Configuration of `inline::meta-reference`: where spans and metrics are kept, and for how
long."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MetaReferenceConfig", "RetentionConfig", "StoreConfig"]


class StoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["sqlite", "redis"] = "sqlite"
    #: SQLite file; default `<state_dir>/<image_name>/telemetry.db`.
    db_path: str | None = None
    #: Redis URL (type redis).
    url: str | None = None
    #: Redis key prefix (several stacks can share one server).
    namespace: str = "llamastack"


class RetentionConfig(BaseModel):
    """What is kept: spans and logs for `max_age_s` (or the `ttl_seconds` of a logged
    event), at most `max_traces` traces (the oldest go first), metric points for `max_age_s`
    and at most `max_metric_points` of them. Pruning runs every `prune_interval_s`."""

    model_config = ConfigDict(extra="forbid")

    max_age_s: int = Field(default=7 * 24 * 3600, ge=60)
    max_traces: int = Field(default=100_000, ge=10)
    max_metric_points: int = Field(default=1_000_000, ge=100)
    prune_interval_s: float = Field(default=60.0, gt=0)


class MetaReferenceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Default: the run.yaml's `metadata_store` (SQLite in a file of its own next to the
    #: registry, or the same Redis).
    store: StoreConfig | None = None
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
