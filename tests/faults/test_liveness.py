"""`llamastack run` (the real launcher, as a subprocess) notices a service that is alive but
not serving — frozen with SIGSTOP, so it neither exits nor answers its `liveness` health
check — kills it after `--liveness-timeout` and restarts it; calls route again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
import yaml

from llamastack.common.v1 import message_pb2
from llamastack.safety.v1 import safety_service_pb2 as pb
from llamastack.safety.v1 import safety_service_pb2_grpc as pb_grpc
from tests.faults.stack import figure
from tests.support.processes import REPO

LLAMASTACK = str(Path(sys.executable).with_name("llamastack"))
LIVENESS_TIMEOUT_S = 2.0


def _state(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _wait(path: Path, predicate, popen: subprocess.Popen, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while True:
        state = _state(path)
        if state is not None and predicate(state):
            return state
        assert popen.poll() is None, f"the launcher exited waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _runs(pid: int, run_yaml: Path) -> bool:
    try:
        return f"LLS_RUN_CONFIG={run_yaml}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def _shield_ok(address: str) -> bool:
    request = pb.RunShieldRequest(
        shield_id="policy",
        messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "hello"}])],
    )
    with grpc.insecure_channel(address) as channel:
        try:
            pb_grpc.SafetyServiceStub(channel).RunShield(request, timeout=5)
        except grpc.RpcError:
            return False
    return True


def test_a_frozen_service_is_killed_and_restarted(tmp_path):
    config = {
        "version": 2,
        "image_name": "faults-liveness",
        "apis": ["safety"],
        "providers": {
            "safety": [{"provider_id": "policy", "provider_type": "inline::policy", "config": {}}]
        },
        "services": {"safety": {}},
        "metadata_store": {"type": "sqlite", "db_path": str(tmp_path / "registry.db")},
        "shields": [
            {"shield_id": "policy", "provider_id": "policy", "provider_shield_id": "default"}
        ],
    }
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(yaml.safe_dump(config))
    state_file = tmp_path / "state" / "faults-liveness" / "run" / "state.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLS_")}
    argv = [LLAMASTACK, "run", str(run_yaml), "--ports", "auto", "--no-envoy",
            "--state-dir", str(tmp_path / "state"),
            "--liveness-timeout", str(LIVENESS_TIMEOUT_S)]  # fmt: skip
    out = (tmp_path / "launcher.out").open("wb")
    popen = subprocess.Popen(
        argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO, start_new_session=True
    )
    pids: set[int] = set()
    try:
        state = _wait(state_file, lambda s: s["ready"], popen, "the stack to be ready")
        pids |= {p["pid"] for p in state["processes"].values()}
        gateway = f"127.0.0.1:{state['processes']['gateway']['port']}"
        assert _shield_ok(gateway)
        frozen = state["processes"]["safety"]["pid"]
        os.kill(frozen, signal.SIGSTOP)
        t0 = time.monotonic()
        state = _wait(
            state_file,
            lambda s: (
                s["processes"]["safety"]["pid"] != frozen
                and s["processes"]["safety"]["state"] == "ready"
            ),
            popen,
            "the frozen service to be replaced",
        )
        back = time.monotonic() - t0
        pids.add(state["processes"]["safety"]["pid"])
        assert state["processes"]["safety"]["starts"] == 2
        deadline = time.monotonic() + 30
        while not _shield_ok(gateway):
            assert time.monotonic() < deadline, "calls did not route again"
            time.sleep(0.1)
        routed = time.monotonic() - t0
        output = (tmp_path / "launcher.out").read_text(errors="replace")
        assert f"failed its liveness check for {LIVENESS_TIMEOUT_S:g}s" in output
        assert "killing it to restart it" in output
        figure(
            f"service frozen (SIGSTOP), launcher --liveness-timeout {LIVENESS_TIMEOUT_S:g}",
            f"killed and SERVING again {back:.1f}s after the freeze; calls route again "
            f"after {routed:.1f}s",
        )
    finally:
        if popen.poll() is None:
            popen.send_signal(signal.SIGINT)
            try:
                popen.wait(30)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(10)
        out.close()
        for pid in pids:  # whatever a failure left behind (ours only: by its run.yaml)
            if _runs(pid, run_yaml):
                os.kill(pid, signal.SIGKILL)
        if popen.returncode not in (0, None):
            pytest.fail(f"the launcher exited with {popen.returncode}")
