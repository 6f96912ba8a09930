"""TLS on Envoy's public listener, from the run config's `server.tls_certfile`,
`tls_keyfile` and (to require client certificates) `tls_cafile`: PEM files Envoy reads at
start-up (restart Envoy to load renewed certificates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.config import ServerSpec

__all__ = ["ListenerTls", "listener_tls", "transport_socket"]

_TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"


@dataclass(frozen=True)
class ListenerTls:
    certfile: str
    keyfile: str
    #: Clients must present a certificate signed by this CA.
    cafile: str | None = None


def listener_tls(server: ServerSpec) -> ListenerTls | None:
    if not server.tls_certfile or not server.tls_keyfile:
        return None
    return ListenerTls(server.tls_certfile, server.tls_keyfile, server.tls_cafile or None)


def transport_socket(tls: ListenerTls) -> dict[str, Any]:
    context: dict[str, Any] = {
        # h2 for gRPC clients, http/1.1 for REST ones.
        "alpn_protocols": ["h2", "http/1.1"],
        "tls_params": {"tls_minimum_protocol_version": "TLSv1_2"},
        "tls_certificates": [
            {
                "certificate_chain": {"filename": tls.certfile},
                "private_key": {"filename": tls.keyfile},
            }
        ],
    }
    config: dict[str, Any] = {"@type": _TLS, "common_tls_context": context}
    if tls.cafile:
        context["validation_context"] = {"trusted_ca": {"filename": tls.cafile}}
        config["require_client_certificate"] = True
    return {"name": "envoy.transport_sockets.tls", "typed_config": config}
