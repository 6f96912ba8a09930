"""The distribution's run.yaml (Llama Stack v2 format plus the services it runs).

Strings may use Llama Stack's substitutions: `${env.VAR}` (required), `${env.VAR:=default}`
and `${env.VAR:+value}` (value when VAR is set and not empty, else empty). Providers and
declared resources whose `provider_id` ends up empty or `__disabled__` are dropped, which is
how `${env.X:+provider}` switches a provider on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.common.kinds import KINDS
from services.common.security.config import AuthConfig, QuotaConfig
from services.common.settings import DEFAULT_PORTS, env_snapshot
from services.common.telemetry.config import TelemetryConfig

__all__ = [
    "ConfigError",
    "ProviderSpec",
    "RegistryStoreConfig",
    "RunConfig",
    "ServiceSpec",
    "load_run_config",
    "parse_run_config",
    "substitute",
]

_DISABLED = {"", "__disabled__"}
_REF = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?:(:=|:\+)([^}]*))?\}")
#: Sections of declared resources, one per resource kind (`services.common.kinds`).
RESOURCE_SECTIONS = tuple(k.section for k in KINDS)


class ConfigError(ValueError):
    """The run.yaml is invalid; the message says where and why."""


def substitute(value: Any, env: Mapping[str, str]) -> Any:
    """Apply `${env...}` substitutions to every string inside `value`."""
    if isinstance(value, str):
        return _substitute_str(value, env)
    if isinstance(value, list):
        return [substitute(v, env) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, env) for k, v in value.items()}
    return value


def _substitute_str(text: str, env: Mapping[str, str]) -> Any:
    def repl(m: re.Match[str]) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3) or ""
        current = env.get(name, "")
        if op == ":=":
            return current or arg
        if op == ":+":
            return arg if current else ""
        if name not in env:
            raise ConfigError(
                f"environment variable {name} is required by the run config "
                f"(use ${{env.{name}:=default}} to give a default)"
            )
        return current

    out = _REF.sub(repl, text)
    # A value that was only a reference keeps YAML's typing: "8321" -> 8321, "true" -> True.
    if out != text and _REF.fullmatch(text.strip()):
        loaded = yaml.safe_load(out) if out else None
        if isinstance(loaded, bool | int | float) or loaded is None:
            return loaded if loaded is not None else ""
    return out


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProviderSpec(_Model):
    provider_id: str
    provider_type: str
    config: dict[str, Any] = Field(default_factory=dict)
    module: str | None = None


class RegistryStoreConfig(_Model):
    """Where the gateway keeps the registry (the reference's `metadata_store`)."""

    type: Literal["sqlite", "redis"] = "sqlite"
    #: SQLite file; defaults to `<state_dir>/<image_name>/registry.db`.
    db_path: str | None = None
    #: Redis URL, e.g. `redis://localhost:6379/0`.
    url: str | None = None
    #: Key prefix in Redis (several stacks can share one server).
    namespace: str = "llamastack"
    #: SQLite: how long a write waits for another writer's lock before it fails (UNAVAILABLE).
    busy_timeout_s: float = Field(default=30.0, gt=0)


class ServiceSpec(_Model):
    """One process of the distribution."""

    #: The API it serves; defaults to the service name.
    api: str | None = None
    port: int | None = None
    #: Provider ids it hosts; all providers of its API when omitted.
    providers: list[str] | None = None
    #: Processes sharing the port (SO_REUSEPORT). Only the gateway, which keeps no state in
    #: memory, may run more than one.
    workers: int = Field(default=1, ge=1, le=64)


class ServerSpec(_Model):
    port: int = DEFAULT_PORTS["envoy"]
    host: str = "0.0.0.0"
    cors: bool | dict[str, Any] = False
    #: Largest request body Envoy accepts, in bytes.
    max_request_bytes: int = 16 * 1024 * 1024
    #: Authentication and access control at the gateway; absent or `enabled: false`: off.
    auth: AuthConfig | None = None
    #: Request and token quotas per principal, counted in the state store.
    quota: QuotaConfig | None = None
    #: TLS on Envoy's public listener (PEM files); with tls_cafile, clients need a
    #: certificate signed by it.
    tls_certfile: str | None = None
    tls_keyfile: str | None = None
    tls_cafile: str | None = None

    @model_validator(mode="after")
    def _tls_pair(self) -> ServerSpec:
        if bool(self.tls_certfile) != bool(self.tls_keyfile):
            raise ValueError("server.tls_certfile and server.tls_keyfile go together")
        if self.tls_cafile and not self.tls_certfile:
            raise ValueError("server.tls_cafile needs server.tls_certfile and tls_keyfile")
        return self

    @property
    def auth_enabled(self) -> bool:
        return self.auth is not None and self.auth.enabled


class RunConfig(_Model):
    version: int = 2
    image_name: str = "local"
    apis: list[str] = Field(default_factory=list)
    providers: dict[str, list[ProviderSpec]] = Field(default_factory=dict)
    metadata_store: RegistryStoreConfig = Field(default_factory=RegistryStoreConfig)
    services: dict[str, ServiceSpec] = Field(default_factory=dict)
    server: ServerSpec = Field(default_factory=ServerSpec)
    #: Traces and metrics of every process (`services.common.telemetry`).
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig)
    #: Declared resources by run.yaml section (`models`, `shields`...: RESOURCE_SECTIONS),
    #: written at the top level of the file as in the reference.
    declared: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    #: Free-form sections of the reference we accept but do not use yet.
    logging: dict[str, Any] | None = None
    external_providers_dir: str | None = None
    inference_store: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _collect_sections(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            data = dict(data)
            data["declared"] = {s: list(data.pop(s, None) or []) for s in RESOURCE_SECTIONS}
        return data

    def resources(self, section: str) -> list[dict[str, Any]]:
        """The declared resources of a run.yaml section (`models`, `vector_dbs`...)."""
        return self.declared.get(section, [])

    @model_validator(mode="after")
    def _check(self) -> RunConfig:
        seen: dict[str, str] = {}
        for api, specs in self.providers.items():
            for spec in specs:
                if spec.provider_id in seen:
                    raise ValueError(
                        f"provider_id {spec.provider_id!r} is used by both "
                        f"{seen[spec.provider_id]} and {api}; provider ids must be unique"
                    )
                seen[spec.provider_id] = api
        for name, svc in self.services.items():
            api = self.api_of(name)
            if svc.workers > 1 and name != "gateway":
                raise ValueError(
                    f"services.{name}.workers is {svc.workers}: only the gateway runs several "
                    "workers (API services hold their providers' state in memory)"
                )
            if name in ("gateway", "envoy"):
                continue
            known = {p.provider_id for p in self.providers.get(api, [])}
            unknown = sorted(set(svc.providers or []) - known)
            if unknown:
                raise ValueError(
                    f"service {name} lists providers {unknown} that are not configured "
                    f"under providers.{api} (known: {sorted(known)})"
                )
        return self

    def api_of(self, service: str) -> str:
        spec = self.services.get(service)
        return (spec.api if spec and spec.api else None) or service

    def api_services(self) -> list[str]:
        """Names of the API service processes (everything but gateway and envoy)."""
        return [n for n in self.services if n not in ("gateway", "envoy")]

    def providers_of(self, service: str) -> list[ProviderSpec]:
        """The providers a service process hosts."""
        specs = self.providers.get(self.api_of(service), [])
        chosen = self.services.get(service, ServiceSpec()).providers
        return [s for s in specs if chosen is None or s.provider_id in chosen]

    def workers_of(self, service: str) -> int:
        spec = self.services.get(service)
        return spec.workers if spec else 1

    def port_of(self, service: str) -> int:
        spec = self.services.get(service)
        if spec and spec.port is not None:
            return spec.port
        return DEFAULT_PORTS.get(self.api_of(service), 0)


def parse_run_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None) -> RunConfig:
    """Validate a run config given as a mapping, after substitution."""
    resolved = substitute(dict(data), env if env is not None else env_snapshot())
    for api, specs in list((resolved.get("providers") or {}).items()):
        resolved["providers"][api] = [
            s for s in specs or [] if str(s.get("provider_id") or "") not in _DISABLED
        ]
    for section in RESOURCE_SECTIONS:
        entries = resolved.get(section) or []
        resolved[section] = [
            e for e in entries if "provider_id" not in e or str(e["provider_id"]) not in _DISABLED
        ]
    try:
        return RunConfig.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(f"invalid run config: {exc}") from exc


def load_run_config(path: str | Path, env: Mapping[str, str] | None = None) -> RunConfig:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read run config {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"run config {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"run config {path} must be a mapping")
    try:
        return parse_run_config(data, env)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
