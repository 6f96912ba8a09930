"""The contracts from another language: a Node.js client (@grpc/grpc-js, stubs loaded at run
time from proto/) calls the real mesh, directly and through Envoy; the official `openai` npm
package calls its OpenAI-compatible REST API."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from .conftest import CHAT_MODEL, EMBEDDING_MODEL, REPO, SHIELD

NODE_DIR = REPO / "tests" / "node"


@pytest.fixture(scope="session")
def node_ready() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed (the Node client test needs node and npm)")
    modules = NODE_DIR / "node_modules"
    if not (modules / "@grpc" / "grpc-js").is_dir() or not (modules / "openai").is_dir():
        result = subprocess.run(
            [str(REPO / "scripts" / "setup_node.sh")],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    return node


def _run(node: str, script: str, **env: str) -> None:
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", script],
        cwd=NODE_DIR,
        env={**os.environ, **env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "# fail 0" in report and "# skipped 0" in report, report


@pytest.mark.parametrize("via", ["gateway", "envoy"])
def test_node_client(node_ready: str, request: pytest.FixtureRequest, via: str) -> None:
    address = request.getfixturevalue(via).address
    _run(node_ready, "client.test.js", LLS_GATEWAY_ADDR=address, LLS_TEST_CHAT_MODEL=CHAT_MODEL)


def test_node_openai_sdk(node_ready: str, envoy) -> None:
    """The official `openai` npm package against the OpenAI-compatible REST API."""
    _run(
        node_ready,
        "openai.test.js",
        LLS_OPENAI_BASE_URL=f"{envoy.base_url}/v1",
        LLS_TEST_CHAT_MODEL=CHAT_MODEL,
        LLS_TEST_EMBEDDING_MODEL=EMBEDDING_MODEL,
        LLS_TEST_SHIELD=SHIELD,
    )
