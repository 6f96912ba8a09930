"""Pieces of Envoy bootstraps shared by the REST config (`config.py`), its tracer
(`tracing.py`) and the container's probe listener (`deploy/packaging/envoy.py`)."""

from __future__ import annotations

import ipaddress
from typing import Any

__all__ = ["HTTP_OPTIONS", "http2_options", "is_ip", "socket_address", "upstream_cluster"]

HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"


def socket_address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": int(port)}}


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def http2_options(**options: Any) -> dict[str, Any]:
    """`typed_extension_protocol_options` of a cluster that speaks HTTP/2 (gRPC) upstream."""
    return {HTTP_OPTIONS: {"@type": f"type.googleapis.com/{HTTP_OPTIONS}", **options}}


def upstream_cluster(
    name: str, host: str, port: int, connect_timeout: str, **settings: Any
) -> dict[str, Any]:
    """A cluster of one endpoint: STATIC for an IP address, STRICT_DNS (IPv4 first) for a
    name; `settings` are the cluster's other fields."""
    return {
        "name": name,
        "type": "STATIC" if is_ip(host) else "STRICT_DNS",
        "dns_lookup_family": "V4_PREFERRED",
        "connect_timeout": connect_timeout,
        **settings,
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {"lb_endpoints": [{"endpoint": {"address": socket_address(host, port)}}]}
            ],
        },
    }
