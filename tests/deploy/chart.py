"""Render the chart with the Helm SDK (helm-python-sdk: lint and render, no helm binary, no
cluster) and pick the rendered objects apart."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from deploy.local.spec import REPO
from deploy.packaging.sync import CHART

__all__ = [
    "CASES",
    "KUBE_VERSIONS",
    "RELEASE",
    "Rendered",
    "lint",
    "render",
    "render_case",
    "strip",
    "values_for",
]

RELEASE = "lls"
NAMESPACE = "llamastack"
#: The newest Kubernetes the validator knows, and the oldest the chart supports (kubeVersion).
KUBE_VERSIONS = ("1.37.0", "1.27.0")

#: Values of every install the tests render: (values file, --set overrides). vllm needs the
#: two values the README's install command passes.
_VLLM_SET = {
    "vllm": {"url": "http://vllm.gpu.svc:8000/v1"},
    "env": {"INFERENCE_MODEL": "meta-llama/Llama-3.2-3B-Instruct"},
}
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "local": ("values-local.yaml", {}),
    "vllm": ("values-vllm.yaml", _VLLM_SET),
    # Every optional object on: the GPU Deployment, Ingress, secrets, persistence off Redis.
    "vllm-everything": (
        "values-vllm.yaml",
        {
            "vllm": {"deploy": {"enabled": True, "model": "meta-llama/Llama-3.2-3B-Instruct"}},
            "ingress": {
                "enabled": True,
                "className": "nginx",
                "tls": [{"hosts": ["llamastack.local"], "secretName": "lls-tls"}],
            },
            "secretEnv": {"existingSecret": "lls-api-keys"},
            "meshAuth": {"existingSecret": "lls-mesh-auth", "mtls": True},
            "components": {"envoy": {"service": {"type": "LoadBalancer"}}},
        },
    ),
    # The chart's own mesh Secret with a generated CA and certificate.
    "local-mtls": ("values-local.yaml", {"meshAuth": {"mtls": True}, "auth": {"enabled": False}}),
    "local-persistent": (
        "values-local.yaml",
        {
            "components": {"gateway": {"persistence": {"enabled": True}}},
            "networkPolicy": {"enabled": False},
            "tests": {"enabled": False},
        },
    ),
}


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def api_components(distribution: str) -> set[str]:
    """The component labels of a distribution's API services (its run.yaml's services but the
    gateway; Kubernetes names use '-' where run.yaml names use '_')."""
    path = REPO / "deploy" / "distributions" / distribution / "run.yaml"
    services = yaml.safe_load(path.read_text())["services"]
    return {name.replace("_", "-") for name in services if name not in ("gateway", "envoy")}


def values_for(case: str) -> dict[str, Any]:
    file, overrides = CASES[case]
    return deep_merge(yaml.safe_load((CHART / file).read_text()), overrides)


def lint(values: dict[str, Any], kube_version: str = KUBE_VERSIONS[0]) -> dict[str, Any]:
    import helm_python

    return helm_python.lint(
        str(CHART), values, strict=True, namespace=NAMESPACE, kube_version=f"v{kube_version}"
    )


@dataclass
class Rendered:
    files: dict[str, str]
    docs: list[dict[str, Any]]

    def kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> dict[str, Any]:
        for d in self.kind(kind):
            if d["metadata"]["name"] == name:
                return d
        names = [d["metadata"]["name"] for d in self.kind(kind)]
        raise KeyError(f"no {kind} {name!r} (rendered: {names})")

    @property
    def tests(self) -> list[dict[str, Any]]:
        return [d for d in self.docs if d.get("_source", "").startswith(_TESTS)]

    def component_name(self, name: str) -> str:
        return f"{RELEASE}-llamastack-{name.replace('_', '-')}"


_TESTS = "llamastack/templates/tests/"


def render(values: dict[str, Any], chart: Path = CHART) -> Rendered:
    import helm_python

    loaded = helm_python.Chart.load(str(chart))
    try:
        files = loaded.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    finally:
        loaded.close()
    docs = []
    for path, text in sorted(files.items()):
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                doc["_source"] = path
                docs.append(doc)
    return Rendered(files=files, docs=docs)


@cache
def render_case(case: str) -> Rendered:
    return render(values_for(case))


def strip(doc: dict[str, Any]) -> dict[str, Any]:
    """The object as Kubernetes gets it (without our bookkeeping key)."""
    return {k: v for k, v in doc.items() if k != "_source"}
