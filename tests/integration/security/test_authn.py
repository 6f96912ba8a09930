"""Authentication at the gateway over gRPC: API keys (hashed, revocable, expiring), JWTs from
a real JWKS endpoint (expiry, audience, unknown kid, rotation), the admin-only key service."""

from __future__ import annotations

import json
import sqlite3
import time

import grpc
import pytest
from typer.testing import CliRunner

from cli.main import app
from llamastack.admin.v1 import api_key_service_pb2 as keys_pb
from llamastack.admin.v1 import api_key_service_pb2_grpc as keys_grpc
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.inspect.v1 import inspect_service_pb2 as insp
from llamastack.inspect.v1 import inspect_service_pb2_grpc as insp_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from tests.integration.gateway.mesh import error_info
from tests.support.jwks import SigningKey

from .conftest import ADMIN_KEY, Secured


def _list_models(s: Secured, metadata=()) -> list[str]:
    resp = ms_grpc.ModelServiceStub(s.channel).ListModels(ms.ListModelsRequest(), metadata=metadata)
    return [m.identifier for m in resp.data]


def _refused(s: Secured, metadata=()) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as err:
        _list_models(s, metadata)
    return err.value


def test_no_credential_is_unauthenticated_with_a_challenge(secured):
    err = _refused(secured)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "Authorization: Bearer" in err.details()
    assert error_info(err).reason == "ERROR_REASON_UNAUTHENTICATED"
    trailers = dict(err.trailing_metadata())
    assert trailers["www-authenticate"] == 'Bearer realm="llamastack"'


def test_health_liveness_and_version_stay_open(secured):
    stub = insp_grpc.InspectServiceStub(secured.channel)
    assert stub.GetLiveness(insp.GetLivenessRequest()).status
    assert stub.GetVersion(insp.GetVersionRequest()).version
    # ...but the rest of inspect needs a credential
    with pytest.raises(grpc.RpcError) as err:
        stub.ListProviders(insp.ListProvidersRequest())
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_api_keys_authenticate_and_bad_ones_do_not(secured):
    assert "echo-llm/m1" in _list_models(secured, secured.md("alice"))
    good = secured.keys["alice"]
    for bad in (good[:-2] + "xx", "lls_0123456789abcdef_nope", "not-a-key"):
        err = _refused(secured, secured.md(bad))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED, bad
    assert 'error="invalid_token"' in dict(err.trailing_metadata())["www-authenticate"]
    err = _refused(secured, (("authorization", f"Basic {good}"),))
    assert "must read `Bearer" in err.details()


def test_keys_are_stored_hashed(secured):
    conn = sqlite3.connect(secured.workdir / "registry.db")
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert secured.keys["alice"] not in dump and ADMIN_KEY not in dump
    assert secured.keys["alice"].split("_")[1] in dump  # the key id is public


def test_the_key_service_is_admin_only(secured):
    stub = keys_grpc.ApiKeyServiceStub(secured.channel)
    with pytest.raises(grpc.RpcError) as err:
        stub.ListApiKeys(keys_pb.ListApiKeysRequest(), metadata=secured.md("alice"))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "'admin' role" in err.value.details()
    listed = stub.ListApiKeys(keys_pb.ListApiKeysRequest(principal="alice"),
                              metadata=secured.md(ADMIN_KEY))  # fmt: skip
    assert [k.principal for k in listed.data] == ["alice"]
    assert listed.data[0].attributes["teams"].values == ["red"]


def test_a_revoked_key_is_refused_at_once(secured):
    created = secured.create_key("dave")
    md = secured.md(created.secret)
    assert _list_models(secured, md)  # cached now
    stub = keys_grpc.ApiKeyServiceStub(secured.channel)
    stub.RevokeApiKey(keys_pb.RevokeApiKeyRequest(key_id=created.api_key.key_id),
                      metadata=secured.md(ADMIN_KEY))  # fmt: skip
    assert _refused(secured, md).code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as err:
        stub.GetApiKey(keys_pb.GetApiKeyRequest(key_id=created.api_key.key_id),
                       metadata=secured.md(ADMIN_KEY))  # fmt: skip
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_an_expired_key_is_refused(secured):
    req = keys_pb.CreateApiKeyRequest(principal="eve")
    req.ttl.FromSeconds(1)
    created = keys_grpc.ApiKeyServiceStub(secured.channel).CreateApiKey(
        req, metadata=secured.md(ADMIN_KEY)
    )
    assert created.api_key.expire_time.seconds
    md = secured.md(created.secret)
    assert _list_models(secured, md)
    time.sleep(1.2)
    assert _refused(secured, md).code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_valid_jwt_authenticates_with_mapped_claims(secured):
    token = secured.signing.token("jwt-user", groups=["red"], realm_access={"roles": ["reader"]})
    assert "echo-llm/m1" in _list_models(secured, secured.md(token))


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"ttl": -120}, "expired"),
        ({"aud": "another-service"}, "not issued for this service"),
        ({"iss": "https://evil.test"}, "untrusted issuer"),
        ({"nbf": int(time.time()) + 600}, "not valid yet"),
    ],
)
def test_bad_tokens_are_refused(secured, claims, reason):
    token = secured.signing.token("jwt-user", **claims)
    err = _refused(secured, secured.md(token))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert reason in err.details()
    assert "invalid_token" in dict(err.trailing_metadata())["www-authenticate"]


def test_a_token_from_an_unknown_key_is_refused(secured):
    stranger = SigningKey.generate("stranger")
    before = secured.jwks.fetches
    err = _refused(secured, secured.md(stranger.token("mallory")))
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "kid 'stranger'" in err.details()
    assert secured.jwks.fetches == before + 1  # looked for a rotated key once


def test_a_rotated_key_is_fetched_and_the_old_one_dropped(secured):
    old = secured.signing
    old_token = old.token("rotating-user")
    assert _list_models(secured, secured.md(old_token))
    new = SigningKey.generate("k2")
    secured.jwks.keys = [new]  # the provider rotates: k1 is gone, k2 is in
    try:
        assert _list_models(secured, secured.md(new.token("rotating-user")))
        # The refetch saw k1 disappear: tokens it signed are no longer trusted.
        err = _refused(secured, secured.md(old.token("someone-else")))
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        assert _refused(secured, secured.md(old_token)).code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        secured.jwks.keys = [old, new]


def test_the_cli_manages_keys_and_calls_with_them(secured, monkeypatch):
    runner = CliRunner()
    monkeypatch.setenv("LLS_GATEWAY_ADDR", secured.gateway.address)

    def cli(key: str, *args: str):
        monkeypatch.setenv("LLS_API_KEY", key)
        return runner.invoke(app, list(args), catch_exceptions=False)

    made = cli(ADMIN_KEY, "keys", "create", "zed", "--team", "t1", "--ttl", "1h", "--json")
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    secret, key_id = created["secret"], created["api_key"]["key_id"]
    assert created["api_key"]["attributes"] == {"teams": {"values": ["t1"]}}
    listed = cli(secret, "models", "list", "--json")
    assert listed.exit_code == 0 and "echo-llm/m1" in listed.stdout
    denied = cli(secret, "keys", "list")
    assert denied.exit_code == 1 and "PERMISSION_DENIED" in denied.output
    assert cli(ADMIN_KEY, "keys", "revoke", key_id).exit_code == 0
    refused = cli(secret, "models", "list")
    assert refused.exit_code == 1 and "UNAUTHENTICATED" in refused.output
    assert "LLS_API_KEY" in refused.output  # the hint says what to set


def test_streams_are_refused_the_same_way(secured):
    request = inf.StreamChatCompletionRequest(
        model_id="echo-llm/m1",
        messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "hi"}])],
    )
    stub = inf_grpc.InferenceServiceStub(secured.channel)
    with pytest.raises(grpc.RpcError) as err:
        list(stub.StreamChatCompletion(request))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    chunks = list(stub.StreamChatCompletion(request, metadata=secured.md("alice")))
    assert len(chunks) == 3
