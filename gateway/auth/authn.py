"""Authentication: the `Authorization` header (or the mesh token) -> a Caller.

- `Authorization: Bearer lls_...`: an API key from the state store (or the bootstrap admin
  key, known by its hash from the run config).
- `Authorization: Bearer <JWT>`: checked against the identity provider's JWKS.
- `x-llamastack-mesh-token` (only the mesh's own services have it): an API service calling
  on behalf of the principal it forwards (`x-llamastack-principal`), or for itself.

Results are cached per credential, so the hot path is one dict lookup: API keys for
`cache_ttl_s` (never past their expiry; a revocation empties the cache at once on the gateway
that revoked, and on the others within `revocation_poll_s`), JWTs until they expire (a
change in the JWKS empties the cache). Failures are not cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Iterable

from gateway.auth.caller import Caller
from gateway.auth.keys import KEY_PREFIX, ApiKeyStore
from gateway.auth.tokens import JwtVerifier
from services.common.security import principal
from services.common.security.config import AuthConfig
from services.common.security.errors import Unauthenticated
from services.common.security.mesh import TOKEN_METADATA, MeshCredentials
from services.common.security.policy import Subject

__all__ = ["Authenticator"]

log = logging.getLogger(__name__)

#: Most credentials kept in each cache (oldest dropped first).
CACHE_SIZE = 10_000
SYSTEM = Caller(Subject("mesh:system"), "mesh", system=True)


class Authenticator:
    def __init__(
        self,
        config: AuthConfig,
        keys: ApiKeyStore | None,
        mesh: MeshCredentials,
    ) -> None:
        self._cfg = config
        self._keys = keys if config.api_keys.enabled else None
        self._mesh = mesh
        self._jwt = (
            JwtVerifier(config.provider_config, self._jwt_cache_clear)
            if config.provider_config is not None
            else None
        )
        self._bootstrap = config.api_keys.bootstrap_admin_sha256
        self._key_cache: dict[str, tuple[Caller, float]] = {}
        self._jwt_cache: dict[str, tuple[Caller, float]] = {}
        self._forwarded_cache: dict[tuple[str, str], Caller] = {}
        self._epoch = 0
        self._watcher: asyncio.Task[None] | None = None
        self.challenge = f'Bearer realm="{config.realm}"'

    async def start(self) -> None:
        if self._jwt is not None:
            await self._jwt.jwks.start()
        if self._keys is not None:
            self._epoch = await self._keys.revocation_epoch()
            self._watcher = asyncio.create_task(self._watch_revocations())

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self._jwt is not None:
            await self._jwt.jwks.close()

    def revoked(self) -> None:
        """A key was revoked here: forget every cached key now."""
        self._key_cache.clear()

    def _jwt_cache_clear(self) -> None:
        self._jwt_cache.clear()

    async def _watch_revocations(self) -> None:
        assert self._keys is not None
        while True:
            await asyncio.sleep(self._cfg.revocation_poll_s)
            try:
                epoch = await self._keys.revocation_epoch()
            except Exception as exc:  # the store is down: keep serving from the cache
                log.warning("cannot read key revocations: %s", exc)
                continue
            if epoch != self._epoch:
                self._epoch = epoch
                self._key_cache.clear()

    async def authenticate(self, metadata: Iterable[tuple[str, str | bytes]]) -> Caller:
        authorization = mesh_token = forwarded_principal = None
        attributes = "{}"
        for key, value in metadata:
            if key == "authorization":
                authorization = value
            elif key == TOKEN_METADATA:
                mesh_token = value
            elif key == principal.PRINCIPAL_METADATA:
                forwarded_principal = value
            elif key == principal.ATTRIBUTES_METADATA:
                attributes = value
        if mesh_token is not None:
            if not self._mesh.enabled or not self._mesh.accepts(mesh_token):
                raise Unauthenticated("the mesh credential is not valid", self.challenge)
            if not isinstance(forwarded_principal, str) or not forwarded_principal:
                return SYSTEM
            return self._forwarded(forwarded_principal, str(attributes))
        if not isinstance(authorization, str) or not authorization:
            raise Unauthenticated(
                "authentication required: send `Authorization: Bearer <API key or token>`",
                self.challenge,
            )
        now = time.time()
        hit = self._key_cache.get(authorization) or self._jwt_cache.get(authorization)
        if hit is not None and hit[1] > now:
            return hit[0]
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated(
                "the Authorization header must read `Bearer <API key or token>`",
                self.challenge,
            )
        if self._bootstrap and hmac.compare_digest(
            hashlib.sha256(credential.encode()).hexdigest(), self._bootstrap
        ):
            caller = Caller.of(
                Subject(
                    self._cfg.api_keys.bootstrap_admin_principal,
                    {"roles": (self._cfg.admin_role,)},
                ),
                "bootstrap",
            )
            return self._remember(self._key_cache, authorization, caller, now + 3600)
        if credential.startswith(KEY_PREFIX):
            return await self._api_key(authorization, credential, now)
        if self._jwt is None:
            raise Unauthenticated(
                "this stack accepts API keys only (`lls_...`); create one with "
                "`llamastack keys create`",
                self.challenge,
            )
        try:
            caller, expires = await self._jwt.verify(credential)
        except Unauthenticated as exc:
            raise Unauthenticated(exc.message, self._invalid(exc.message)) from None
        return self._remember(self._jwt_cache, authorization, caller, expires)

    async def _api_key(self, authorization: str, key: str, now: float) -> Caller:
        record = await self._keys.verify(key) if self._keys is not None else None
        if record is None:
            message = "the API key is unknown, revoked or expired"
            raise Unauthenticated(message, self._invalid(message))
        subject = Subject(record.principal, {k: tuple(v) for k, v in record.attributes.items()})
        caller = Caller.of(subject, "api_key", key_id=record.key_id, key_limits=record.limits)
        until = now + self._cfg.cache_ttl_s
        if record.expires:
            until = min(until, record.expires)
        return self._remember(self._key_cache, authorization, caller, until)

    def _forwarded(self, value: str, attributes: str) -> Caller:
        cached = self._forwarded_cache.get((value, attributes))
        if cached is None:
            subject = principal.decode(
                [(principal.PRINCIPAL_METADATA, value), (principal.ATTRIBUTES_METADATA, attributes)]
            )
            assert subject is not None
            cached = Caller.of(subject, "mesh")
            if len(self._forwarded_cache) >= CACHE_SIZE:
                self._forwarded_cache.clear()
            self._forwarded_cache[(value, attributes)] = cached
        return cached

    def _invalid(self, message: str) -> str:
        description = message.replace('"', "'")
        return f'{self.challenge}, error="invalid_token", error_description="{description}"'

    @staticmethod
    def _remember(
        cache: dict[str, tuple[Caller, float]], credential: str, caller: Caller, until: float
    ) -> Caller:
        if until > time.time():
            if len(cache) >= CACHE_SIZE:
                del cache[next(iter(cache))]
            cache[credential] = (caller, until)
        return caller
