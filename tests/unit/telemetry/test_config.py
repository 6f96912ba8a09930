"""Where telemetry goes and how much: run.yaml `telemetry:` against the OTEL_* variables."""

from __future__ import annotations

import pytest

from services.common.config import parse_run_config
from services.common.telemetry.config import envoy_tracing, plan, telemetry_service


def _run(telemetry: dict | None = None, with_service: bool = True, **extra):
    data = {
        "providers": {
            "inference": [{"provider_id": "x", "provider_type": "inline::llama-cpp"}],
            "telemetry": [{"provider_id": "t", "provider_type": "inline::meta-reference"}],
        },
        "services": {"gateway": {}, "inference": {}, **({"telemetry": {}} if with_service else {})},
        **extra,
    }
    if telemetry is not None:
        data["telemetry"] = telemetry
    return parse_run_config(data, env={})


def test_default_is_the_distribution_telemetry_service_at_full_sampling():
    p = plan(_run(), env={})
    assert p is not None
    assert p.traces_endpoint == p.metrics_endpoint == "localhost:50068"
    assert (p.traces, p.metrics, p.sample_ratio) == (True, True, 1.0)
    assert p.metric_interval_ms == 10_000
    assert p.source == p.collector_service == "telemetry"


def test_the_telemetry_service_address_comes_from_its_addr_variable():
    p = plan(_run(), env={"LLS_TELEMETRY_ADDR": "10.0.0.5:7000"})
    assert p is not None and p.traces_endpoint == "10.0.0.5:7000"


def test_no_telemetry_service_and_no_endpoint_means_off():
    assert telemetry_service(_run(with_service=False)) is None
    assert plan(_run(with_service=False), env={}) is None


def test_a_run_yaml_endpoint_and_ratio_are_used():
    run = _run({"otlp_endpoint": "collector:4317", "sample_ratio": 0.25})
    p = plan(run, env={})
    assert p is not None and p.traces_endpoint == "collector:4317" and p.sample_ratio == 0.25
    assert p.collector_service is None


@pytest.mark.parametrize(
    "env",
    [
        {"OTEL_SDK_DISABLED": "true"},
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"},
    ],
)
def test_switched_off_by_otel_variables(env):
    assert plan(_run(), env=env) is None


def test_switched_off_in_the_run_yaml():
    assert plan(_run({"enabled": False}), env={}) is None


def test_otel_endpoint_and_sampler_variables_win():
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4317",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.5",
        "OTEL_METRIC_EXPORT_INTERVAL": "1000",
    }
    p = plan(_run({"sample_ratio": 0.1}), env=env)
    assert p is not None
    # None: the exporters and the SDK read the OTEL_* variables themselves.
    assert p.traces_endpoint is None and p.sample_ratio is None and p.metric_interval_ms is None
    assert p.source == "OTEL_EXPORTER_OTLP_ENDPOINT"
    tracing = envoy_tracing(_run(), env=env)
    assert tracing is not None and (tracing.host, tracing.port) == ("otel", 4317)
    assert tracing.sample_percent == 50.0


def test_one_signal_can_be_turned_off():
    p = plan(_run(), env={"OTEL_METRICS_EXPORTER": "none"})
    assert p is not None and p.traces and not p.metrics


def test_http_protocol_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"):
        plan(_run(), env={"OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"})


def test_envoy_tracing_follows_the_plan():
    tracing = envoy_tracing(_run({"sample_ratio": 0.1}), env={"LLS_TELEMETRY_ADDR": "127.0.0.1:9"})
    assert tracing is not None
    assert (tracing.host, tracing.port, tracing.sample_percent) == ("127.0.0.1", 9, 10.0)
    assert envoy_tracing(_run({"enabled": False}), env={}) is None
    # A TLS collector is not something Envoy's static cluster here can reach.
    assert envoy_tracing(_run({"otlp_endpoint": "https://otel:4317"}), env={}) is None


def test_bound_ports_override_the_run_yaml():
    p = plan(_run(), env={}, ports={"telemetry": 41000})
    assert p is not None and p.traces_endpoint == "localhost:41000"


def test_unknown_telemetry_keys_are_config_errors():
    from services.common.config import ConfigError

    with pytest.raises(ConfigError, match="telemetry"):
        _run({"sample_rate": 0.5})
    with pytest.raises(ConfigError, match="sample_ratio"):
        _run({"sample_ratio": 2})


def test_envoy_does_not_trace_into_a_closed_internal_network():
    env = {"LLS_TELEMETRY_ADDR": "127.0.0.1:9", "LLS_MESH_TOKEN": "secret"}
    assert envoy_tracing(_run(), env=env) is None
    # Its own collector is another matter: no mesh credential needed there.
    other = {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4317"}
    assert envoy_tracing(_run(), env=other) is not None


def test_exporters_carry_the_mesh_credential_only_to_the_mesh():
    from services.common.security.mesh import MeshCredentials
    from services.common.telemetry.sdk import _exporter_args

    mesh = MeshCredentials(token="secret")
    args = _exporter_args("telemetry:50068", mesh)
    assert args == {"endpoint": "http://telemetry:50068", "headers": mesh.metadata()}
    assert _exporter_args("telemetry:50068", None) == {"endpoint": "http://telemetry:50068"}
    tls = MeshCredentials(token="secret", cert_chain=b"c", private_key=b"k", ca=b"a")
    args = _exporter_args("telemetry:50068", tls)
    assert args["endpoint"] == "telemetry:50068" and args["insecure"] is False
    assert args["channel_options"] == (("grpc.ssl_target_name_override", "llamastack-mesh"),)
