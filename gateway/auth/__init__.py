"""Security at the gateway: authentication, access control, quotas and API keys.

`build_security()` turns the run config's `server.auth` and `server.quota` into:
- `interceptor`: the one server interceptor that authenticates every call and applies
  quotas (`interceptor.py`), or None when neither is configured (no cost);
- `access`: the policy applied to registry records (`access.py`), used by the registry and,
  through `Registry.resolve`, by every routed call; None when auth is off;
- `forwarding`: what the router adds to forwarded calls (the mesh token, the caller's
  principal) and how it accounts tokens from their trailers;
- `servicers`: the ApiKeyService.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gateway.auth.access import AccessControl
from gateway.auth.admin import ApiKeyServicer
from gateway.auth.authn import Authenticator
from gateway.auth.caller import Caller, current_caller
from gateway.auth.interceptor import SecurityInterceptor
from gateway.auth.keys import ApiKeyStore
from gateway.auth.quotas import Quotas
from llamastack.admin.v1 import api_key_service_pb2_grpc
from services.common.config import RunConfig
from services.common.security.mesh import MeshCredentials
from services.common.security.policy import DEFAULT_POLICY, Policy
from services.common.security.usage import tokens_in
from services.common.state import StateStore

__all__ = ["Security", "build_security", "current_caller"]

log = logging.getLogger(__name__)
Trailers = Iterable[tuple[str, Any]]


@dataclass
class Security:
    auth_enabled: bool
    mesh: MeshCredentials
    interceptor: SecurityInterceptor | None = None
    access: AccessControl | None = None
    authn: Authenticator | None = None
    quotas: Quotas | None = None
    servicers: list[tuple[Any, Any]] = field(default_factory=list)

    async def start(self) -> None:
        if self.authn is not None:
            await self.authn.start()

    async def stop(self) -> None:
        if self.authn is not None:
            await self.authn.close()
        if self.quotas is not None:
            await self.quotas.close()

    # -- the router's view (hot path) ------------------------------------------------------

    def upstream_metadata(self) -> tuple[tuple[str, str], ...]:
        """Added to every forwarded call: the mesh token and who the caller is."""
        caller = current_caller() if self.auth_enabled else None
        if caller is None:
            return self.mesh.metadata()
        return (*self.mesh.metadata(), *caller.upstream)

    def usage_sink(self) -> Callable[[Trailers], None] | None:
        """For a forwarded call: what to do with its trailers (count the tokens it used), or
        None when the caller has no token quota (the router then skips reading them)."""
        quotas = self.quotas
        caller = current_caller()
        if quotas is None or caller is None or not quotas.meters_tokens(caller):
            return None
        return lambda trailers: _record(quotas, caller, trailers)


def _record(quotas: Quotas, caller: Caller, trailers: Trailers) -> None:
    quotas.record_tokens(caller, tokens_in(trailers))


def build_security(config: RunConfig, state: StateStore, mesh: MeshCredentials) -> Security:
    auth = config.server.auth if config.server.auth_enabled else None
    quota = config.server.quota if config.server.quota and config.server.quota.active else None
    keys = ApiKeyStore(state)
    security = Security(auth_enabled=auth is not None, mesh=mesh)
    if auth is not None:
        if not auth.api_keys.bootstrap_admin_sha256 and auth.provider_config is None:
            log.warning(
                "auth is on with API keys only and no bootstrap admin key "
                "(server.auth.api_keys.bootstrap_admin_sha256): only existing keys work; "
                "`llamastack keys hash` makes a bootstrap key"
            )
        security.authn = Authenticator(auth, keys, mesh)
        security.access = AccessControl(Policy(auth.access_policy or DEFAULT_POLICY))
    if quota is not None:
        security.quotas = Quotas(quota, state)
    if security.authn is not None or security.quotas is not None:
        metered = frozenset(f"llamastack.{api}.v1" for api in (quota.metered_apis if quota else []))
        security.interceptor = SecurityInterceptor(security.authn, security.quotas, metered, mesh)
    security.servicers = [
        (
            api_key_service_pb2_grpc.add_ApiKeyServiceServicer_to_server,
            ApiKeyServicer(keys, security.authn, auth.admin_role if auth else "admin"),
        )
    ]
    return security
