"""Envoy's OpenTelemetry tracer (when the distribution's telemetry is on), for `config.py`.

Envoy starts or continues the W3C trace of every request, sends `traceparent` to the gateway
and exports its spans over OTLP/gRPC to the collector (the telemetry service by default), so
the REST hop is a span of the same trace as the gateway's and the services'. The span is named
after the request as the caller sent it (`GET /v1/models`, `routes.SPAN_NAME`): the method
and the path without its query, which `routes.caller_content_type` records as dynamic
metadata before the transcoder turns every call into a POST to the gRPC path.
"""

from __future__ import annotations

from typing import Any

from deploy.envoy.clusters import http2_options, upstream_cluster
from deploy.envoy.routes import SPAN_NAME
from services.common.telemetry.config import EnvoyTracing

__all__ = ["TRACE_FLUSH_MS", "add_tracing"]

#: How often Envoy sends its spans (Envoy's default is 5 s).
TRACE_FLUSH_MS = 1000


def add_tracing(bootstrap: dict[str, Any], hcm: dict[str, Any], tracing: EnvoyTracing) -> None:
    """Envoy's OpenTelemetry tracer on the listener, exporting to an `otlp_collector` cluster.

    A request that arrives with a sampled `traceparent` is traced (the caller's decision
    wins); new traces are sampled at `sample_percent`.
    """
    hcm["tracing"] = {
        "random_sampling": {"value": tracing.sample_percent},
        # `GET /v1/models`: the request as the caller sent it, without the query.
        "operation": SPAN_NAME,
        "provider": {
            "name": "envoy.tracers.opentelemetry",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
                "grpc_service": {
                    "envoy_grpc": {"cluster_name": "otlp_collector"},
                    "timeout": "1s",
                },
                "service_name": tracing.service_name,
            },
        },
    }
    bootstrap["static_resources"]["clusters"].append(
        upstream_cluster(
            "otlp_collector",
            tracing.host,
            tracing.port,
            "1s",
            typed_extension_protocol_options=http2_options(
                explicit_http_config={"http2_protocol_options": {}}
            ),
        )
    )
    bootstrap["layered_runtime"] = {
        "layers": [
            {
                "name": "llamastack_tracing",
                "static_layer": {"tracing.opentelemetry.flush_interval_ms": TRACE_FLUSH_MS},
            }
        ]
    }
