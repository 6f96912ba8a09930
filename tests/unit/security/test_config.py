"""`server.auth` / `server.quota` / TLS in the run config, and the mesh credential."""

from __future__ import annotations

import pytest

from services.common.config import ConfigError, parse_run_config
from services.common.security.mesh import MeshConfigError, MeshCredentials, MeshSettings


def _server(**server) -> dict:
    return {"version": 2, "server": server}


def test_auth_is_off_unless_configured():
    assert not parse_run_config(_server(), {}).server.auth_enabled
    assert not parse_run_config(_server(auth={"enabled": False}), {}).server.auth_enabled
    on = parse_run_config(_server(auth={}), {}).server
    assert on.auth_enabled and on.auth.api_keys.enabled


def test_auth_toggles_from_the_environment():
    raw = _server(auth={"enabled": "${env.LLS_AUTH_ENABLED:=false}"})
    assert not parse_run_config(raw, {}).server.auth_enabled
    assert parse_run_config(raw, {"LLS_AUTH_ENABLED": "true"}).server.auth_enabled


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        ({"api_keys": {"enabled": False}}, "accepts no credential"),
        ({"api_keys": {"bootstrap_admin_sha256": "lls_plain_key"}}, "never the key itself"),
        (
            {"provider_config": {"type": "oauth2_token", "audience": "x",
                                 "jwks": {"uri": "http://idp"}, "algorithms": ["HS256"]}},
            "cannot be verified with a JWKS",
        ),
        ({"provider_config": {"type": "oauth2_token", "jwks": {"uri": "http://idp"}}}, "audience"),
        ({"access_policy": [{"permit": {"actions": ["read"]}, "when": "user likes it"}]},
         "unknown condition"),
        ({"top_level_typo": 1}, "top_level_typo"),
    ],
)  # fmt: skip
def test_auth_mistakes_are_config_errors(auth, message):
    with pytest.raises(ConfigError, match=message):
        parse_run_config(_server(auth=auth), {})


def test_quota_limits_per_principal():
    quota = parse_run_config(
        _server(quota={"requests_per_minute": 60, "principals": {"bot": {"tokens_per_day": 5}}}),
        {},
    ).server.quota
    assert quota.active
    bot = quota.limits_for("bot")
    assert (bot.requests_per_minute, bot.tokens_per_day) == (60, 5)
    assert quota.limits_for("other").tokens_per_day is None
    with pytest.raises(ConfigError):
        parse_run_config(_server(quota={"requests_per_minute": 0}), {})


def test_listener_tls_files_go_together():
    with pytest.raises(ConfigError, match="go together"):
        parse_run_config(_server(tls_certfile="/c.pem"), {})
    with pytest.raises(ConfigError, match=r"needs server\.tls_certfile"):
        parse_run_config(_server(tls_cafile="/ca.pem"), {})
    # ${env.X:=} leaves TLS off
    raw = _server(tls_certfile="${env.C:=}", tls_keyfile="${env.K:=}")
    assert parse_run_config(raw, {}).server.tls_certfile == ""


def test_mesh_credential_from_a_directory(tmp_path):
    assert not MeshCredentials.load(MeshSettings(auth_dir=None)).enabled
    (tmp_path / "token").write_text("s3cret-token-of-the-mesh\n")
    creds = MeshCredentials.load(MeshSettings(auth_dir=tmp_path))
    assert creds.enabled and not creds.mtls
    assert creds.accepts("s3cret-token-of-the-mesh") and not creds.accepts("nope")
    assert not creds.accepts(None) and not creds.accepts(b"s3cret-token-of-the-mesh")
    env_wins = MeshCredentials.load(MeshSettings(auth_dir=tmp_path, token="from-env-0123456789"))
    assert env_wins.token == "from-env-0123456789"


@pytest.mark.parametrize(
    ("files", "settings", "message"),
    [
        ({"token": "t" * 20, "tls.crt": "x"}, {}, "missing: ca.crt, tls.key"),
        ({"tls.crt": "x", "tls.key": "y", "ca.crt": "z"}, {}, "needs the shared token"),
        ({}, {"require": True}, "no mesh credential"),
        ({"token": "short"}, {}, "at least 16"),
    ],
)
def test_mesh_credential_mistakes_stop_the_process(tmp_path, files, settings, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(MeshConfigError, match=message):
        MeshCredentials.load(MeshSettings(auth_dir=tmp_path, **settings))
