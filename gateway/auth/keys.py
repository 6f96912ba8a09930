"""API keys in the state store, shared by every gateway replica.

A key reads `lls_<key_id>_<secret>`: `key_id` (16 hex digits) names the stored record, the
secret is 32 random bytes (base64url). Only SHA-256 of the whole key is stored; a fast hash
is right for a random 256-bit secret (there is nothing to brute-force), and verification is
a store read plus a constant-time compare. Revoking deletes the record and bumps a
revocation document whose version every gateway polls (`Authenticator`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, field

from services.common.errors import InvalidArgument
from services.common.security.config import QuotaLimits
from services.common.state import StateStore, cursor

__all__ = ["KEY_PREFIX", "ApiKeyRecord", "ApiKeyStore", "hash_key", "new_key"]

KEY_PREFIX = "lls_"
COLLECTION = "api_keys_v1"
META = "api_keys_meta_v1"
REVOCATIONS = "revocations"
MAX_PRINCIPAL = 256
MAX_ATTRIBUTE_VALUES = 64


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """(key_id, key)."""
    key_id = secrets.token_hex(8)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(key: str) -> str | None:
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 16 or not secret:
        return None
    return key_id


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    sha256: str
    principal: str
    attributes: dict[str, list[str]] = field(default_factory=dict)
    description: str = ""
    created: float = 0.0
    #: Unix time; 0: never.
    expires: float = 0.0
    requests_per_minute: int | None = None
    tokens_per_day: int | None = None
    created_by: str = ""

    def expired(self, now: float) -> bool:
        return bool(self.expires) and now >= self.expires

    @property
    def limits(self) -> QuotaLimits | None:
        if self.requests_per_minute is None and self.tokens_per_day is None:
            return None
        return QuotaLimits(
            requests_per_minute=self.requests_per_minute, tokens_per_day=self.tokens_per_day
        )


def _check(principal: str, attributes: dict[str, list[str]], ttl_s: float | None) -> None:
    if not principal or len(principal) > MAX_PRINCIPAL or not principal.isprintable():
        raise InvalidArgument(
            f"principal must be 1 to {MAX_PRINCIPAL} printable characters", field="principal"
        )
    for name, values in attributes.items():
        if not name.isidentifier() or len(values) > MAX_ATTRIBUTE_VALUES:
            raise InvalidArgument(
                f"attribute {name!r}: names are identifiers (roles, teams, projects...) with "
                f"at most {MAX_ATTRIBUTE_VALUES} values",
                field="attributes",
            )
        if any(not v or len(v) > MAX_PRINCIPAL or not v.isprintable() for v in values):
            raise InvalidArgument(
                f"attribute {name!r}: values are 1 to {MAX_PRINCIPAL} printable characters",
                field="attributes",
            )
    if ttl_s is not None and ttl_s <= 0:
        raise InvalidArgument("ttl must be positive (or unset: no expiry)", field="ttl")


class ApiKeyStore:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    async def create(
        self,
        principal: str,
        attributes: dict[str, list[str]],
        *,
        description: str = "",
        ttl_s: float | None = None,
        limits: QuotaLimits | None = None,
        created_by: str = "",
    ) -> tuple[ApiKeyRecord, str]:
        _check(principal, attributes, ttl_s)
        key_id, key = new_key()
        now = time.time()
        record = ApiKeyRecord(
            key_id=key_id,
            sha256=hash_key(key),
            principal=principal,
            attributes={k: list(v) for k, v in sorted(attributes.items()) if v},
            description=description,
            created=now,
            expires=now + ttl_s if ttl_s else 0.0,
            requests_per_minute=limits.requests_per_minute if limits else None,
            tokens_per_day=limits.tokens_per_day if limits else None,
            created_by=created_by,
        )
        await self._store.put(COLLECTION, key_id, json.dumps(asdict(record)).encode(), expect=0)
        return record, key

    async def get(self, key_id: str) -> ApiKeyRecord | None:
        doc = await self._store.get(COLLECTION, key_id)
        return ApiKeyRecord(**json.loads(doc.data)) if doc is not None else None

    async def verify(self, key: str) -> ApiKeyRecord | None:
        """The record of a presented key, or None (unknown, wrong secret, expired)."""
        key_id = key_id_of(key)
        if key_id is None:
            return None
        record = await self.get(key_id)
        if record is None or not hmac.compare_digest(record.sha256, hash_key(key)):
            return None
        return None if record.expired(time.time()) else record

    async def list(
        self, after: str, limit: int, principal: str = ""
    ) -> tuple[list[ApiKeyRecord], str]:
        """A page of keys (of one principal when given) and the cursor of the next page."""
        out: list[ApiKeyRecord] = []
        while len(out) < limit:
            docs = await self._store.list(COLLECTION, after=after, limit=max(limit, 100))
            if not docs:
                return out, ""
            for doc in docs:
                after = cursor(doc)
                record = ApiKeyRecord(**json.loads(doc.data))
                if not principal or record.principal == principal:
                    out.append(record)
                    if len(out) == limit:
                        return out, after
        return out, after

    async def revoke(self, key_id: str) -> bool:
        deleted = await self._store.delete(COLLECTION, key_id)
        if deleted:
            await self._store.put(META, REVOCATIONS, b"")  # bumps its version
        return deleted

    async def revocation_epoch(self) -> int:
        doc = await self._store.get(META, REVOCATIONS)
        return doc.version if doc is not None else 0
