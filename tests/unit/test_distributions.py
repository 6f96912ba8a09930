"""Every shipped distribution loads, and every process it names exists."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

from services.common.config import load_run_config

DISTRIBUTIONS = sorted((Path(__file__).parents[2] / "deploy" / "distributions").glob("*/run.yaml"))
ENV = {"VLLM_URL": "http://vllm:8000/v1", "INFERENCE_MODEL": "meta-llama/Llama-3.2-3B-Instruct"}


def test_the_embedded_default_exists():
    assert "local" in {p.parent.name for p in DISTRIBUTIONS}
    assert "vllm" in {p.parent.name for p in DISTRIBUTIONS}


@pytest.mark.parametrize("path", DISTRIBUTIONS, ids=lambda p: p.parent.name)
def test_distribution_loads_and_its_services_exist(path):
    config = load_run_config(path, env=ENV)
    assert "gateway" in config.services
    for name in config.api_services():
        api = config.api_of(name)
        assert importlib.util.find_spec(f"services.{api}.__main__"), f"{name}: no services.{api}"
        specs = config.providers_of(name)
        assert specs, f"{name} hosts no provider"
        known = importlib.import_module(f"services.{api}.providers").PROVIDERS
        for spec in specs:
            assert spec.provider_type in known, f"{name}: unknown {spec.provider_type}"


def test_the_vllm_distribution_needs_its_url():
    from services.common.config import ConfigError

    with pytest.raises(ConfigError, match="VLLM_URL"):
        load_run_config(DISTRIBUTIONS[[p.parent.name for p in DISTRIBUTIONS].index("vllm")], env={})
