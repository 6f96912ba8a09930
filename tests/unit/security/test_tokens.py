"""JWT checks against a real JWKS endpoint (an HTTP server in a thread): caching, refetch on
an unknown kid (rate-limited), claims mapping, refusals."""

from __future__ import annotations

import time

import jwt
import pytest

from gateway.auth.tokens import JwtVerifier
from services.common.security.config import OAuth2TokenConfig
from services.common.security.errors import Unauthenticated
from tests.support.jwks import AUDIENCE, ISSUER, JwksServer, SigningKey


@pytest.fixture(scope="module")
def key():
    return SigningKey.generate("k1")


@pytest.fixture
def jwks(key):
    with JwksServer([key]) as server:
        yield server


def verifier(server: JwksServer, **over) -> tuple[JwtVerifier, list[int]]:
    changes: list[int] = []
    config = OAuth2TokenConfig.model_validate(
        {
            "type": "oauth2_token",
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "jwks": {"uri": server.url, "min_refetch_interval": 60},
            "claims_mapping": {"groups": "teams", "realm_access.roles": "roles", "scope": "scopes"},
            **over,
        }
    )
    return JwtVerifier(config, lambda: changes.append(1)), changes


async def test_claims_become_the_caller(jwks, key):
    v, _ = verifier(jwks)
    await v.jwks.start()
    token = key.token("u1", groups=["red", "blue"], realm_access={"roles": ["admin"]},
                      scope="read write")  # fmt: skip
    caller, exp = await v.verify(token)
    assert caller.principal == "u1" and caller.via == "jwt"
    assert caller.subject.attributes == {
        "teams": ("red", "blue"), "roles": ("admin",), "scopes": ("read", "write"),
    }  # fmt: skip
    assert exp == pytest.approx(time.time() + 300, abs=5)
    assert dict(caller.upstream)["x-llamastack-principal"] == "u1"
    await v.jwks.close()


async def test_an_unknown_kid_refetches_once_per_interval(jwks, key):
    v, changes = verifier(jwks)
    await v.jwks.start()
    assert jwks.fetches == 1 and changes == [1]
    for _ in range(3):
        await v.verify(key.token("u"))
    assert jwks.fetches == 1  # cached key set
    stranger = SigningKey.generate("k9")
    for _ in range(5):
        with pytest.raises(Unauthenticated, match="kid 'k9'"):
            await v.verify(stranger.token("mallory"))
    assert jwks.fetches == 2  # one refetch, then rate-limited
    await v.jwks.close()


async def test_a_rotated_key_is_picked_up(jwks, key):
    v, changes = verifier(jwks, jwks={"uri": jwks.url, "min_refetch_interval": 0})
    await v.jwks.start()
    new = SigningKey.generate("k2")
    jwks.keys = [key, new]
    caller, _ = await v.verify(new.token("u2"))
    assert caller.principal == "u2" and len(changes) == 2 and jwks.fetches == 2
    await v.jwks.close()


async def test_the_provider_being_down_at_start_is_not_fatal(key):
    with JwksServer([key]) as server:
        url = server.url
    v, _ = verifier(server, jwks={"uri": url})
    await v.jwks.start()  # logged, not raised
    with pytest.raises(Unauthenticated, match="cannot load the identity provider's keys"):
        await v.verify(key.token("u"))
    await v.jwks.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda k: k.token("u", ttl=-60), "expired"),
        (lambda k: k.token("u", ttl=-10), None),  # within the 30 s leeway
        (lambda k: k.token("u", aud="other"), "not issued for this service"),
        (lambda k: k.token("u", iss="https://other"), "untrusted issuer"),
        (lambda k: k.token("u", nbf=int(time.time()) + 120), "not valid yet"),
        (lambda k: k.token("", ), "no 'sub' claim"),
        (lambda k: jwt.encode({"sub": "u", "aud": AUDIENCE, "iss": ISSUER}, k.private,
                              algorithm="RS256", headers={"kid": "k1"}), "lacks a required claim"),
        (lambda k: jwt.encode({"sub": "u"}, "s" * 32, algorithm="HS256"), "HS256' is not"),
        (lambda k: k.token("u")[:-4] + "AAAA", "signature does not verify"),
        (lambda k: "not.a.jwt", "neither an API key nor a JWT"),
    ],
)  # fmt: skip
async def test_bad_tokens(jwks, key, make, message):
    v, _ = verifier(jwks)
    await v.jwks.start()
    if message is None:
        await v.verify(make(key))
    else:
        with pytest.raises(Unauthenticated, match=message):
            await v.verify(make(key))
    await v.jwks.close()
