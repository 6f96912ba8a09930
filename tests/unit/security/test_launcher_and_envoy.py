"""What the launcher and Envoy's config do when security is on."""

from __future__ import annotations

import pytest
import yaml

from deploy.envoy import config as envoy_config
from deploy.envoy.tls import listener_tls
from deploy.local.spec import LaunchOptions, build_plan
from services.common.config import parse_run_config
from tests.integration.rest.envoy_proc import validate_config
from tests.support.certs import Ca

CONFIG = {
    "image_name": "t",
    "providers": {"inference": [{"provider_id": "a", "provider_type": "inline::x"}]},
    "services": {"gateway": {}, "inference": {}},
}


def _plan(tmp_path, monkeypatch, server: dict, **env):
    monkeypatch.delenv("LLS_MESH_TOKEN", raising=False)
    monkeypatch.delenv("LLS_MESH_AUTH_DIR", raising=False)
    config = parse_run_config({**CONFIG, "server": server}, {})
    options = LaunchOptions(run_config=tmp_path / "run.yaml", state_dir=tmp_path, env=env)
    return build_plan(config, options)


def test_with_auth_every_process_shares_a_fresh_mesh_token(tmp_path, monkeypatch):
    plan = _plan(tmp_path, monkeypatch, {"auth": {}})
    tokens = {p.env.get("LLS_MESH_TOKEN") for p in plan.processes}
    assert len(tokens) == 1 and len(tokens.pop() or "") >= 32
    again = _plan(tmp_path, monkeypatch, {"auth": {}}).processes[0].env["LLS_MESH_TOKEN"]
    assert again != plan.processes[0].env["LLS_MESH_TOKEN"]


def test_without_auth_or_with_a_given_credential_no_token_is_made(tmp_path, monkeypatch):
    assert not any("LLS_MESH_TOKEN" in p.env for p in _plan(tmp_path, monkeypatch, {}).processes)
    given = _plan(tmp_path, monkeypatch, {"auth": {}}, LLS_MESH_AUTH_DIR="/etc/mesh")
    assert not any(p.env.get("LLS_MESH_TOKEN") for p in given.processes)


@pytest.mark.parametrize("client_certs", [False, True])
def test_envoy_listener_tls_validates(tmp_path, client_certs):
    ca = Ca()
    ca.issue(["localhost"]).write(tmp_path)
    (tmp_path / "ca.crt").write_bytes(ca.pem)
    server = parse_run_config(
        {"server": {"tls_certfile": str(tmp_path / "tls.crt"),
                    "tls_keyfile": str(tmp_path / "tls.key"),
                    "tls_cafile": str(tmp_path / "ca.crt") if client_certs else None}},
        {},
    ).server  # fmt: skip
    text = envoy_config.render_config(
        listen_port=18443, admin_port=18901, gateway_address="127.0.0.1:50051",
        descriptor_path=envoy_config.default_descriptor_path(),
        services=envoy_config.public_services(), tls=listener_tls(server),
    )  # fmt: skip
    chain = yaml.safe_load(text)["static_resources"]["listeners"][0]["filter_chains"][0]
    tls = chain["transport_socket"]["typed_config"]
    assert tls["common_tls_context"]["alpn_protocols"] == ["h2", "http/1.1"]
    assert tls.get("require_client_certificate", False) is client_certs
    path = tmp_path / "envoy.yaml"
    path.write_text(text)
    result = validate_config(path)
    assert result.returncode == 0, result.stdout + result.stderr
