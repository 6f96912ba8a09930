"""The rendered chart wires exactly what the run.yaml declares: one Deployment and Service per
process, the ports of the run.yaml everywhere (container, probes, Service, env), the gateway told
where every service is (`LLS_<SERVICE>_ADDR`), Envoy pointed at the gateway. Checked for every
distribution and for a run.yaml with services the repository does not have yet: a service added
to a run.yaml joins the chart with no template change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from deploy.packaging.helm_values import helm_values
from deploy.packaging.model import ENVOY_HEALTH_PORT, Topology, load_topology, topology_from_text
from deploy.packaging.sync import CHART, chart_envoy_config
from tests.deploy.chart import CASES, Rendered, render, render_case

REPO = CHART.parents[1]

#: A run.yaml with more services than the repository runs today, one of them lower_snake.
EXTENDED = """\
version: 2
image_name: extended
apis: [inference, safety]
providers:
  inference:
    - provider_id: llama-cpp
      provider_type: inline::llama-cpp
      config: {}
    - provider_id: sentence-transformers
      provider_type: inline::sentence-transformers
      config: {}
  safety: []
services:
  gateway: {port: 50051}
  inference: {providers: [llama-cpp]}
  inference_embed: {api: inference, providers: [sentence-transformers], port: 50070}
  safety: {}
server: {port: 8080}
"""


def _topology(case: str) -> Topology:
    file, _ = CASES[case]
    name = file.removeprefix("values-").removesuffix(".yaml")
    return load_topology(REPO / "deploy" / "distributions" / name / "run.yaml")


def _env(container: dict) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container["env"]}


def _container(rendered: Rendered, name: str) -> dict:
    dep = rendered.get("Deployment", rendered.component_name(name))
    return dep["spec"]["template"]["spec"]["containers"][0]


def check_wiring(rendered: Rendered, topo: Topology) -> None:
    mesh = {
        d["metadata"]["name"]
        for d in rendered.kind("Deployment")
        if d["metadata"]["labels"]["app.kubernetes.io/component"] != "vllm"
    }
    assert mesh == {rendered.component_name(c.name) for c in topo.components}

    gateway_addr = f"{rendered.component_name('gateway')}:{topo.gateway.port}"
    for comp in topo.components:
        dep = rendered.get("Deployment", rendered.component_name(comp.name))
        pod = dep["spec"]["template"]
        c = pod["spec"]["containers"][0]
        env = _env(c)
        assert c["args"] == [comp.name]
        assert env["LLS_SERVICE_NAME"] == comp.name
        assert env["LLS_GATEWAY_ADDR"] == gateway_addr
        svc = rendered.get("Service", rendered.component_name(comp.name))
        assert svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        svc_ports = {p["name"]: p for p in svc["spec"]["ports"]}
        if comp.role == "envoy":
            assert ports == {"http": topo.server.port, "probe": ENVOY_HEALTH_PORT}
            assert svc_ports["http"]["targetPort"] == "http"
            continue
        # An mTLS service answers health checks in plaintext on its port + 1000.
        health = comp.port + 1000 if "LLS_MESH_HEALTH_PORT" in env else comp.port
        assert ports == ({"grpc": comp.port} if health == comp.port
                         else {"grpc": comp.port, "health": health})  # fmt: skip
        assert env["LLS_GRPC_PORT"] == str(comp.port)
        assert c["readinessProbe"]["grpc"]["port"] == health
        assert svc_ports["grpc"]["port"] == comp.port
        assert svc_ports["grpc"]["targetPort"] == "grpc"
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
        assert mounts[env["LLS_RUN_CONFIG"]]["subPath"] == "run.yaml"

    # The gateway reaches every API service, and only those, through its Service.
    gw_env = _env(_container(rendered, "gateway"))
    addrs = {k: v for k, v in gw_env.items() if k.endswith("_ADDR") and k != "LLS_GATEWAY_ADDR"}
    assert addrs == {
        s.addr_env: f"{rendered.component_name(s.name)}:{s.port}" for s in topo.services
    }

    config = rendered.get("ConfigMap", "lls-llamastack-config")
    assert config["data"]["run.yaml"] == topo.text

    envoy = yaml.safe_load(rendered.get("ConfigMap", "lls-llamastack-envoy")["data"]["envoy.yaml"])
    listeners = {
        listener["name"]: listener["address"]["socket_address"]["port_value"]
        for listener in envoy["static_resources"]["listeners"]
    }
    assert listeners == {"llamastack": topo.server.port, "probe": ENVOY_HEALTH_PORT}
    cluster = next(c for c in envoy["static_resources"]["clusters"] if c["name"] == "gateway")
    endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    headless = f"{rendered.component_name('gateway')}-headless"
    assert endpoint["address"]["socket_address"] == {
        "address": headless,
        "port_value": topo.gateway.port,
    }
    assert cluster["type"] == "STRICT_DNS"
    assert rendered.get("Service", headless)["spec"]["clusterIP"] == "None"

    tests = rendered.tests
    if tests:
        args = tests[0]["spec"]["containers"][0]["args"]
        checks = dict(args[i + 1].split("=") for i, a in enumerate(args) if a == "--check")
        mtls = "LLS_MESH_HEALTH_PORT" in _env(_container(rendered, topo.services[0].name))
        shift = {"service": 1000 if mtls else 0}  # mTLS services: their plaintext health port
        expected = {
            c.name: f"{rendered.component_name(c.name)}:{c.port + shift.get(c.role, 0)}"
            for c in topo.components
            if c.role != "envoy"
        }
        assert checks == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_chart_matches_the_run_yaml(case):
    check_wiring(render_case(case), _topology(case))


def test_a_service_added_to_the_run_yaml_joins_without_chart_changes(tmp_path: Path):
    topo = topology_from_text(EXTENDED, source=tmp_path / "run.yaml")
    assert [c.name for c in topo.services] == ["inference", "inference_embed", "safety"]
    values = helm_values(topo, chart_envoy_config=chart_envoy_config())
    # server.port differs from the chart's config: the values carry Envoy's own.
    assert "config" in values["components"]["envoy"]
    rendered = render(values)
    check_wiring(rendered, topo)
    # Names are DNS-safe; the variable keeps the run.yaml's name.
    gw_env = _env(_container(rendered, "gateway"))
    assert gw_env["LLS_INFERENCE_EMBED_ADDR"] == "lls-llamastack-inference-embed:50070"
    assert gw_env["LLS_SAFETY_ADDR"] == "lls-llamastack-safety:50062"


def test_removing_a_service_from_the_run_yaml_removes_it_from_the_chart(tmp_path: Path):
    text = EXTENDED.replace("  safety: {}\n", "")
    topo = topology_from_text(text, source=tmp_path / "run.yaml")
    rendered = render(helm_values(topo, chart_envoy_config=chart_envoy_config()))
    check_wiring(rendered, topo)
    assert not [d for d in rendered.docs if "safety" in d["metadata"]["name"]]


def test_topology_is_the_launchers_plan():
    """Modules and ports come from deploy.local.spec.build_plan, not a second derivation."""
    from deploy.local.spec import LaunchOptions, build_plan

    for path in sorted((REPO / "deploy" / "distributions").glob("*/run.yaml")):
        topo = load_topology(path)
        plan = build_plan(topo.config, LaunchOptions(run_config=path, state_dir=Path("/x")))
        for spec in plan.processes:
            if spec.kind != "grpc":
                continue
            comp = topo.component(spec.name)
            assert spec.argv[-2:] == ["-m", comp.module]
            assert spec.port == comp.port
        assert topo.envoy.port == topo.config.server.port
