"""The rendered Envoy config: shape, and `envoy --mode validate` accepts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

from deploy.envoy import config as envoy_config
from deploy.envoy.descriptors import prepare_descriptor

from .envoy_proc import validate_config

DESCRIPTOR = envoy_config.default_descriptor_path()


def _render(**overrides) -> str:
    kwargs = {
        "listen_port": 8321,
        "admin_port": 9901,
        "gateway_address": "127.0.0.1:50051",
        "descriptor_path": DESCRIPTOR,
        "services": envoy_config.public_services(),
        **overrides,
    }
    return envoy_config.render_config(**kwargs)


def _filters(cfg: dict) -> list[dict]:
    hcm = _hcm(cfg)
    return hcm["http_filters"]


def _hcm(cfg: dict) -> dict:
    listener = cfg["static_resources"]["listeners"][0]
    return listener["filter_chains"][0]["filters"][0]["typed_config"]


def _by_name(cfg: dict, name: str) -> dict:
    return next(f["typed_config"] for f in _filters(cfg) if f["name"] == name)


def test_interface() -> None:
    binary = envoy_config.envoy_binary()
    assert os.access(binary, os.X_OK)
    services = envoy_config.public_services()
    assert "llamastack.inference.v1.InferenceService" in services
    assert "llamastack.registry.v1.ModelService" in services
    assert "llamastack.inspect.v1.InspectService" in services
    assert not any(s.startswith("llamastack.provider.") for s in services)
    argv = envoy_config.envoy_command(Path("/tmp/x.yaml"), log_level="info")
    assert argv[0] == binary
    assert argv[argv.index("-c") + 1] == "/tmp/x.yaml"
    assert argv[argv.index("--log-level") + 1] == "info"
    assert "--disable-hot-restart" in argv
    assert argv[argv.index("--concurrency") + 1] in ("1", "2")


def test_shape() -> None:
    cfg = yaml.safe_load(_render(listen_host="127.0.0.1"))
    assert cfg["admin"]["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 9901}
    listeners = cfg["static_resources"]["listeners"]
    assert len(listeners) == 1
    assert listeners[0]["address"]["socket_address"]["port_value"] == 8321
    names = [f["name"] for f in _filters(cfg)]
    # No CORS filter unless enabled; gRPC-Web before the transcoder; the router last.
    assert "envoy.filters.http.cors" not in names
    assert names.index("envoy.filters.http.grpc_web") < names.index(
        "envoy.filters.http.grpc_json_transcoder"
    )
    assert names.index("envoy.filters.http.buffer") < names.index(
        "envoy.filters.http.grpc_json_transcoder"
    )
    # OpenAI's defaults are written into the whole (buffered) JSON body, before transcoding.
    assert (
        names.index("envoy.filters.http.buffer")
        < names.index("llamastack.openai_defaults")
        < names.index("envoy.filters.http.grpc_json_transcoder")
    )
    defaults = _by_name(cfg, "llamastack.openai_defaults")["default_source_code"]["inline_string"]
    assert '["/v1/moderations"] = "\\"model\\":\\"omni-moderation-latest\\""' in defaults
    assert names[-1] == "envoy.filters.http.router"

    tc = _by_name(cfg, "envoy.filters.http.grpc_json_transcoder")
    assert tc["convert_grpc_status"] is True
    assert tc["print_options"]["preserve_proto_field_names"] is True
    assert tc["print_options"]["always_print_primitive_fields"] is True
    assert tc["print_options"]["stream_sse_style_delimited"] is True
    assert tc["request_validation_options"]["reject_unknown_method"] is True
    assert set(tc["services"]) == set(envoy_config.public_services())

    routes = _hcm(cfg)["route_config"]["virtual_hosts"][0]["routes"]
    timeout_route, *response_routes, rest_grpc_route, grpc_route, rest_route = routes
    # A REST deadline header takes a route whose Lua code turns it into grpc-timeout.
    assert timeout_route["match"]["headers"][0] == {
        "name": "x-llamastack-timeout-ms",
        "present_match": True,
    }
    lua = timeout_route["typed_per_filter_config"]["llamastack.rest"]["source_code"]
    assert 'headers:replace("grpc-timeout", ms .. "m")' in lua["inline_string"]
    # gRPC and gRPC-Web are not buffered (bidirectional streams, e.g. server reflection).
    assert grpc_route["match"]["headers"][0]["name"] == "content-type"
    assert grpc_route["typed_per_filter_config"]["envoy.filters.http.buffer"]["disabled"]
    assert rest_route["match"] == {"prefix": "/"}
    for route in (rest_grpc_route, grpc_route, rest_route):  # no Lua where nothing is rewritten
        assert route["typed_per_filter_config"]["llamastack.rest"]["disabled"] is True
        assert route["typed_per_filter_config"]["llamastack.openai_defaults"]["disabled"] is True
    # REST callers are marked for the gateway (a failed stream ends with an error event); a
    # gRPC caller cannot pass the mark through.
    rest_mark = [{"header": {"key": "x-llamastack-rest", "value": "1"},
                  "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}]  # fmt: skip
    assert rest_grpc_route["request_headers_to_add"] == rest_mark
    assert grpc_route["request_headers_to_remove"] == ["x-llamastack-rest"]
    assert all(r["request_headers_to_add"] == rest_mark
               for r in response_routes if r["name"].startswith("rest-response"))  # fmt: skip
    for route in routes:
        assert route["route"]["cluster"] == "gateway"
        assert route["route"]["timeout"] == "0s"  # long streams are never cut by Envoy
    # The Lua filter runs on the routes of methods whose REST responses it rewrites.
    meta = {r["name"]: r["metadata"]["filter_metadata"]["llamastack.rest"] for r in response_routes}
    assert meta["rest-response/llamastack.openai.v1.OpenAIService/ChatCompletionsHttp"] == {
        "openai": True
    }
    assert meta["rest-response/llamastack.registry.v1.ModelService/GetModel"] == {
        "openai": True,
        "unwrap": "model",
    }
    assert meta["rest-response/llamastack.registry.v1.ShieldService/GetShield"] == {
        "unwrap": "shield"
    }
    assert meta["openai/v1/chat/completions"] == {"openai": True}
    assert not any("InferenceService/ChatCompletion" in name for name in meta)
    assert "cors" not in _hcm(cfg)["route_config"]["virtual_hosts"][0]  # deprecated field

    (cluster,) = cfg["static_resources"]["clusters"]
    assert cluster["name"] == "gateway"
    assert cluster["type"] == "STATIC"
    opts = cluster["typed_extension_protocol_options"][
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
    ]
    assert "http2_protocol_options" in opts["explicit_http_config"]


def test_dns_gateway_and_limits() -> None:
    cfg = yaml.safe_load(_render(gateway_address="gateway:50051", max_request_bytes=1234))
    (cluster,) = cfg["static_resources"]["clusters"]
    assert cluster["type"] == "STRICT_DNS"
    endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    assert endpoint["address"]["socket_address"] == {"address": "gateway", "port_value": 50051}
    assert _by_name(cfg, "envoy.filters.http.buffer")["max_request_bytes"] == 1234


def test_cors_per_route() -> None:
    cfg = yaml.safe_load(
        _render(cors={"allow_origins": ["https://app.example.com"], "max_age": 60})
    )
    assert "envoy.filters.http.cors" in [f["name"] for f in _filters(cfg)]
    for route in _hcm(cfg)["route_config"]["virtual_hosts"][0]["routes"]:
        policy = route["typed_per_filter_config"]["envoy.filters.http.cors"]
        assert policy["allow_origin_string_match"] == [{"exact": "https://app.example.com"}]
        assert policy["max_age"] == "60"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gateway_address": "nope"},
        {"services": []},
        {"max_request_bytes": 0},
        {"cors": {"allow_origin": ["x"]}},
    ],
)
def test_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError):
        _render(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"cors": True, "listen_host": "127.0.0.1"},
        {"cors": {"allow_origins": ["https://a.example", "*"], "allow_credentials": True}},
        {"gateway_address": "gateway.default.svc.cluster.local:50051"},
    ],
    ids=["default", "cors", "cors-options", "dns"],
)
def test_envoy_validates(tmp_path: Path, kwargs) -> None:
    path = tmp_path / "envoy.yaml"
    path.write_text(_render(**kwargs))
    result = validate_config(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_descriptor_response_body_cleared() -> None:
    """Envoy rejects `response_body` on non-HttpBody fields; the copy it loads has none,
    and the fields REST must unwrap come from the contracts."""
    prepared = prepare_descriptor(DESCRIPTOR.read_bytes())
    assert prepared.response_body["/llamastack.registry.v1.ModelService/GetModel"] == "model"
    assert prepared.response_body["/llamastack.registry.v1.ModelService/RegisterModel"] == "model"
    assert "/llamastack.registry.v1.ModelService/ListModels" not in prepared.response_body
    fds = descriptor_pb2.FileDescriptorSet.FromString(prepared.data)
    for fd in fds.file:
        for svc in fd.service:
            for m in svc.method:
                if m.options.HasExtension(annotations_pb2.http):
                    rule = m.options.Extensions[annotations_pb2.http]
                    for r in (rule, *rule.additional_bindings):
                        assert not r.response_body, f"{svc.name}.{m.name}"
    # convert_grpc_status can print ErrorInfo details only when the set holds their types.
    names = [fd.name for fd in fds.file]
    assert "google/rpc/error_details.proto" in names
    assert names.index("google/protobuf/duration.proto") < names.index(
        "google/rpc/error_details.proto"
    )
    # Idempotent: preparing again changes nothing.
    again = prepare_descriptor(prepared.data)
    assert again.data == prepared.data
    assert again.response_body == {}


def test_cli_renders_from_run_config(tmp_path: Path) -> None:
    """`python -m deploy.envoy` (containers, Helm) takes the run config's `server:` section."""
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(
        "version: 2\nserver:\n  port: 18080\n  cors: true\n  max_request_bytes: 4096\n"
    )
    out = tmp_path / "envoy.yaml"
    argv = ["--run-config", str(run_yaml), "--gateway", "gateway:50051", "-o", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "deploy.envoy", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    cfg = yaml.safe_load(out.read_text())
    listener = cfg["static_resources"]["listeners"][0]
    assert listener["address"]["socket_address"]["port_value"] == 18080
    assert "envoy.filters.http.cors" in [f["name"] for f in _filters(cfg)]
    assert _by_name(cfg, "envoy.filters.http.buffer")["max_request_bytes"] == 4096
    assert validate_config(out).returncode == 0
