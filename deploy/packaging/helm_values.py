"""The Helm chart's values for a run.yaml: `helm/llamastack/values-<distribution>.yaml`.

Everything distribution-specific the chart needs comes from the run.yaml: its text (the
ConfigMap every pod mounts), one `components` entry per API service (name, API, port), the
gateway's port and scaling (replicas + HPA + PDB only on a shared Redis registry; SQLite is one
file, so one replica), Envoy's REST port, the infrastructure its providers name (Redis, Qdrant,
vLLM, and the variables that carry their URLs), and the variables it cannot load without.
Chart-wide defaults (image, resources, security, probes) stay in `values.yaml`.
"""

from __future__ import annotations

from typing import Any

import yaml

from deploy.local.spec import REPO
from deploy.packaging.envoy import GATEWAY_HOST_PLACEHOLDER, render_container_config
from deploy.packaging.model import Topology

__all__ = ["INLINE_MODEL_RESOURCES", "dump_yaml", "helm_values", "render_helm_values"]

#: A service that loads models in-process (llama.cpp, sentence-transformers with torch).
INLINE_MODEL_RESOURCES = {
    "requests": {"cpu": "1", "memory": "1Gi"},
    "limits": {"memory": "3Gi"},
}


def helm_values(topo: Topology, *, chart_envoy_config: str | None = None) -> dict[str, Any]:
    """Values for the chart. `chart_envoy_config` is the chart's shipped Envoy config: when the
    run.yaml's `server:` section or gateway port render differently, the values carry their own."""
    gateway: dict[str, Any] = {"port": topo.gateway.port}
    if topo.uses_redis:
        gateway.update(
            replicas=2,
            autoscaling={"enabled": True},
            pdb={"enabled": True},
        )
    envoy: dict[str, Any] = {"port": topo.envoy.port}
    if chart_envoy_config is not None:
        own = render_container_config(
            topo.server, f"{GATEWAY_HOST_PLACEHOLDER}:{topo.gateway.port}"
        )
        if own != chart_envoy_config:
            envoy["config"] = own
    components: dict[str, Any] = {"gateway": gateway, "envoy": envoy}
    for svc in topo.services:
        entry: dict[str, Any] = {"role": "service", "api": svc.api, "port": svc.port}
        if svc.name in topo.inline_model_services:
            entry["resources"] = INLINE_MODEL_RESOURCES
        components[svc.name] = entry
    values: dict[str, Any] = {
        "distribution": topo.name,
        "runConfig": topo.text,
        "requiredEnv": topo.required_env,
        "components": components,
    }
    if topo.uses_redis:
        values["redis"] = {"enabled": True, "urlEnv": topo.redis_url_env or ""}
    if topo.uses_qdrant:
        values["qdrant"] = {"enabled": True, "urlEnv": topo.qdrant_url_env or ""}
    if topo.uses_vllm:
        values["vllm"] = {
            "urlEnv": topo.vllm_url_env or "",
            "modelEnv": topo.vllm_model_env or "",
        }
    return values


def render_helm_values(topo: Topology, *, chart_envoy_config: str | None = None) -> str:
    values = helm_values(topo, chart_envoy_config=chart_envoy_config)
    source = _display(topo)
    header = [
        f"# Helm values for the '{topo.name}' distribution, generated from {source}",
        f"# by `llamastack package values {topo.name}`. Regenerate instead of editing",
        "# (`llamastack package sync`; tests/deploy checks the file matches).",
        "#",
        f"#   helm install lls helm/llamastack -f helm/llamastack/values-{topo.name}.yaml"
        + "".join(f" \\\n#     --set {hint}" for hint in _set_hints(topo)),
        "#",
        "# Chart-wide settings (image, resources, probes, security) are in values.yaml.",
    ]
    return "\n".join(header) + "\n" + dump_yaml(values)


def _display(topo: Topology) -> str:
    if topo.source is None:
        return "its run.yaml"
    path = topo.source.resolve()
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def _set_hints(topo: Topology) -> list[str]:
    """The `--set` flags an install needs: the variables the run.yaml cannot load without."""
    return [
        "vllm.url=http://<vllm host>:8000/v1" if name == topo.vllm_url_env else f"env.{name}=..."
        for name in topo.required_env
    ]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """YAML with multi-line strings as literal blocks (readable run.yaml and Envoy config)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
