"""Envoy's config for containers: `deploy.envoy`'s config plus a probe listener.

The admin interface stays on 127.0.0.1 (it can drain or stop Envoy), so kubelet and compose
cannot reach its `/ready`. A second listener on `ENVOY_HEALTH_PORT` forwards exactly `GET /ready`
(and `GET /stats/prometheus`, read-only, for scraping) to the admin interface and answers 404 to
anything else: the probe sees Envoy's own readiness (LIVE, or 503 while starting or draining).

The chart ships one rendered config (`helm/llamastack/files/envoy.yaml`) whose gateway host is
`GATEWAY_HOST_PLACEHOLDER`; the chart puts the release's gateway Service name there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from deploy.envoy import config as envoy_config
from deploy.envoy.clusters import socket_address, upstream_cluster
from deploy.envoy.tls import listener_tls
from deploy.packaging.model import ENVOY_ADMIN_PORT, ENVOY_HEALTH_PORT
from services.common.config import ServerSpec
from services.common.telemetry.config import EnvoyTracing

__all__ = [
    "GATEWAY_HOST_PLACEHOLDER",
    "PROBE_PATHS",
    "add_probe_listener",
    "container_config",
    "render_container_config",
]

GATEWAY_HOST_PLACEHOLDER = "__LLS_GATEWAY_HOST__"
#: Admin paths the probe listener exposes (read-only).
PROBE_PATHS = ("/ready", "/stats/prometheus")
_HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."


def container_config(
    server: ServerSpec,
    gateway_address: str,
    *,
    admin_port: int = ENVOY_ADMIN_PORT,
    health_port: int = ENVOY_HEALTH_PORT,
    descriptor_path: Path | None = None,
    tracing: EnvoyTracing | None = None,
) -> dict[str, Any]:
    """The Envoy bootstrap a container runs, as a dict."""
    config = envoy_config.build_config(
        listen_port=server.port,
        admin_port=admin_port,
        gateway_address=gateway_address,
        descriptor_path=descriptor_path or envoy_config.default_descriptor_path(),
        services=envoy_config.public_services(),
        cors=server.cors,
        max_request_bytes=server.max_request_bytes,
        listen_host=server.host,
        tls=listener_tls(server),
        tracing=tracing,
    )
    return add_probe_listener(config, health_port)


def render_container_config(server: ServerSpec, gateway_address: str, **kwargs: Any) -> str:
    config = container_config(server, gateway_address, **kwargs)
    return yaml.safe_dump(config, sort_keys=False, width=100)


def add_probe_listener(config: dict[str, Any], health_port: int) -> dict[str, Any]:
    """Add the probe listener (and a cluster for the admin interface) to an Envoy bootstrap."""
    admin = config["admin"]["address"]["socket_address"]
    routes: list[dict[str, Any]] = [
        {
            "match": {"path": path, "headers": [{"name": ":method", "exact_match": "GET"}]},
            "route": {"cluster": "envoy_admin", "timeout": "5s"},
        }
        for path in PROBE_PATHS
    ]
    routes.append({"match": {"prefix": "/"}, "direct_response": {"status": 404}})
    hcm = {
        "@type": f"{_HCM}HttpConnectionManager",
        "stat_prefix": "probe",
        "codec_type": "AUTO",
        "route_config": {
            "name": "probe",
            "virtual_hosts": [{"name": "probe", "domains": ["*"], "routes": routes}],
        },
        "http_filters": [
            {
                "name": "envoy.filters.http.router",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
                },
            }
        ],
    }
    listener = {
        "name": "probe",
        "address": socket_address("0.0.0.0", health_port),
        "filter_chains": [
            {
                "filters": [
                    {"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}
                ]
            }
        ],
    }
    cluster = upstream_cluster("envoy_admin", admin["address"], admin["port_value"], "1s")
    resources = config["static_resources"]
    resources["listeners"].append(listener)
    resources["clusters"].append(cluster)
    return config
