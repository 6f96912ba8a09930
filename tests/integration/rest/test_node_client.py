"""The contracts from another language: a Node.js client (@grpc/grpc-js, stubs loaded at run
time from proto/) calls the real mesh, directly and through Envoy."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from .conftest import CHAT_MODEL, REPO

NODE_DIR = REPO / "tests" / "node"


@pytest.fixture(scope="session")
def node_ready() -> str:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("Node.js is not installed (the Node client test needs node and npm)")
    if not (NODE_DIR / "node_modules" / "@grpc" / "grpc-js").is_dir():
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


@pytest.mark.parametrize("via", ["gateway", "envoy"])
def test_node_client(node_ready: str, request: pytest.FixtureRequest, via: str) -> None:
    address = request.getfixturevalue(via).address
    env = {
        **os.environ,
        "LLS_GATEWAY_ADDR": address,
        "LLS_TEST_CHAT_MODEL": CHAT_MODEL,
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [node_ready, "--test", "--test-reporter=tap", "client.test.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "# fail 0" in report and "# skipped 0" in report, report
