"""Open the registry store the run.yaml (or LLS_REGISTRY_URL) asks for."""

from __future__ import annotations

from pathlib import Path

from gateway.store import RegistryStore
from services.common.config import ConfigError, RunConfig
from services.common.settings import Settings

__all__ = ["open_store"]


async def open_store(config: RunConfig, settings: Settings) -> RegistryStore:
    url = settings.registry_url
    store = config.metadata_store
    if (
        url.startswith("redis://")
        or url.startswith("rediss://")
        or (not url and store.type == "redis")
    ):
        from gateway.store.redis import RedisStore

        redis_url = url or store.url
        if not redis_url:
            raise ConfigError("metadata_store.type is redis but metadata_store.url is not set")
        redis_store = RedisStore(redis_url, store.namespace)
        try:
            await redis_store.ping()
        except Exception as exc:
            await redis_store.close()
            raise ConfigError(f"cannot reach the Redis registry at {redis_url}: {exc}") from exc
        return redis_store
    from gateway.store.sqlite import SqliteStore

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    elif url:
        raise ConfigError(f"LLS_REGISTRY_URL {url!r} is neither sqlite:///<path> nor redis://...")
    else:
        path = (
            Path(store.db_path)
            if store.db_path
            else (settings.state_dir / config.image_name / "registry.db")
        )
    return SqliteStore(path)
