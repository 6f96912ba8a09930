"""Telemetry in the packaged distributions: every container knows where the telemetry
service is, the network policy lets every pod of the release export to it, and Envoy's
container config traces when it can reach it."""

from __future__ import annotations

import yaml

from deploy.packaging import entrypoint
from deploy.packaging.sync import COMPOSE_FILE
from tests.deploy.chart import render_case
from tests.support.processes import REPO


def test_every_compose_container_exports_to_the_telemetry_service():
    compose = yaml.safe_load((REPO / COMPOSE_FILE).read_text())
    for name, service in compose["services"].items():
        if name.startswith("local-") and name not in ("local-redis", "local-qdrant"):
            env = service.get("environment", {})
            assert env.get("LLS_TELEMETRY_ADDR") == "local-telemetry:50068", name


def test_every_pod_exports_to_the_telemetry_service_and_may_reach_it():
    rendered = render_case("vllm")
    for item in rendered.kind("Deployment"):
        container = item["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        if "LLS_SERVICE_NAME" in env:
            assert env["LLS_TELEMETRY_ADDR"] == "lls-llamastack-telemetry:50068", item["metadata"]
    policy = rendered.get("NetworkPolicy", rendered.component_name("telemetry"))
    sources = [p["podSelector"]["matchLabels"] for p in policy["spec"]["ingress"][0]["from"]]
    assert {"app.kubernetes.io/name": "llamastack", "app.kubernetes.io/instance": "lls"} in sources


def test_the_envoy_container_traces_to_the_telemetry_service(monkeypatch):
    monkeypatch.setenv("LLS_RUN_CONFIG", str(REPO / "deploy/distributions/local/run.yaml"))
    monkeypatch.setenv("LLS_TELEMETRY_ADDR", "local-telemetry:50068")
    monkeypatch.delenv("LLS_MESH_TOKEN", raising=False)
    config = yaml.safe_load(entrypoint._render_envoy())
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    address = clusters["otlp_collector"]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]
    assert address["endpoint"]["address"]["socket_address"] == {
        "address": "local-telemetry",
        "port_value": 50068,
    }
