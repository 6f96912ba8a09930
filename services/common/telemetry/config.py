"""What a process exports, where to, and how much: the run.yaml `telemetry:` section resolved
against the standard `OTEL_*` variables.

Precedence: `OTEL_*` variables (the OpenTelemetry SDK's own configuration) win over the
run.yaml, which wins over the defaults. Export goes to, in order: `OTEL_EXPORTER_OTLP_*ENDPOINT`,
the run.yaml's `telemetry.otlp_endpoint`, the distribution's own telemetry service
(`LLS_<SERVICE>_ADDR`, else localhost and its port). With none of these there is nowhere to
send anything, and telemetry is off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from services.common.config import RunConfig

__all__ = [
    "EnvoyTracing",
    "TelemetryConfig",
    "TelemetryPlan",
    "envoy_tracing",
    "plan",
    "telemetry_service",
]

_TRUE = {"1", "true", "yes", "on"}


class TelemetryConfig(BaseModel):
    """The run.yaml `telemetry:` section (every process of the distribution reads it)."""

    model_config = ConfigDict(extra="forbid")

    #: Off: no spans, no metrics, no interceptors (`OTEL_SDK_DISABLED=true` does the same).
    enabled: bool = True
    #: OTLP/gRPC collector (`host:port` or `http(s)://host:port`); empty: the distribution's
    #: telemetry service.
    otlp_endpoint: str = ""
    #: Share of new traces recorded (parent-based: a call inside a trace follows its parent).
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    #: Seconds between metric exports.
    metric_export_interval_s: float = Field(default=10.0, gt=0.0)


@dataclass(frozen=True)
class TelemetryPlan:
    """Resolved settings of one process."""

    #: Traces/metrics endpoint to pass the exporters; None: they read `OTEL_*` themselves.
    traces_endpoint: str | None
    metrics_endpoint: str | None
    #: Send traces / metrics at all (`OTEL_TRACES_EXPORTER=none` turns one off).
    traces: bool
    metrics: bool
    #: None: the SDK's sampler from `OTEL_TRACES_SAMPLER`.
    sample_ratio: float | None
    #: None: `OTEL_METRIC_EXPORT_INTERVAL`.
    metric_interval_ms: float | None
    #: Where the endpoint came from (an OTEL variable, the run.yaml key, or the name of the
    #: distribution's telemetry service), for the start-up log line.
    source: str
    #: The distribution's telemetry service, when it is where everything goes.
    collector_service: str | None = None


@dataclass(frozen=True)
class EnvoyTracing:
    """What Envoy's OpenTelemetry tracer needs: a plaintext OTLP/gRPC collector."""

    host: str
    port: int
    #: Percentage of new traces Envoy records (0-100).
    sample_percent: float
    service_name: str = "envoy"


def telemetry_service(run: RunConfig) -> str | None:
    """Name of the process serving the telemetry API in a distribution."""
    return next((n for n in run.api_services() if run.api_of(n) == "telemetry"), None)


def _flag(env: Mapping[str, str], key: str) -> bool:
    return env.get(key, "").strip().lower() in _TRUE


def _default_endpoint(
    run: RunConfig, env: Mapping[str, str], ports: Mapping[str, int] | None
) -> tuple[str, str] | None:
    """(endpoint, source) from the run.yaml or the distribution's telemetry service (whose
    name is then the source)."""
    if run.telemetry.otlp_endpoint:
        return run.telemetry.otlp_endpoint, "telemetry.otlp_endpoint"
    name = telemetry_service(run)
    if name is None:
        return None
    port = ports[name] if ports and name in ports else run.port_of(name)
    addr = env.get(f"LLS_{name.upper()}_ADDR") or f"localhost:{port}"
    if addr.endswith(":0"):  # bound at start-up, address not passed down
        return None
    return addr, name


def plan(
    run: RunConfig, env: Mapping[str, str], ports: Mapping[str, int] | None = None
) -> TelemetryPlan | None:
    """The telemetry of one process of the distribution `run`, or None when it is off.

    `ports` overrides the run.yaml's ports (processes that bound port 0).
    """
    config = run.telemetry
    if not config.enabled or _flag(env, "OTEL_SDK_DISABLED"):
        return None
    traces = env.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() != "none"
    metrics = env.get("OTEL_METRICS_EXPORTER", "otlp").strip().lower() != "none"
    protocol = env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc").strip().lower()
    if protocol != "grpc":
        raise ValueError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol} is not supported: the mesh exports "
            "OTLP over gRPC (unset it, or set it to grpc)"
        )
    fallback = _default_endpoint(run, env, ports)
    generic = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")

    def endpoint(signal: str) -> tuple[str | None, str] | None:
        if env.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT") or generic:
            return None, "OTEL_EXPORTER_OTLP_ENDPOINT"
        return fallback

    t, m = endpoint("TRACES"), endpoint("METRICS")
    traces, metrics = traces and t is not None, metrics and m is not None
    if not (traces or metrics):
        return None
    ratio = None if env.get("OTEL_TRACES_SAMPLER") else config.sample_ratio
    interval = None if env.get("OTEL_METRIC_EXPORT_INTERVAL") else config.metric_export_interval_s
    source = t if t is not None else m
    assert source is not None
    return TelemetryPlan(
        traces_endpoint=t[0] if t else None,
        metrics_endpoint=m[0] if m else None,
        traces=traces,
        metrics=metrics,
        sample_ratio=ratio,
        metric_interval_ms=interval * 1000 if interval is not None else None,
        source=source[1],
        collector_service=source[1] if source[1] == telemetry_service(run) else None,
    )


def envoy_tracing(
    run: RunConfig, env: Mapping[str, str], ports: Mapping[str, int] | None = None
) -> EnvoyTracing | None:
    """Envoy's tracer settings, or None when traces are off, the collector is not a
    plaintext gRPC endpoint Envoy can reach as a static cluster, or it is the distribution's
    telemetry service behind the closed internal network (Envoy would need the mesh
    credential in its configuration file)."""
    resolved = plan(run, env, ports)
    if resolved is None or not resolved.traces:
        return None
    if resolved.collector_service and (env.get("LLS_MESH_TOKEN") or env.get("LLS_MESH_AUTH_DIR")):
        return None
    endpoint = resolved.traces_endpoint or (
        env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
    )
    parsed = urlparse(endpoint if "//" in endpoint else f"//{endpoint}")
    if parsed.scheme == "https" or not parsed.hostname or not parsed.port:
        return None
    ratio = resolved.sample_ratio
    if ratio is None:  # OTEL_TRACES_SAMPLER: honour a ratio sampler's argument
        sampler = env.get("OTEL_TRACES_SAMPLER", "")
        ratio = _sampler_ratio(sampler, env.get("OTEL_TRACES_SAMPLER_ARG", ""))
    return EnvoyTracing(parsed.hostname, parsed.port, round(ratio * 100, 4))


def _sampler_ratio(sampler: str, arg: str) -> float:
    if sampler in ("always_off", "parentbased_always_off"):
        return 0.0
    if sampler in ("traceidratio", "parentbased_traceidratio"):
        try:
            return min(1.0, max(0.0, float(arg)))
        except ValueError:
            return 1.0
    return 1.0
