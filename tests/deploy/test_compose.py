"""docker-compose.yml: valid under the Compose Specification (the `compose-spec` package, a
strict implementation of the spec: unknown keys and wrong types fail) after the variable
interpolation compose does first, and consistent with every distribution's run.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.packaging.compose import render_compose
from deploy.packaging.model import (
    ENVOY_HEALTH_PORT,
    READINESS,
    RUN_CONFIG_PATH,
    Topology,
    load_topology,
    topology_from_text,
)
from deploy.packaging.sync import COMPOSE_FILE, COMPOSE_PROFILES, compose_targets, distributions
from tests.deploy.test_wiring import EXTENDED

REPO = COMPOSE_FILE.parent

_VAR = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$`)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group("braced") or m.group("bare")
        op, arg = m.group("op") or "", m.group("arg") or ""
        current = env.get(name)
        unset_or_empty = not current if op.startswith(":") else current is None
        if op.endswith("-"):
            return arg if unset_or_empty else current
        if op.endswith("?"):
            if unset_or_empty:
                raise ValueError(f"required variable {name}: {arg}")
            return current
        if op.endswith("+"):
            return "" if unset_or_empty else arg
        return current or ""

    return _VAR.sub(repl, value)


def validate_compose(
    data: dict[str, Any], env: dict[str, str] | None = None, base_dir: Path = REPO
) -> None:
    """What `docker compose config` checks: interpolation, the spec, then references."""
    import compose_spec

    resolved = interpolate(data, env or {})
    project = compose_spec.PyCompose.from_yaml(yaml.safe_dump(resolved))
    project.validate()
    services = resolved["services"]
    volumes = set(resolved.get("volumes") or {})
    for name, svc in services.items():
        for dep in svc.get("depends_on") or {}:
            assert dep in services, f"{name} depends on {dep}, which is not a service"
            assert set(svc["profiles"]) <= set(services[dep].get("profiles", svc["profiles"]))
        for mount in svc.get("volumes") or []:
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name} mounts undeclared volume {source}"
            elif source.startswith("."):
                assert (base_dir / source).exists(), f"{name} mounts missing {source}"


def _load() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_compose_file_is_valid_compose():
    validate_compose(_load())


def test_validator_rejects_what_compose_rejects():
    data = _load()
    name = next(iter(data["services"]))
    data["services"][name]["healtcheck"] = data["services"][name].pop("healthcheck")
    with pytest.raises(ValueError, match="healtcheck"):
        validate_compose(data)
    data = _load()
    data["services"][name]["expose"] = [{"port": 1}]
    with pytest.raises(ValueError, match="expose"):
        validate_compose(data)


def check_profile(data: dict[str, Any], topo: Topology, profile: str, run_yaml: str) -> None:
    services = {k: v for k, v in data["services"].items() if profile in v["profiles"]}

    def host(name: str) -> str:
        return f"{profile}-{name.replace('_', '-')}"

    expected = {host(c.name) for c in topo.components}
    if topo.uses_redis:
        expected.add(host("redis"))
    if topo.uses_qdrant:
        expected.add(host("qdrant"))
    assert set(services) == expected
    gateway_addr = f"{host('gateway')}:{topo.gateway.port}"
    for comp in topo.components:
        svc = services[host(comp.name)]
        env = svc["environment"]
        assert svc["command"] == [comp.name]
        assert env["LLS_SERVICE_NAME"] == comp.name
        assert env["LLS_GATEWAY_ADDR"] == gateway_addr
        assert env["LLS_RUN_CONFIG"] == RUN_CONFIG_PATH
        assert f"{run_yaml}:{RUN_CONFIG_PATH}:ro" in svc["volumes"]
        assert svc["read_only"] is True
        test = svc["healthcheck"]["test"]
        if comp.role == "envoy":
            assert svc["ports"] == [f"{topo.server.port}:{topo.server.port}"]
            assert test[-1] == f"http://127.0.0.1:{ENVOY_HEALTH_PORT}/ready"
            assert svc["depends_on"] == {host("gateway"): {"condition": "service_healthy"}}
            continue
        assert env["LLS_GRPC_PORT"] == str(comp.port)
        assert svc["expose"] == [str(comp.port)]
        assert test[-4:] == ["grpc", f"127.0.0.1:{comp.port}", "--service", READINESS]
        # Every variable the run.yaml reads (ports aside) reaches the process.
        assert set(topo.passthrough_env) <= set(env)
        if topo.uses_redis and topo.redis_url_env:
            assert env[topo.redis_url_env] == f"redis://{host('redis')}:6379/0"
        if topo.uses_qdrant and topo.qdrant_url_env:
            assert env[topo.qdrant_url_env] == f"http://{host('qdrant')}:6333"
    gateway = services[host("gateway")]
    addrs = {k: v for k, v in gateway["environment"].items() if k.endswith("_ADDR")}
    addrs.pop("LLS_GATEWAY_ADDR")
    assert addrs == {s.addr_env: f"{host(s.name)}:{s.port}" for s in topo.services}
    assert gateway["ports"] == [f"{topo.gateway.port}:{topo.gateway.port}"]
    assert set(gateway["depends_on"]) >= {host(s.name) for s in topo.services}


@pytest.mark.parametrize("path", distributions(), ids=lambda p: p.parent.name)
def test_compose_matches_every_run_yaml(path: Path):
    topo = load_topology(path)
    profile = COMPOSE_PROFILES.get(topo.name, topo.name)
    run_yaml = "./" + path.relative_to(REPO).as_posix()
    check_profile(_load(), topo, profile, run_yaml)


def test_cluster_profile_has_redis_qdrant_and_an_external_vllm():
    data = _load()
    cluster = {k for k, v in data["services"].items() if "cluster" in v["profiles"]}
    assert {"cluster-redis", "cluster-qdrant"} <= cluster
    assert not any("vllm" in name for name in cluster)
    # VLLM_URL comes from the shell running compose (unset stays unset).
    assert data["services"]["cluster-inference"]["environment"]["VLLM_URL"] is None


def test_local_profile_keeps_sqlite_on_a_shared_volume():
    data = _load()
    for name in ("local-gateway", "local-inference"):
        assert "local-state:/var/lib/llamastack" in data["services"][name]["volumes"]
    assert "local-state" in data["volumes"]


def test_compose_for_a_new_run_yaml(tmp_path: Path):
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(EXTENDED)
    topo = topology_from_text(EXTENDED, source=run_yaml)
    text = render_compose(compose_targets([topo], base_dir=tmp_path, profiles={}))
    data = yaml.safe_load(text)
    validate_compose(data, base_dir=tmp_path)
    check_profile(data, topo, "extended", "./run.yaml")
