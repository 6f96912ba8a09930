"""The closed internal network: API services accept calls only from the gateway.

The mesh credential comes from the environment, never from the run.yaml:

- `LLS_MESH_AUTH_DIR`: a directory (the Helm chart mounts a Secret there) holding `token`
  (the shared secret) and, for mTLS, `tls.crt`, `tls.key` and `ca.crt` (the layout of a
  Kubernetes TLS Secret, as cert-manager writes it).
- `LLS_MESH_TOKEN`: the shared secret itself (the local launcher generates one per launch).

With a token, every API service refuses calls that do not carry it in
`x-llamastack-mesh-token` (UNAUTHENTICATED; compared in constant time); gRPC health checks
stay open. With the TLS files too, services listen with TLS and require a client
certificate signed by `ca.crt`; the gateway presents the same certificate. Every mesh
certificate carries one name (`LLS_MESH_TLS_SERVER_NAME`, default `llamastack-mesh`), so
certificates do not depend on Service DNS names. Kubelet's gRPC probes cannot speak TLS, so
an mTLS service also answers health checks (and nothing else) in plaintext on
`LLS_MESH_HEALTH_PORT` (default: its port + 1000).

The token is also how the gateway recognises a service calling it on a caller's behalf: the
mesh's gateway client sends it with the caller's forwarded principal, which the gateway
trusts only next to a valid token. So mTLS always comes with the token; TLS alone would
leave the gateway unable to tell a service from an outside caller on its public port.
"""

from __future__ import annotations

import contextvars
import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2_grpc
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.channels import CHANNEL_OPTIONS, SERVER_OPTIONS
from services.common.logs import REQUEST_ID
from services.common.security.errors import Unauthenticated, refusal
from services.common.security.principal import FORWARDED_KEYS

__all__ = [
    "HEALTH_PORT_OFFSET",
    "INBOUND_PRINCIPAL",
    "TOKEN_METADATA",
    "MeshAuthInterceptor",
    "MeshCredentials",
    "MeshListener",
    "MeshSettings",
    "mesh_credentials",
]

log = logging.getLogger(__name__)

TOKEN_METADATA = "x-llamastack-mesh-token"
#: Methods every caller may use (probes, load balancers).
OPEN_PREFIX = "/grpc.health.v1.Health/"
HEALTH_PORT_OFFSET = 1000

#: The forwarded principal of the call being served (set by MeshAuthInterceptor), sent on
#: with the service's own calls to the gateway.
INBOUND_PRINCIPAL: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar(
    "llamastack_inbound_principal", default=()
)


class MeshSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLS_MESH_", extra="ignore")

    auth_dir: Path | None = None
    token: str = ""
    tls_server_name: str = "llamastack-mesh"
    health_port: int | None = None
    #: Refuse to start without a token (the Helm chart sets it: fail closed).
    require: bool = False


class MeshConfigError(SystemExit):
    pass


@dataclass(frozen=True)
class MeshCredentials:
    token: str = ""
    cert_chain: bytes | None = None
    private_key: bytes | None = None
    ca: bytes | None = None
    server_name: str = "llamastack-mesh"
    health_port: int | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def mtls(self) -> bool:
        return self.cert_chain is not None

    @classmethod
    def load(cls, settings: MeshSettings | None = None) -> MeshCredentials:
        s = settings or MeshSettings()
        files: dict[str, bytes] = {}
        if s.auth_dir is not None:
            for name in ("token", "tls.crt", "tls.key", "ca.crt"):
                path = s.auth_dir / name
                if path.is_file():
                    files[name] = path.read_bytes()
        token = s.token or files.get("token", b"").decode().strip()
        tls = [n for n in ("tls.crt", "tls.key", "ca.crt") if n in files]
        if tls and len(tls) != 3:
            missing = sorted({"tls.crt", "tls.key", "ca.crt"} - set(tls))
            raise MeshConfigError(f"mesh mTLS needs tls.crt, tls.key and ca.crt in "
                                  f"{s.auth_dir}; missing: {', '.join(missing)}")  # fmt: skip
        if tls and not token:
            raise MeshConfigError(
                f"mesh mTLS needs the shared token too ({s.auth_dir}/token or LLS_MESH_TOKEN): "
                "the gateway tells services from outside callers by it"
            )
        if s.require and not token:
            raise MeshConfigError(
                "LLS_MESH_REQUIRE is set but no mesh credential was given (LLS_MESH_TOKEN, "
                "or a `token` file in LLS_MESH_AUTH_DIR)"
            )
        if token and len(token) < 16:
            raise MeshConfigError("the mesh token must have at least 16 characters")
        return cls(
            token=token,
            cert_chain=files.get("tls.crt") if tls else None,
            private_key=files.get("tls.key") if tls else None,
            ca=files.get("ca.crt") if tls else None,
            server_name=s.tls_server_name,
            health_port=s.health_port,
        )

    # -- client side ----------------------------------------------------------------------

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return ((TOKEN_METADATA, self.token),) if self.token else ()

    def channel(self, address: str) -> grpc.aio.Channel:
        """A channel to an API service (TLS with the mesh certificate under mTLS). Calls on
        it must carry `metadata()`; `stub()` adds it."""
        if not self.mtls:
            return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS)
        creds = grpc.ssl_channel_credentials(
            root_certificates=self.ca, private_key=self.private_key,
            certificate_chain=self.cert_chain,
        )  # fmt: skip
        options = [*CHANNEL_OPTIONS, ("grpc.ssl_target_name_override", self.server_name)]
        return grpc.aio.secure_channel(address, creds, options=options)

    def stub(self, stub: Any, forward_principal: bool = False) -> Any:
        """`stub` whose calls carry the mesh token (and, with forward_principal, the
        principal of the call being served)."""
        if not self.token and not forward_principal:
            return stub
        return _WithMetadata(stub, self.metadata(), forward_principal)

    # -- server side ----------------------------------------------------------------------

    def accepts(self, presented: str | bytes | None) -> bool:
        if not isinstance(presented, str):
            return False
        return hmac.compare_digest(presented.encode(), self.token.encode())

    def server_interceptors(self) -> list[grpc.aio.ServerInterceptor]:
        return [MeshAuthInterceptor(self)] if self.enabled else []

    def listener(self) -> MeshListener | None:
        return MeshListener(self) if self.mtls else None


@functools.cache
def mesh_credentials() -> MeshCredentials:
    """This process's mesh credential (read once from the environment)."""
    return MeshCredentials.load()


def _request_id() -> tuple[tuple[str, str], ...]:
    """The request id of the call being served, so the calls made for it log under it."""
    rid = REQUEST_ID.get()
    return (("x-request-id", rid),) if rid and rid != "-" else ()


class _WithMetadata:
    """A stub whose every method adds metadata to the call (with `forward`: the principal and
    the request id of the call being served)."""

    def __init__(self, stub: Any, extra: tuple[tuple[str, str], ...], forward: bool) -> None:
        self._stub, self._extra, self._forward = stub, extra, forward

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._stub, name)
        extra, forward = self._extra, self._forward

        def call(request: Any, *args: Any, metadata: Any = None, **kwargs: Any) -> Any:
            md = (*(metadata or ()), *extra)
            if forward:
                md = (*md, *INBOUND_PRINCIPAL.get(), *_request_id())
            return method(request, *args, metadata=md, **kwargs)

        return call


class MeshAuthInterceptor(grpc.aio.ServerInterceptor):
    """Refuses calls without the mesh token (health checks excepted)."""

    def __init__(self, credentials: MeshCredentials) -> None:
        self._credentials = credentials

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        if details.method.startswith(OPEN_PREFIX):
            return await continuation(details)
        presented, forwarded = None, []
        for key, value in details.invocation_metadata or ():
            if key == TOKEN_METADATA:
                presented = value
            elif key in FORWARDED_KEYS:
                forwarded.append((key, value))
        if not self._credentials.accepts(presented):
            log.warning("refused %s: no valid mesh credential", details.method)
            return refusal(
                await continuation(details),
                Unauthenticated(
                    "this service accepts calls only from the gateway; call the gateway "
                    "(or present the mesh credential)"
                ),
            )
        INBOUND_PRINCIPAL.set(tuple(forwarded))
        return await continuation(details)


class MeshListener:
    """Binds a service's port with mTLS, and a plaintext port for health checks only."""

    def __init__(self, credentials: MeshCredentials) -> None:
        self._credentials = credentials
        self._health_server: grpc.aio.Server | None = None
        self._host = "0.0.0.0"
        self._port = 0

    def bind(self, server: grpc.aio.Server, address: str) -> int:
        c = self._credentials
        assert c.private_key is not None and c.cert_chain is not None
        creds = grpc.ssl_server_credentials(
            [(c.private_key, c.cert_chain)], root_certificates=c.ca, require_client_auth=True
        )
        self._host = address.rpartition(":")[0]
        self._port = server.add_secure_port(address, creds)
        return self._port

    async def start(self, health_servicer: health.aio.HealthServicer) -> int:
        """Serve health checks in plaintext; returns the bound port."""
        c = self._credentials
        port = c.health_port
        if port is None:
            port = self._port + HEALTH_PORT_OFFSET if self._port else 0
        server = grpc.aio.server(options=SERVER_OPTIONS)
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        bound = server.add_insecure_port(f"{self._host}:{port}")
        if bound == 0:
            raise SystemExit(f"cannot listen for health checks on {self._host}:{port}")
        await server.start()
        self._health_server = server
        log.info("health checks (plaintext) on port %d; calls need mTLS", bound)
        return bound

    async def stop(self) -> None:
        if self._health_server is not None:
            await self._health_server.stop(0)
