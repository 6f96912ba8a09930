"""`docker-compose.yml` for one or more distributions, one profile each.

Every process of a distribution becomes a service named `<profile>-<component>` (hostnames
cannot clash between profiles, and the gateway's `LLS_<SERVICE>_ADDR` name them), built from
the repository's Dockerfile and started by the image's entrypoint with the component's name,
as the Helm chart does. The run.yaml is mounted read-only; SQLite state lives on a named volume
shared by the distribution's processes; root filesystems are read-only. Health checks use gRPC
health `readiness` (Envoy: its `/ready` through the probe port). A distribution whose run.yaml
keeps its registry on Redis or names a `remote::qdrant` provider gets a Redis and a Qdrant
server in its profile; a remote vLLM stays an external URL (`VLLM_URL` from your shell).

Variables the run.yaml reads (except the ports, which the file fixes) pass through from the
shell that runs `docker compose`: unset stays unset, so a required one fails with the run.yaml
loader's own message naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from deploy.packaging.model import (
    ENVOY_HEALTH_PORT,
    READINESS,
    RUN_CONFIG_PATH,
    STATE_DIR,
    Component,
    Topology,
)

__all__ = ["ComposeTarget", "compose_file", "render_compose"]

IMAGE = "${LLS_IMAGE:-llamastack-mesh:latest}"
PROBE = ["python", "-m", "deploy.packaging.probe"]


@dataclass(frozen=True)
class ComposeTarget:
    topology: Topology
    #: The compose profile (`local`, `cluster`).
    profile: str
    #: The run.yaml to mount, relative to the compose file.
    run_config: str
    redis_image: str = "redis:7.4-alpine"
    qdrant_image: str = "qdrant/qdrant:v1.13.4-unprivileged"


def compose_file(targets: Sequence[ComposeTarget]) -> dict[str, Any]:
    services: dict[str, Any] = {}
    volumes: dict[str, Any] = {}
    for target in targets:
        _add_target(target, services, volumes)
    return {"name": "llamastack-mesh", "services": services, "volumes": volumes}


def render_compose(targets: Sequence[ComposeTarget], header: str = "") -> str:
    data = compose_file(targets)
    return header + yaml.dump(data, Dumper=_NoAliases, sort_keys=False, width=100)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    """Lists of plain values on one line (`command: [inference]`), others as blocks."""
    flow = all(isinstance(v, str | int | float | bool) for v in value)
    flow = flow and sum(len(str(v)) + 2 for v in value) < 72
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_NoAliases.add_representer(list, _list)


def _add_target(target: ComposeTarget, services: dict[str, Any], volumes: dict[str, Any]) -> None:
    topo, profile = target.topology, target.profile

    def host(name: str) -> str:
        return f"{profile}-{name.replace('_', '-')}"

    state = f"{profile}-state"
    volumes[state] = {}
    infra_env: dict[str, Any] = {}
    infra_deps: dict[str, Any] = {}
    if topo.uses_redis:
        volumes[f"{profile}-redis"] = {}
        services[host("redis")] = _redis(target, profile)
        infra_deps[host("redis")] = {"condition": "service_healthy"}
        if topo.redis_url_env:
            infra_env[topo.redis_url_env] = f"redis://{host('redis')}:6379/0"
    if topo.uses_qdrant:
        volumes[f"{profile}-qdrant"] = {}
        services[host("qdrant")] = _qdrant(target, profile)
        if topo.qdrant_url_env:
            infra_env[topo.qdrant_url_env] = f"http://{host('qdrant')}:6333"
    passthrough = {name: None for name in topo.passthrough_env if name not in infra_env}
    gateway_addr = f"{host('gateway')}:{topo.gateway.port}"
    # Every process exports its spans and metrics to the telemetry service, when there is one.
    telemetry = {
        c.addr_env: f"{host(c.name)}:{c.port}" for c in topo.services if c.api == "telemetry"
    }
    run_yaml = f"{target.run_config}:{RUN_CONFIG_PATH}:ro"

    for comp in topo.components:
        env: dict[str, Any] = {
            "LLS_SERVICE_NAME": comp.name,
            "LLS_LOG_LEVEL": "${LLS_LOG_LEVEL:-INFO}",
            "LLS_GATEWAY_ADDR": gateway_addr,
            "LLS_RUN_CONFIG": RUN_CONFIG_PATH,
            **telemetry,
        }
        svc: dict[str, Any] = {
            "image": IMAGE,
            "build": {"context": "."},
            "profiles": [profile],
            "command": [comp.name],
            "environment": env,
            "read_only": True,
            "tmpfs": ["/tmp"],
            "restart": "unless-stopped",
            "stop_grace_period": "30s",
        }
        if comp.role == "envoy":
            svc["volumes"] = [run_yaml]
            svc["ports"] = [f"{comp.port}:{comp.port}"]
            svc["depends_on"] = {host("gateway"): {"condition": "service_healthy"}}
            svc["healthcheck"] = _health(
                [*PROBE, "http", f"http://127.0.0.1:{ENVOY_HEALTH_PORT}/ready"], start="30s"
            )
        else:
            env["LLS_GRPC_PORT"] = str(comp.port)
            env["LLS_STATE_DIR"] = STATE_DIR
            env.update(infra_env)
            env.update(passthrough)
            svc["volumes"] = [run_yaml, f"{state}:{STATE_DIR}"]
            svc["expose"] = [str(comp.port)]
            svc["healthcheck"] = _grpc_health(comp)
            if comp.role == "gateway":
                for other in topo.services:
                    env[other.addr_env] = f"{host(other.name)}:{other.port}"
                svc["ports"] = [f"{comp.port}:{comp.port}"]
                deps = {host(o.name): {"condition": "service_started"} for o in topo.services}
                svc["depends_on"] = {**infra_deps, **deps}
            elif infra_deps:
                svc["depends_on"] = dict(infra_deps)
        services[host(comp.name)] = svc


def _grpc_health(comp: Component) -> dict[str, Any]:
    # Models load after the process listens: allow five minutes before failures count.
    test = [*PROBE, "grpc", f"127.0.0.1:{comp.port}", "--service", READINESS]
    return _health(test, start="300s")


def _health(test: list[str], start: str) -> dict[str, Any]:
    return {
        "test": ["CMD", *test],
        "interval": "10s",
        "timeout": "5s",
        "retries": 3,
        "start_period": start,
        "start_interval": "2s",
    }


def _redis(target: ComposeTarget, profile: str) -> dict[str, Any]:
    return {
        "image": target.redis_image,
        "profiles": [profile],
        "command": ["redis-server", "--appendonly", "yes", "--save", ""],
        "volumes": [f"{profile}-redis:/data"],
        "healthcheck": {
            "test": ["CMD", "redis-cli", "ping"],
            "interval": "5s",
            "timeout": "3s",
            "retries": 5,
        },
        "restart": "unless-stopped",
    }


def _qdrant(target: ComposeTarget, profile: str) -> dict[str, Any]:
    return {
        "image": target.qdrant_image,
        "profiles": [profile],
        "volumes": [f"{profile}-qdrant:/qdrant/storage"],
        "healthcheck": {
            # The image has bash but no HTTP client: a TCP connect to the REST port.
            "test": ["CMD", "bash", "-c", ":> /dev/tcp/127.0.0.1/6333"],
            "interval": "5s",
            "timeout": "3s",
            "retries": 10,
        },
        "restart": "unless-stopped",
    }
