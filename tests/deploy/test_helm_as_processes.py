"""`helm install` without a cluster: the chart rendered with values-local.yaml, every pod's
command and environment run as local processes from the image's files (tests/deploy/podsim.py
says what is simulated), the probes passing as kubelet runs them, then the chart's own
`helm test` Pod run the same way: every component healthy and one chat through Envoy."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.deploy.chart import api_components, render_case
from tests.deploy.podsim import Cluster

pytestmark = pytest.mark.slow


def test_rendered_local_release_serves_a_chat(tmp_path: Path):
    rendered = render_case("local")
    cluster = Cluster(rendered, tmp_path, python=sys.executable)
    components = {p.labels["app.kubernetes.io/component"] for p in cluster.pods.values()}
    assert components == {*api_components("local"), "gateway", "envoy"}
    try:
        cluster.start()
        seconds = cluster.wait_ready(timeout=120)
        test_pod = rendered.tests[0]
        result = cluster.run_pod(test_pod, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        print(f"\nready in {seconds:.1f}s\n{result.stdout}")
        lines = result.stdout.splitlines()
        # a health check per component, then the chat
        assert sum(line.startswith("ok      ") for line in lines) == len(components) + 1
        assert any(line.startswith("ok      chat with llama-cpp/SmolLM2") for line in lines)
        # Every process is still up: nothing restarted behind the probes' back.
        for pod in cluster.pods.values():
            assert pod.popen is not None and pod.popen.poll() is None, pod.tail()
    finally:
        cluster.stop()
