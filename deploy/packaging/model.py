"""What a distribution runs, read from its run.yaml: the processes (exactly those the local
launcher's `build_plan` starts, with their modules and ports), the infrastructure its providers
need, and the `${env.X}` variables it reads.

The compose file, the Helm values and the image's entrypoint are all built from a `Topology`,
so they cannot disagree with `llamastack run` about what runs where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from deploy.local.spec import ENVOY_ADMIN_PORT, LaunchOptions, build_plan
from services.common.config import RunConfig, ServerSpec, parse_run_config
from services.common.server import LIVENESS, READINESS  # the probes' gRPC health names

__all__ = [
    "CONFIG_DIR",
    "ENVOY_ADMIN_PORT",
    "ENVOY_HEALTH_PORT",
    "LIVENESS",
    "READINESS",
    "RUN_CONFIG_PATH",
    "STATE_DIR",
    "Component",
    "EnvRef",
    "Topology",
    "load_topology",
    "topology_from_text",
]

#: Where the containers find their files (the image's defaults, mounted by compose and Helm).
CONFIG_DIR = "/etc/llamastack"
RUN_CONFIG_PATH = f"{CONFIG_DIR}/run.yaml"
#: Writable state (SQLite registry, jobs): a volume.
STATE_DIR = "/var/lib/llamastack"
#: Envoy's probe listener: `/ready` proxied from its admin interface, which stays on 127.0.0.1.
ENVOY_HEALTH_PORT = 9902

_REF = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?:(:=|:\+)([^}]*))?\}")

Role = Literal["service", "gateway", "envoy"]


@dataclass(frozen=True)
class Component:
    """One process of the distribution, as a container."""

    #: The run.yaml's name (`inference`, `gateway`, `envoy`); lower_snake.
    name: str
    role: Role
    #: gRPC port (Envoy: its REST port).
    port: int
    #: The API an API service serves.
    api: str | None = None
    #: `python -m <module>` runs it (None for Envoy).
    module: str | None = None

    @property
    def addr_env(self) -> str:
        """The variable the gateway reads this service's address from."""
        return f"LLS_{self.name.upper()}_ADDR"


@dataclass(frozen=True)
class EnvRef:
    """A `${env.NAME...}` reference in the run.yaml."""

    name: str
    #: The `:=` default ("" when it is `${env.X:=}`); None when there is none.
    default: str | None
    #: `${env.X}` with no default: the run.yaml cannot load without it.
    required: bool
    #: Sections of the run.yaml that read it (`providers`, `services`, `server`, ...).
    sections: tuple[str, ...]


@dataclass
class Topology:
    name: str
    config: RunConfig
    #: The run.yaml as written (what compose mounts and the chart's ConfigMap holds).
    text: str
    source: Path | None
    components: list[Component]
    env: dict[str, EnvRef]
    #: Variables that carry infrastructure URLs (None when the run.yaml hard-codes them).
    redis_url_env: str | None = None
    qdrant_url_env: str | None = None
    vllm_url_env: str | None = None
    vllm_model_env: str | None = None
    uses_redis: bool = False
    uses_qdrant: bool = False
    uses_vllm: bool = False
    #: The vLLM provider is switched on only when its URL variable is set.
    vllm_optional: bool = False
    #: Service names whose providers load models in-process (they need more memory).
    inline_model_services: list[str] = field(default_factory=list)

    @property
    def services(self) -> list[Component]:
        return [c for c in self.components if c.role == "service"]

    @property
    def gateway(self) -> Component:
        return next(c for c in self.components if c.role == "gateway")

    @property
    def envoy(self) -> Component:
        return next(c for c in self.components if c.role == "envoy")

    @property
    def server(self) -> ServerSpec:
        return self.config.server

    def component(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.components)
        raise KeyError(f"{self.name} has no component {name!r} (it runs: {known})")

    @property
    def required_env(self) -> list[str]:
        return sorted(n for n, ref in self.env.items() if ref.required)

    @property
    def passthrough_env(self) -> list[str]:
        """Variables a deployment may set: every reference except the ports, which compose
        and the chart fix (a port changed behind their back would break the wiring)."""
        fixed = {"services", "server"}
        return sorted(n for n, ref in self.env.items() if not set(ref.sections) <= fixed)


def load_topology(path: str | Path) -> Topology:
    path = Path(path)
    return topology_from_text(path.read_text(), source=path)


def topology_from_text(text: str, source: Path | None = None) -> Topology:
    raw = yaml.safe_load(text) or {}
    refs = _env_refs(raw)
    # The defaults of every `${env...}`; required ones get a stand-in so the file loads.
    env = {n: f"<{n}>" for n, ref in refs.items() if ref.required}
    config = parse_run_config(raw, env)
    options = LaunchOptions(run_config=Path(RUN_CONFIG_PATH), state_dir=Path(STATE_DIR))
    options.envoy = False
    plan = build_plan(config, options)
    components: list[Component] = []
    for spec in plan.processes:
        module = spec.argv[spec.argv.index("-m") + 1]
        if spec.name == "gateway":
            components.append(Component("gateway", "gateway", spec.port, module=module))
        else:
            api = config.api_of(spec.name)
            components.append(Component(spec.name, "service", spec.port, api=api, module=module))
    components.append(Component("envoy", "envoy", config.server.port))
    topo = Topology(
        name=config.image_name,
        config=config,
        text=text,
        source=source,
        components=components,
        env=refs,
    )
    _infrastructure(topo, raw)
    return topo


def _infrastructure(topo: Topology, raw: dict[str, Any]) -> None:
    config = topo.config
    topo.uses_redis = config.metadata_store.type == "redis"
    topo.redis_url_env = _first_ref((raw.get("metadata_store") or {}).get("url"))
    for specs in (raw.get("providers") or {}).values():
        for spec in specs or []:
            ptype = str(spec.get("provider_type", ""))
            url_env = _first_ref((spec.get("config") or {}).get("url"))
            if ptype == "remote::qdrant":
                topo.uses_qdrant, topo.qdrant_url_env = True, url_env
            elif ptype == "remote::vllm":
                topo.uses_vllm, topo.vllm_url_env = True, url_env
                pid = str(spec.get("provider_id", ""))
                topo.vllm_optional = ":+" in pid
                for model in raw.get("models") or []:
                    if str(model.get("provider_id")) == pid:
                        topo.vllm_model_env = _first_ref(model.get("model_id"))
    loaded = {s.provider_type for specs in config.providers.values() for s in specs}
    topo.uses_vllm = topo.uses_vllm and ("remote::vllm" in loaded or topo.vllm_optional)
    # A Qdrant server only for a remote::qdrant provider the run.yaml turns on by default.
    topo.uses_qdrant = topo.uses_qdrant and "remote::qdrant" in loaded
    for svc in topo.services:
        inline = (p.provider_type.startswith("inline::") for p in config.providers_of(svc.name))
        if svc.api == "inference" and any(inline):
            topo.inline_model_services.append(svc.name)


def _first_ref(value: Any) -> str | None:
    m = _REF.search(value) if isinstance(value, str) else None
    return m.group(1) if m else None


def _env_refs(raw: dict[str, Any]) -> dict[str, EnvRef]:
    found: dict[str, tuple[str | None, bool, set[str]]] = {}

    def walk(value: Any, section: str) -> None:
        if isinstance(value, str):
            for m in _REF.finditer(value):
                name, op, arg = m.group(1), m.group(2), m.group(3) or ""
                default, required, sections = found.get(name, (None, False, set()))
                if op == ":=":
                    default = arg if default is None else default
                required = required or op is None
                found[name] = (default, required, sections | {section})
        elif isinstance(value, list):
            for v in value:
                walk(v, section)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v, section)

    for key, value in raw.items():
        walk(value, str(key))
    return {
        name: EnvRef(name, default, required and default is None, tuple(sorted(sections)))
        for name, (default, required, sections) in sorted(found.items())
    }
