"""What the local launcher starts: one `ProcessSpec` per process of a distribution.

`build_plan()` turns a run.yaml into the processes `llamastack run` supervises, in start
order: every API service of `config.api_services()`, then the gateway (told where each
service listens through `LLS_<SERVICE>_ADDR`), then Envoy in front of the gateway.

Ports are either the distribution's (`fixed`: the run.yaml's `services:` ports, Envoy on
`server.port`) or chosen by the system (`auto`: API services bind port 0 and report the
port through `LLS_PORT_FILE`; the gateway's port is picked up front because the services
need `LLS_GATEWAY_ADDR` before it starts; Envoy gets free ports picked just before it
starts). A process that restarts comes back on the port it had, so its peers need no new
address.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from services.common.config import RunConfig
from services.common.telemetry.config import envoy_tracing, telemetry_service

__all__ = [
    "DISTRIBUTIONS_DIR",
    "REPO",
    "LaunchOptions",
    "Plan",
    "ProcessSpec",
    "build_plan",
    "free_port",
    "port_in_use",
    "resolve_distribution",
]

REPO = Path(__file__).resolve().parents[2]
DISTRIBUTIONS_DIR = REPO / "deploy" / "distributions"
#: The descriptor set `make proto` writes; Envoy's transcoder reads it.
DESCRIPTOR_SET = REPO / "gen" / "llamastack.binpb"
ENVOY_ADMIN_PORT = 9901

PortMode = Literal["fixed", "auto"]


@dataclass
class LaunchOptions:
    """Everything `llamastack run` was asked for, after parsing."""

    run_config: Path
    state_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    ports: PortMode = "fixed"
    envoy: bool = True
    #: Overrides `server.port` (Envoy's REST port).
    rest_port: int | None = None
    log_level: str = "INFO"
    startup_timeout: float = 300.0
    #: Restarts allowed per process within `restart_window` seconds before giving up.
    max_restarts: int = 5
    restart_window: float = 300.0
    #: Seconds a child gets between SIGTERM and SIGKILL.
    stop_grace: float = 10.0


@dataclass
class ProcessSpec:
    """One supervised process. `prepare` fills in what is only known once its
    dependencies listen (their ports), right before each start."""

    name: str
    kind: Literal["grpc", "envoy"]
    argv: list[str]
    env: dict[str, str]
    #: Port to listen on; 0 = any (replaced by the bound port after the first start).
    port: int = 0
    #: Envoy's admin port (its readiness probe).
    admin_port: int = 0
    #: Processes that must be listening before this one starts.
    after: tuple[str, ...] = ()
    prepare: Callable[[ProcessSpec, Mapping[str, int]], None] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Plan:
    name: str
    config: RunConfig
    run_config: Path
    processes: list[ProcessSpec]
    #: `<state dir>/<image_name>`: logs/ and run/ live here.
    home: Path

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    def spec(self, name: str) -> ProcessSpec:
        return next(p for p in self.processes if p.name == name)


def resolve_distribution(name_or_path: str) -> Path:
    """A distribution name under deploy/distributions/, or a path to a run.yaml."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        path = path / "run.yaml"
    if path.is_file():
        return path.resolve()
    candidate = DISTRIBUTIONS_DIR / name_or_path / "run.yaml"
    if "/" not in name_or_path and candidate.is_file():
        return candidate
    known = sorted(p.parent.name for p in DISTRIBUTIONS_DIR.glob("*/run.yaml"))
    raise FileNotFoundError(
        f"no distribution {name_or_path!r}: not a run.yaml path and not one of "
        f"{', '.join(known) or '(none)'} (under {DISTRIBUTIONS_DIR})"
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    """True when something already listens on the port (on any local address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return True
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def build_plan(config: RunConfig, options: LaunchOptions) -> Plan:
    home = options.state_dir / config.image_name
    run_dir = home / "run"
    auto = options.ports == "auto"
    base_env = {
        **options.env,
        "PYTHONUNBUFFERED": "1",
        "LLS_RUN_CONFIG": str(options.run_config),
        "LLS_STATE_DIR": str(options.state_dir),
        "LLS_LOG_LEVEL": options.log_level.upper(),
    }
    if (config.server.auth_enabled or config.server.quota) and not _mesh_credential_set(options):
        # Auth on: close the services too (only the gateway may call them). A fresh shared
        # secret per launch, in the environment of every process (never written to disk).
        base_env["LLS_MESH_TOKEN"] = secrets.token_urlsafe(32)
    python = [sys.executable, "-m"]
    services = config.api_services()
    # Services call other APIs through the gateway, so they need its address before it
    # starts: with auto ports it is picked here (it does not bind port 0).
    gateway_port = free_port() if auto else config.port_of("gateway")
    base_env["LLS_GATEWAY_ADDR"] = f"127.0.0.1:{gateway_port}"
    # Every process exports telemetry to the telemetry service: its port is picked up front too.
    ports = {name: 0 if auto else config.port_of(name) for name in services}
    telemetry = telemetry_service(config)
    if telemetry is not None:
        ports[telemetry] = ports[telemetry] or free_port()
        base_env[f"LLS_{telemetry.upper()}_ADDR"] = f"127.0.0.1:{ports[telemetry]}"
    procs: list[ProcessSpec] = []
    for name in services:
        procs.append(
            ProcessSpec(
                name=name,
                kind="grpc",
                argv=[*python, f"services.{config.api_of(name)}"],
                env={**base_env, "LLS_SERVICE_NAME": name},
                port=ports[name],
            )
        )

    def gateway_env(spec: ProcessSpec, ports: Mapping[str, int]) -> None:
        for svc in services:
            spec.env[f"LLS_{svc.upper()}_ADDR"] = f"127.0.0.1:{ports[svc]}"

    procs.append(
        ProcessSpec(
            name="gateway",
            kind="grpc",
            argv=[*python, "gateway"],
            env={**base_env, "LLS_SERVICE_NAME": "gateway"},
            port=gateway_port,
            after=tuple(services),
            prepare=gateway_env,
        )
    )
    if options.envoy:
        procs.append(_envoy_spec(config, options, run_dir, base_env))
    for spec in procs:
        spec.env["LLS_PORT_FILE"] = str(run_dir / f"{spec.name}.port")
    return Plan(
        name=config.image_name,
        config=config,
        run_config=options.run_config,
        processes=procs,
        home=home,
    )


def _mesh_credential_set(options: LaunchOptions) -> bool:
    names = ("LLS_MESH_TOKEN", "LLS_MESH_AUTH_DIR")
    return any(options.env.get(n) or os.environ.get(n) for n in names)


def _envoy_spec(
    config: RunConfig, options: LaunchOptions, run_dir: Path, env: dict[str, str]
) -> ProcessSpec:
    from deploy.envoy import config as envoy  # another module's interface; imported lazily
    from deploy.envoy.tls import listener_tls

    if options.rest_port is not None:
        rest_port = options.rest_port
    else:
        rest_port = 0 if options.ports == "auto" else config.server.port
    config_path = run_dir / "envoy.yaml"

    def render(spec: ProcessSpec, ports: Mapping[str, int]) -> None:
        if spec.port == 0:
            spec.port = free_port()
        if spec.admin_port == 0:
            spec.admin_port = free_port()
        text = envoy.render_config(
            listen_port=spec.port,
            admin_port=spec.admin_port,
            gateway_address=f"127.0.0.1:{ports['gateway']}",
            descriptor_path=DESCRIPTOR_SET,
            services=envoy.public_services(),
            cors=config.server.cors,
            max_request_bytes=config.server.max_request_bytes,
            listen_host=config.server.host,
            tracing=envoy_tracing(config, {**os.environ, **spec.env}, ports),
            tls=listener_tls(config.server),
        )
        tmp = config_path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, config_path)

    return ProcessSpec(
        name="envoy",
        kind="envoy",
        argv=envoy.envoy_command(config_path, log_level="warn"),
        env=dict(env),
        port=rest_port,
        admin_port=0 if options.ports == "auto" else ENVOY_ADMIN_PORT,
        after=("gateway",),
        prepare=render,
    )
