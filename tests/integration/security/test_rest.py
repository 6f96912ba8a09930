"""The same security over REST through a real Envoy: 401 with WWW-Authenticate, 404 for what
the caller cannot see, 403, 429 with Retry-After, key management, and TLS on the listener."""

from __future__ import annotations

import httpx
import pytest

from deploy.envoy.tls import ListenerTls
from tests.integration.rest.envoy_proc import EnvoyProcess
from tests.support.certs import Ca

from .conftest import ADMIN_KEY, REQUEST_WINDOW, Secured, fresh_window


@pytest.fixture(scope="module")
def rest(secured_envoy):
    with httpx.Client(base_url=secured_envoy.base_url, timeout=30) as client:
        yield client


def _auth(s: Secured, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {s.keys.get(who, who)}"}


def test_no_credential_is_401_with_a_challenge(rest, secured):
    r = rest.get("/v1/models")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="llamastack"'
    body = r.json()
    assert body["code"] == 16
    assert body["details"][0]["reason"] == "ERROR_REASON_UNAUTHENTICATED"
    bad = rest.get("/v1/models", headers={"authorization": "Bearer lls_0123456789abcdef_x"})
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
    expired = secured.signing.token("rest-user", ttl=-120)
    r = rest.get("/v1/models", headers={"authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "expired" in r.json()["message"]
    assert rest.get("/v1/health").status_code == 200  # probes stay open


def test_keys_and_tokens_work_over_rest(rest, secured):
    r = rest.get("/v1/models", headers=_auth(secured, "alice"))
    assert r.status_code == 200 and "echo-llm/m1" in {m["identifier"] for m in r.json()["data"]}
    token = secured.signing.token("rest-user", groups=["red"])
    assert rest.get("/v1/models", headers={"authorization": f"Bearer {token}"}).status_code == 200


def test_other_users_resources_are_404_and_teammates_get_403_on_delete(rest, secured):
    created = rest.post(
        "/v1/models",
        headers=_auth(secured, "alice"),
        json={"model_id": "alice-rest", "provider_model_id": "m2", "provider_id": "echo-llm"},
    )
    assert created.status_code == 200, created.text
    assert created.json()["owner"]["principal"] == "alice"
    message = {"role": "ROLE_USER", "content": [{"text": "x"}]}
    chat = {"model_id": "alice-rest", "messages": [message]}
    bob = _auth(secured, "bob")
    assert rest.get("/v1/models/alice-rest", headers=bob).status_code == 404
    assert rest.post("/v1/inference/chat-completion", headers=bob, json=chat).status_code == 404
    assert rest.delete("/v1/models/alice-rest", headers=bob).status_code == 404
    ids = {m["identifier"] for m in rest.get("/v1/models", headers=bob).json()["data"]}
    assert "alice-rest" not in ids
    carol = _auth(secured, "carol")  # alice's teammate
    assert rest.post("/v1/inference/chat-completion", headers=carol, json=chat).status_code == 200
    denied = rest.delete("/v1/models/alice-rest", headers=carol)
    assert denied.status_code == 403
    assert "may not delete model 'alice-rest'" in denied.json()["message"]
    assert rest.delete("/v1/models/alice-rest", headers=_auth(secured, "alice")).status_code == 200


def test_quota_is_429_with_retry_after(rest, secured):
    key = rest.post(
        "/v1/admin/api-keys",
        headers=_auth(secured, ADMIN_KEY),
        json={"principal": "rest-limited", "limits": {"requests_per_minute": 2}, "ttl": "600s"},
    )
    assert key.status_code == 200, key.text
    assert key.json()["api_key"]["limits"]["requests_per_minute"] == "2"
    headers = {"authorization": f"Bearer {key.json()['secret']}"}
    fresh_window(REQUEST_WINDOW)
    for _ in range(2):
        assert rest.get("/v1/models", headers=headers).status_code == 200
    r = rest.get("/v1/models", headers=headers)
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= REQUEST_WINDOW
    assert r.json()["details"][0]["reason"] == "ERROR_REASON_QUOTA_EXCEEDED"


def test_key_management_is_admin_only_over_rest(rest, secured):
    r = rest.get("/v1/admin/api-keys", headers=_auth(secured, "alice"))
    assert r.status_code == 403
    keys = rest.get("/v1/admin/api-keys", headers=_auth(secured, ADMIN_KEY)).json()["data"]
    assert {"alice", "bob"} <= {k["principal"] for k in keys}
    assert all("secret" not in k and "sha256" not in k for k in keys)


def test_tls_on_the_public_listener(secured, tmp_path):
    ca = Ca()
    issued = ca.issue(["localhost"], ips=["127.0.0.1"]).write(tmp_path)
    (tmp_path / "ca.crt").write_bytes(ca.pem)
    tls = ListenerTls(str(tmp_path / "tls.crt"), str(tmp_path / "tls.key"))
    envoy = EnvoyProcess(tmp_path, secured.gateway.address, name="envoy-tls", tls=tls).start()
    try:
        assert envoy.base_url.startswith("https://")
        with httpx.Client(base_url=envoy.base_url, verify=str(tmp_path / "ca.crt")) as client:
            assert client.get("/v1/models").status_code == 401
            assert client.get("/v1/models", headers=_auth(secured, "alice")).status_code == 200
        with pytest.raises(httpx.HTTPError):  # plaintext to the TLS port
            httpx.get(f"http://127.0.0.1:{envoy.port}/v1/models", timeout=5)
    finally:
        envoy.stop()
    assert issued.exists()
