"""Where state lives: the run.yaml's `metadata_store` (or `LLS_REGISTRY_URL`), the same place
for the gateway's registry and every service's durable state."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.common.config import ConfigError, RunConfig
from services.common.settings import Settings
from services.common.state import StateStore

__all__ = ["StoreLocation", "open_state_store", "store_location"]


@dataclass(frozen=True)
class StoreLocation:
    kind: str  # "sqlite" | "redis"
    #: SQLite file.
    path: Path | None = None
    #: Redis URL and key prefix.
    url: str = ""
    namespace: str = "llamastack"


def store_location(config: RunConfig, settings: Settings) -> StoreLocation:
    url = settings.registry_url
    store = config.metadata_store
    if url.startswith(("redis://", "rediss://")) or (not url and store.type == "redis"):
        redis_url = url or store.url
        if not redis_url:
            raise ConfigError("metadata_store.type is redis but metadata_store.url is not set")
        return StoreLocation("redis", url=redis_url, namespace=store.namespace)
    if url.startswith("sqlite:///"):
        return StoreLocation("sqlite", Path(url.removeprefix("sqlite:///")))
    if url:
        raise ConfigError(f"LLS_REGISTRY_URL {url!r} is neither sqlite:///<path> nor redis://...")
    path = Path(store.db_path) if store.db_path else None
    return StoreLocation("sqlite", path or settings.state_dir / config.image_name / "registry.db")


async def open_state_store(config: RunConfig, settings: Settings) -> StateStore:
    """The state store of the distribution (the Redis server must answer)."""
    where = store_location(config, settings)
    if where.kind == "redis":
        from services.common.state.redis import RedisStateStore

        store = RedisStateStore(where.url, where.namespace)
        try:
            await store.ping()
        except Exception as exc:
            await store.close()
            raise ConfigError(f"cannot reach the Redis state store at {where.url}: {exc}") from exc
        return store
    from services.common.state.sqlite import SqliteStateStore

    assert where.path is not None
    return SqliteStateStore(where.path)
