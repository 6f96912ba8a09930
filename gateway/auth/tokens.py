"""OAuth2/OIDC bearer tokens (JWT) checked against the identity provider's JWKS.

- The key set is fetched at start-up (a failure is logged, not fatal: the next token
  retries), refetched in the background every `key_recheck_period`, and at once when a token
  names a `kid` the set does not have (key rotation), at most once per
  `min_refetch_interval` so forged tokens cannot make the gateway hammer the provider.
- Only asymmetric algorithms are accepted; `exp` is required; `nbf`, `iat`, `iss` (when
  configured) and `aud` are checked with `leeway` seconds of clock skew.
- Claims become attributes through `claims_mapping` (dotted paths reach nested claims such
  as Keycloak's `realm_access.roles`); the principal is `principal_claim` (`sub`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from gateway.auth.caller import Caller
from services.common.security.config import OAuth2TokenConfig
from services.common.security.errors import Unauthenticated
from services.common.security.policy import Subject

__all__ = ["JwksCache", "JwtVerifier"]

log = logging.getLogger(__name__)


class JwksCache:
    def __init__(self, config: OAuth2TokenConfig, on_change: Callable[[], None]) -> None:
        self._cfg = config.jwks
        self._on_change = on_change
        verify: Any = self._cfg.tls_cafile or self._cfg.verify_tls
        self._client = httpx.AsyncClient(timeout=self._cfg.timeout, verify=verify)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = 0.0  # monotonic time of the last good fetch
        self._attempted = -1e9  # of the last attempt
        self._kid_refetch = -1e9  # of the last refetch for an unknown kid
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None

    async def start(self) -> None:
        try:
            await self.refresh()
        except Unauthenticated as exc:
            log.warning("JWKS not loaded at start-up (will retry on the first token): %s", exc)

    async def close(self) -> None:
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._background
        await self._client.aclose()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        now = time.monotonic()
        if self._keys and now - self._fetched > self._cfg.key_recheck_period:
            self._refresh_soon()
        found = self._find(kid)
        # With no keys yet (the provider was down), retry sooner, still rate-limited.
        interval = self._cfg.min_refetch_interval if self._keys else 1.0
        if found is None and now - self._kid_refetch >= interval:
            self._kid_refetch = now
            await self.refresh()
            found = self._find(kid)
        if found is None:
            raise Unauthenticated(
                f"the token is signed with a key the identity provider does not publish "
                f"(kid {kid!r})"
            )
        return found

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid:
            return self._keys.get(kid)
        # No kid: acceptable only when the set holds exactly one key.
        return next(iter(self._keys.values())) if len(self._keys) == 1 else None

    def _refresh_soon(self) -> None:
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self._quiet_refresh())

    async def _quiet_refresh(self) -> None:
        with contextlib.suppress(Unauthenticated):
            await self.refresh()

    async def refresh(self) -> None:
        """Fetch the key set (one fetch at a time; waiters reuse its result)."""
        started = time.monotonic()
        async with self._lock:
            if self._attempted >= started:
                return  # another caller fetched while this one waited
            self._attempted = time.monotonic()
            try:
                resp = await self._client.get(self._cfg.uri)
                resp.raise_for_status()
                keyset = jwt.PyJWKSet.from_dict(resp.json())
            except (httpx.HTTPError, ValueError, jwt.PyJWKSetError) as exc:
                log.warning("cannot load the JWKS from %s: %s", self._cfg.uri, exc)
                raise Unauthenticated(
                    "the gateway cannot load the identity provider's keys to check the token; "
                    "retry later"
                ) from None
            keys = {k.key_id: k for k in keyset.keys if k.key_id}
            if not keys and len(keyset.keys) == 1:
                keys = {"": keyset.keys[0]}
            changed = set(keys) != set(self._keys)
            self._keys, self._fetched = keys, time.monotonic()
            if changed:
                log.info("JWKS from %s: keys %s", self._cfg.uri, sorted(keys))
                self._on_change()


_REASONS: list[tuple[type[Exception], str]] = [
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (nbf/iat in the future)"),
    (jwt.InvalidAudienceError, "the token was not issued for this service (aud)"),
    (jwt.InvalidIssuerError, "the token was issued by an untrusted issuer (iss)"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not accepted"),
]


class JwtVerifier:
    def __init__(self, config: OAuth2TokenConfig, on_keys_change: Callable[[], None]) -> None:
        self._cfg = config
        self.jwks = JwksCache(config, on_keys_change)
        self._audience = config.audience
        self._require = ["exp", "iss"] if config.issuer else ["exp"]

    async def verify(self, token: str) -> tuple[Caller, float]:
        """The caller a token stands for and the token's expiry (unix time)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise Unauthenticated("the bearer token is neither an API key nor a JWT") from None
        alg = header.get("alg")
        if alg not in self._cfg.algorithms:
            raise Unauthenticated(f"the token's algorithm {alg!r} is not accepted")
        key = await self.jwks.key(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self._cfg.issuer,
                leeway=self._cfg.leeway,
                options={"require": self._require},
            )
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(_reason(exc)) from None
        principal = claims.get(self._cfg.principal_claim)
        if not isinstance(principal, str) or not principal:
            raise Unauthenticated(f"the token has no {self._cfg.principal_claim!r} claim")
        attributes: dict[str, list[str]] = {}
        for claim, attr in self._cfg.claims_mapping.items():
            for value in _values(_claim(claims, claim)):
                if value not in attributes.setdefault(attr, []):
                    attributes[attr].append(value)
        subject = Subject(principal, {k: tuple(v) for k, v in attributes.items() if v})
        return Caller.of(subject, "jwt"), float(claims["exp"])


def _reason(exc: Exception) -> str:
    for cls, text in _REASONS:
        if isinstance(exc, cls):
            return text
    return "the token is not valid"


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split() if " " in value else [value]  # OAuth2 `scope` is space separated
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return [str(value)]
