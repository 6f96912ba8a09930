"""The run.yaml's `server.auth` and `server.quota` sections.

server:
  auth:                               # absent, or enabled: false -> no authentication
    enabled: true
    admin_role: admin                 # who may manage API keys
    api_keys:
      enabled: true                   # `llamastack keys create`, kept hashed in the store
      bootstrap_admin_sha256: ${env.LLS_ADMIN_KEY_SHA256:=}
    provider_config:                  # bearer JWTs (the reference's oauth2_token)
      type: oauth2_token
      issuer: https://idp.example.com/realms/main
      audience: llamastack
      jwks:
        uri: https://idp.example.com/realms/main/protocol/openid-connect/certs
        key_recheck_period: 3600
      claims_mapping: {groups: teams, roles: roles}
    access_policy: [...]              # services.common.security.policy
  quota:
    requests_per_minute: 600          # per principal
    tokens_per_day: 1000000
    principals: {batch-bot: {requests_per_minute: 6000}}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.common.security.policy import AccessRule

__all__ = [
    "ApiKeysConfig",
    "AuthConfig",
    "JwksConfig",
    "OAuth2TokenConfig",
    "QuotaConfig",
    "QuotaLimits",
]

#: The reference's default mapping of token claims to attribute categories, minus its
#: mapping of `sub`/`username` to roles (a user name is not a role).
DEFAULT_CLAIMS_MAPPING = {
    "roles": "roles",
    "groups": "teams",
    "team": "teams",
    "project": "projects",
    "projects": "projects",
    "tenant": "namespaces",
    "namespace": "namespaces",
}
#: Asymmetric algorithms only: a JWKS publishes public keys, and accepting HS* with one
#: would let anyone sign with the public key (algorithm confusion).
ASYMMETRIC_ALGORITHMS = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JwksConfig(_Model):
    uri: str
    #: Seconds between scheduled refetches of the key set (the reference's name).
    key_recheck_period: float = Field(3600.0, gt=0)
    #: A token signed with an unknown `kid` refetches the key set (key rotation), at most
    #: once per this many seconds, so bad tokens cannot hammer the identity provider.
    min_refetch_interval: float = Field(30.0, ge=0)
    #: Seconds to wait for the identity provider.
    timeout: float = Field(5.0, gt=0)
    verify_tls: bool = True
    #: A CA bundle for the identity provider's certificate.
    tls_cafile: str | None = None


class OAuth2TokenConfig(_Model):
    type: Literal["oauth2_token"] = "oauth2_token"
    jwks: JwksConfig
    #: Expected `iss`; unset: any issuer.
    issuer: str | None = None
    #: Expected `aud` (one of them); required, so a token minted for another service is
    #: refused.
    audience: str | list[str]
    algorithms: list[str] = Field(default_factory=lambda: list(ASYMMETRIC_ALGORITHMS))
    #: Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    leeway: float = Field(30.0, ge=0, le=300)
    #: Claim whose value is the principal.
    principal_claim: str = "sub"
    #: claim (dotted path for nested claims, e.g. `realm_access.roles`) -> attribute.
    claims_mapping: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CLAIMS_MAPPING))

    @field_validator("algorithms")
    @classmethod
    def _asymmetric(cls, value: list[str]) -> list[str]:
        bad = sorted(set(value) - set(ASYMMETRIC_ALGORITHMS))
        if bad or not value:
            raise ValueError(
                f"algorithms {bad or value} cannot be verified with a JWKS; use some of "
                f"{list(ASYMMETRIC_ALGORITHMS)}"
            )
        return value


class ApiKeysConfig(_Model):
    enabled: bool = True
    #: SHA-256 (hex) of a bootstrap admin key (`llamastack keys hash` makes one): the way
    #: to call the gateway as an admin before any key exists. Never the key itself.
    bootstrap_admin_sha256: str = ""
    bootstrap_admin_principal: str = "admin"

    @field_validator("bootstrap_admin_sha256")
    @classmethod
    def _hex(cls, value: str) -> str:
        value = value.strip().lower()
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            raise ValueError(
                "bootstrap_admin_sha256 must be the 64 hex digits of a SHA-256 "
                "(`llamastack keys hash` prints one), never the key itself"
            )
        return value


class AuthConfig(_Model):
    enabled: bool = True
    #: Attribute value in `roles` that may manage API keys.
    admin_role: str = "admin"
    api_keys: ApiKeysConfig = Field(default_factory=ApiKeysConfig)
    provider_config: OAuth2TokenConfig | None = None
    #: Rules, first match decides; empty: `policy.DEFAULT_POLICY`. No match: denied.
    access_policy: list[AccessRule] = Field(default_factory=list)
    #: Seconds an API key's identity stays cached in a gateway (a revoked key is refused at
    #: once by the gateway that revoked it; see revocation_poll_s for the others).
    cache_ttl_s: float = Field(30.0, ge=0)
    #: Every gateway checks the store for revocations this often (the longest a revoked key
    #: keeps working on another replica).
    revocation_poll_s: float = Field(1.0, gt=0)
    #: `realm` of the `WWW-Authenticate: Bearer` challenge.
    realm: str = "llamastack"

    @model_validator(mode="after")
    def _some_method(self) -> AuthConfig:
        if self.enabled and not self.api_keys.enabled and self.provider_config is None:
            raise ValueError(
                "server.auth is enabled but accepts no credential: enable api_keys or set "
                "provider_config (oauth2_token)"
            )
        return self


class QuotaLimits(_Model):
    requests_per_minute: int | None = Field(None, ge=1)
    tokens_per_day: int | None = Field(None, ge=1)


class QuotaConfig(QuotaLimits):
    """Limits per principal (`requests_per_minute`, `tokens_per_day`), overridable per
    principal; API keys may carry their own limits on top."""

    principals: dict[str, QuotaLimits] = Field(default_factory=dict)
    #: Length of the request window in seconds: `requests_per_minute` is counted per
    #: window (change it for tests, or for limits over other periods).
    request_window_s: int = Field(60, ge=1)
    #: Length of the token window in seconds (a UTC day): `tokens_per_day` per window.
    token_window_s: int = Field(86_400, ge=1)
    #: APIs whose calls are refused once a token quota is used up (their services report
    #: usage; calls on a principal's behalf, e.g. an agent's inference, count too).
    metered_apis: list[str] = Field(default_factory=lambda: ["inference"])

    def limits_for(self, principal: str) -> QuotaLimits:
        own = self.principals.get(principal)
        if own is None:
            return self
        return QuotaLimits(
            requests_per_minute=own.requests_per_minute or self.requests_per_minute,
            tokens_per_day=own.tokens_per_day or self.tokens_per_day,
        )

    @property
    def active(self) -> bool:
        limits = [self, *self.principals.values()]
        return any(q.requests_per_minute or q.tokens_per_day for q in limits)
