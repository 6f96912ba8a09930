"""`helm/llamastack/values.schema.json`, generated from `values.yaml` (never written by hand).

Types come from the defaults in values.yaml; every object is closed (`additionalProperties:
false`, so a misspelt key fails `helm install` instead of being ignored) except the free-form
Kubernetes fragments listed in FREE_FORM. `components` maps any name to one component schema:
the union of the gateway's and Envoy's settings, the API service fields and every `defaults` key.
"""

from __future__ import annotations

import copy
import fnmatch
import json
from typing import Any

__all__ = ["FREE_FORM", "render_values_schema", "values_schema"]

#: Paths (dot-separated, `*` = any key) whose value is passed to Kubernetes as is.
FREE_FORM = (
    "env",
    "*.env",
    "*.resources",
    "*.*.resources",
    "*.podAnnotations",
    "*.podLabels",
    "*.nodeSelector",
    "*.*.nodeSelector",
    "*.affinity",
    "*.securityContext",
    "*.podSecurityContext",
    "*.annotations",
    "*.probes.*",
)
#: Item schemas of lists whose default is empty.
ITEMS: dict[str, dict[str, Any]] = {
    "requiredEnv": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    "vllm.deploy.args": {"type": "string"},
}
#: Extra constraints on single keys.
CONSTRAINTS: dict[str, dict[str, Any]] = {
    "logLevel": {"enum": ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]},
    "image.pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
    "components.*.role": {"enum": ["gateway", "envoy", "service"]},
    "components.*.service.type": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
    "components.*.port": {"minimum": 1, "maximum": 65535},
    "components.*.replicas": {"minimum": 0},
}
#: Keys an API service entry has that the gateway and Envoy defaults do not show.
SERVICE_FIELDS: dict[str, Any] = {"api": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}}


def values_schema(values: dict[str, Any]) -> dict[str, Any]:
    values = copy.deepcopy(values)
    components = values.pop("components", {})
    schema = _infer(values, "")
    # One schema for every component: the gateway's and Envoy's settings, merged, plus the
    # service fields and the defaults (a component may override any of them).
    merged: dict[str, Any] = {}
    for entry in components.values():
        _deep_merge(merged, entry)
    _deep_merge(merged, values.get("defaults", {}))
    component = _infer(merged, "components.*")
    component["properties"].update(SERVICE_FIELDS)
    component["required"] = ["port"]
    schema["properties"]["components"] = {
        "type": "object",
        "description": "One entry per process: gateway, envoy, and the run.yaml's API services.",
        "required": ["gateway", "envoy"],
        "additionalProperties": {"$ref": "#/definitions/component"},
    }
    schema["$schema"] = "https://json-schema.org/draft-07/schema#"
    schema["definitions"] = {"component": component}
    schema["title"] = "Llama Stack Mesh chart values"
    order = ("$schema", "title", "type", "properties", "additionalProperties", "definitions")
    return {k: schema[k] for k in order}


def render_values_schema(values: dict[str, Any]) -> str:
    return json.dumps(values_schema(values), indent=2) + "\n"


def _free(path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in FREE_FORM)


def _infer(value: Any, path: str) -> dict[str, Any]:
    if _free(path):
        return {"type": "object"} if isinstance(value, dict) else {}
    out: dict[str, Any]
    if isinstance(value, dict):
        props = {k: _infer(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        out = {"type": "object", "properties": props, "additionalProperties": False}
    elif isinstance(value, list):
        items = ITEMS.get(path)
        if items is None:
            items = _infer(value[0], f"{path}[]") if value else {"type": "object"}
        out = {"type": "array", "items": items}
    elif isinstance(value, bool):
        out = {"type": "boolean"}
    elif isinstance(value, int):
        out = {"type": "integer"}
    elif isinstance(value, float):
        out = {"type": "number"}
    elif value is None:
        out = {}
    else:
        out = {"type": "string"}
    for pattern, extra in CONSTRAINTS.items():
        if fnmatch.fnmatchcase(path, pattern):
            out.update(extra)
    return out


def _deep_merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        elif key not in into:
            into[key] = copy.deepcopy(value)
