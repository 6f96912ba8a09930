"""The gateway's one security hook: authenticate every call, then count it against quotas.

It runs before any handler (typed registry servicers and the router's byte handlers
alike), so no RPC can skip it. Health checks, liveness, version and server reflection stay
open. On success the caller is put in `CALLER` for the registry and the router (with auth
off, quotas still count everyone as `anonymous`); a refusal
answers UNAUTHENTICATED (with `WWW-Authenticate`) or RESOURCE_EXHAUSTED (with
`Retry-After`), which Envoy turns into 401 / 429 with the same headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc

from gateway.auth.authn import SYSTEM, Authenticator
from gateway.auth.caller import CALLER, Caller
from gateway.auth.quotas import Quotas
from services.common.security.errors import QuotaExceeded, Unauthenticated, refusal
from services.common.security.mesh import TOKEN_METADATA, MeshCredentials
from services.common.security.policy import Subject

__all__ = ["OPEN_METHODS", "SecurityInterceptor"]

#: Methods anyone may call (probes, discovery of the API surface).
OPEN_METHODS = frozenset(
    {
        "/llamastack.inspect.v1.InspectService/GetHealth",
        "/llamastack.inspect.v1.InspectService/GetLiveness",
        "/llamastack.inspect.v1.InspectService/GetVersion",
    }
)
_OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
ANONYMOUS = Caller.of(Subject("anonymous"), "anonymous")


class SecurityInterceptor(grpc.aio.ServerInterceptor):
    def __init__(
        self,
        authn: Authenticator | None,
        quotas: Quotas | None,
        metered_packages: frozenset[str],
        mesh: MeshCredentials,
    ) -> None:
        self._authn = authn
        self._quotas = quotas
        self._mesh = mesh
        self._metered = metered_packages

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        method = details.method
        if method in OPEN_METHODS or method.startswith(_OPEN_PREFIXES):
            return await continuation(details)
        try:
            metadata = details.invocation_metadata or ()
            if self._authn is not None:
                caller = await self._authn.authenticate(metadata)
            elif self._mesh.enabled and any(
                k == TOKEN_METADATA and self._mesh.accepts(v) for k, v in metadata
            ):
                caller = SYSTEM  # a mesh service: its callers were counted already
            else:
                caller = ANONYMOUS  # auth off: quotas apply to everyone together
            if self._quotas is not None and not caller.system:
                package = method[1:].rpartition(".")[0]
                await self._quotas.admit(
                    caller,
                    count_request=caller.via != "mesh",  # a service's calls for a user
                    metered=package in self._metered,
                )
        except (Unauthenticated, QuotaExceeded) as exc:
            return refusal(await continuation(details), exc)
        CALLER.set(caller)
        return await continuation(details)
