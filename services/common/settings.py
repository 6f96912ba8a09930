"""Process settings: the only place that reads the environment (with the run.yaml loader).

Our variables are `LLS_*`; peers are `LLS_<SERVICE>_ADDR=host:port`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_PORTS", "Settings", "env_snapshot", "peer_addresses"]

#: The fixed port table (DESIGN.md §3). Tests use port 0.
DEFAULT_PORTS: dict[str, int] = {
    "envoy": 8321,
    "gateway": 50051,
    "inference": 50061,
    "safety": 50062,
    "agents": 50063,
    "vector_io": 50064,
    "datasetio": 50065,
    "scoring": 50066,
    "eval": 50067,
    "telemetry": 50068,
    "tool_runtime": 50069,
}

_ADDR = re.compile(r"^LLS_([A-Z0-9_]+)_ADDR$")


class Settings(BaseSettings):
    """Settings of one mesh process."""

    model_config = SettingsConfigDict(env_prefix="LLS_", extra="ignore")

    #: Name of this service in the distribution's `services:` section (e.g. `inference`).
    service_name: str = ""
    #: Port to listen on; None means the port table's default for this service.
    grpc_port: int | None = None
    grpc_host: str = "0.0.0.0"
    #: The distribution's run.yaml.
    run_config: Path | None = None
    #: Written with the bound port once the server listens (lets tests use port 0).
    port_file: Path | None = None
    log_level: str = "INFO"
    #: Where services reach the gateway for cross-API calls.
    gateway_addr: str = "localhost:50051"
    #: Overrides the registry store of the run.yaml (`sqlite:///path` or `redis://...`).
    registry_url: str = ""
    #: Seconds a stopping server lets in-flight calls finish.
    drain_seconds: float = 5.0
    #: Deadline for outbound calls when the caller gave none.
    default_timeout_s: float = 600.0
    #: The gateway ends a forwarded stream whose service sent nothing for this long
    #: (DEADLINE_EXCEEDED); 0 turns the check off.
    stream_idle_timeout_s: float = 300.0
    #: Set by a process that runs several workers on one port (the gateway) in the
    #: environment of the workers it starts: 1, 2, ... (0: not such a worker).
    worker_index: int = 0
    #: With worker_index: the PID of the process that started the worker.
    worker_parent: int = 0
    #: Directory for state (SQLite registry, jobs) when the run.yaml does not say.
    state_dir: Path = Path.home() / ".llamastack-mesh"

    def port_for(self, name: str) -> int:
        if self.grpc_port is not None:
            return self.grpc_port
        return DEFAULT_PORTS.get(name, 0)


def peer_addresses() -> dict[str, str]:
    """`LLS_<SERVICE>_ADDR` variables as {service name (lower snake): address}."""
    out = {}
    for key, value in os.environ.items():
        m = _ADDR.match(key)
        if m and value:
            out[m.group(1).lower()] = value
    return out


def env_snapshot() -> dict[str, str]:
    """The environment, for `${env.VAR}` substitution in run.yaml."""
    return dict(os.environ)
