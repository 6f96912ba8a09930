"""Where a provider keeps its files: `<state_dir>/<image_name>/<api>/<provider_id>`.

`state_dir` is `LLS_STATE_DIR` (the launcher sets it; default `~/.llamastack-mesh`) and the
image name comes from the distribution's run.yaml, so two distributions never share files
(the gateway keeps its registry at `<state_dir>/<image_name>/registry.db` the same way).
"""

from __future__ import annotations

import functools
from pathlib import Path

from services.common.config import ConfigError, load_run_config
from services.common.settings import Settings

__all__ = ["provider_state_dir"]


def provider_state_dir(api: str, provider_id: str, configured: str | None = None) -> Path:
    """The provider's directory (created): `configured` when given (`~` expanded), else the
    default above."""
    if configured:
        path = Path(configured).expanduser()
    else:
        settings = Settings()
        path = (
            settings.state_dir.expanduser() / _image_name(settings.run_config) / api / provider_id
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def _image_name(run_config: Path | None) -> str:
    if run_config is None:
        return "default"
    try:
        return load_run_config(run_config).image_name
    except ConfigError:
        return "default"
