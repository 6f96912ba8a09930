"""The generated packaging files are current, the values schema does its job, and the Envoy
config the chart ships is one Envoy accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from deploy.local.spec import REPO
from deploy.packaging.sync import CHART, generated_files, stale_files
from tests.deploy.chart import CASES, deep_merge, render_case


def test_generated_files_are_current():
    stale = [str(p.relative_to(REPO)) for p in stale_files()]
    assert not stale, (
        f"out of date: {', '.join(stale)}. Run `llamastack package sync` (after `make proto` "
        "when protos changed) and commit the result."
    )


def test_every_distribution_has_chart_values():
    dists = {p.parent.name for p in (REPO / "deploy" / "distributions").glob("*/run.yaml")}
    names = {p.name for p in generated_files() if p.name.startswith("values-")}
    assert names == {f"values-{d}.yaml" for d in dists}


def _schema() -> dict:
    return json.loads((CHART / "values.schema.json").read_text())


@pytest.mark.parametrize("file", sorted({f for f, _ in CASES.values()} | {"values.yaml"}))
def test_values_files_satisfy_the_schema(file):
    values = yaml.safe_load((CHART / file).read_text())
    jsonschema.validate(values, _schema())


def test_schema_closes_objects_but_not_kubernetes_fragments():
    # Helm checks the schema against the merged values (values.yaml under the user's).
    validator = jsonschema.Draft7Validator(_schema())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    free = {
        "defaults": {"resources": {"limits": {"nvidia.com/gpu": 1}}},
        "components": {"gateway": {"port": 1, "podAnnotations": {"a": "b"}}},
    }
    assert not list(validator.iter_errors(deep_merge(defaults, free)))
    for bad in (
        {"redis": {"enabeld": True}},
        {"components": {"x": {"role": "sidecar", "port": 1}}},
        {"components": {"x": {"port": 70000}}},
        {"logLevel": "LOUD"},
    ):
        assert list(validator.iter_errors(deep_merge(defaults, bad))), bad


def test_chart_envoy_config_is_accepted_by_envoy(tmp_path: Path):
    from tests.integration.rest.envoy_proc import validate_config

    rendered = render_case("local")
    text = rendered.get("ConfigMap", "lls-llamastack-envoy")["data"]["envoy.yaml"]
    # Envoy resolves the gateway at start; outside a cluster its Service name does not
    # resolve, which `--mode validate` does not need.
    path = tmp_path / "envoy.yaml"
    path.write_text(text)
    result = validate_config(path)
    assert result.returncode == 0, result.stdout + result.stderr
