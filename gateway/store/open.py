"""Open the registry store the run.yaml (or LLS_REGISTRY_URL) asks for."""

from __future__ import annotations

from gateway.store import RegistryStore
from services.common.config import ConfigError, RunConfig
from services.common.settings import Settings
from services.common.state.open import store_location

__all__ = ["open_store"]


async def open_store(config: RunConfig, settings: Settings) -> RegistryStore:
    where = store_location(config, settings)
    if where.kind == "redis":
        from gateway.store.redis import RedisStore

        redis_store = RedisStore(where.url, where.namespace)
        try:
            await redis_store.ping()
        except Exception as exc:
            await redis_store.close()
            raise ConfigError(f"cannot reach the Redis registry at {where.url}: {exc}") from exc
        return redis_store
    from gateway.store.sqlite import SqliteStore

    assert where.path is not None
    return SqliteStore(where.path)
