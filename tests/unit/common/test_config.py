from __future__ import annotations

import pytest

from services.common.config import ConfigError, parse_run_config, substitute


def test_substitution_forms():
    env = {"A": "1", "EMPTY": "", "URL": "http://x"}
    assert substitute("${env.A}", env) == 1  # a lone reference keeps YAML typing
    assert substitute("v${env.A}", env) == "v1"
    assert substitute("${env.MISSING:=dflt}", env) == "dflt"
    assert substitute("${env.EMPTY:=dflt}", env) == "dflt"
    assert substitute("${env.URL:+vllm}", env) == "vllm"
    assert substitute("${env.MISSING:+vllm}", env) == ""
    assert substitute({"a": ["${env.URL}/v1"]}, env) == {"a": ["http://x/v1"]}
    with pytest.raises(ConfigError, match="MISSING is required"):
        substitute("${env.MISSING}", env)


def test_disabled_providers_and_resources_are_dropped():
    cfg = parse_run_config(
        {
            "providers": {
                "inference": [
                    {"provider_id": "${env.VLLM_URL:+vllm}", "provider_type": "remote::vllm"},
                    {"provider_id": "local", "provider_type": "inline::llama-cpp"},
                ]
            },
            "services": {"inference": {}},
            "models": [
                {"model_id": "m", "provider_id": "${env.VLLM_URL:+vllm}"},
                {"model_id": "n", "provider_id": "local"},
            ],
        },
        env={},
    )
    assert [p.provider_id for p in cfg.providers["inference"]] == ["local"]
    assert [m["model_id"] for m in cfg.resources("models")] == ["n"]
    assert cfg.port_of("inference") == 50061 and cfg.api_services() == ["inference"]


def test_services_choose_their_providers():
    cfg = parse_run_config(
        {
            "providers": {
                "inference": [
                    {"provider_id": "a", "provider_type": "inline::x"},
                    {"provider_id": "b", "provider_type": "remote::y"},
                ]
            },
            "services": {
                "inference": {"providers": ["a"], "port": 1},
                "inference_remote": {"api": "inference", "providers": ["b"]},
            },
        },
        env={},
    )
    assert [p.provider_id for p in cfg.providers_of("inference_remote")] == ["b"]
    assert cfg.api_of("inference_remote") == "inference"
    assert cfg.port_of("inference") == 1


def test_bad_configs_say_what_is_wrong():
    with pytest.raises(ConfigError, match="used by both"):
        parse_run_config(
            {
                "providers": {
                    "inference": [{"provider_id": "a", "provider_type": "x"}],
                    "safety": [{"provider_id": "a", "provider_type": "y"}],
                }
            },
            env={},
        )
    with pytest.raises(ConfigError, match="not configured"):
        parse_run_config({"services": {"inference": {"providers": ["zz"]}}}, env={})
