"""The state store of the running process's distribution, for providers: they are built from
their own config only, so they find the run.yaml (and its `metadata_store`) the way the
service skeleton does, through the process settings (`LLS_RUN_CONFIG`, `LLS_REGISTRY_URL`)."""

from __future__ import annotations

from services.common.config import ConfigError, load_run_config
from services.common.settings import Settings
from services.common.state import StateStore
from services.common.state.open import open_state_store

__all__ = ["open_process_state_store"]


async def open_process_state_store(settings: Settings | None = None) -> StateStore:
    """The store the run.yaml's `metadata_store` names (the registry's, shared by replicas)."""
    settings = settings or Settings()
    if settings.run_config is None:
        raise ConfigError("LLS_RUN_CONFIG is not set: the state store is named by the run.yaml")
    return await open_state_store(load_run_config(settings.run_config), settings)
