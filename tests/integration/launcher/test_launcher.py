"""`llamastack run` as a real subprocess: the local distribution on free ports, used through
the `llamastack` client commands and REST, a service killed and restarted, then SIGINT.

The tests share one running stack and run in file order; the last one stops it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.support.processes import REPO

pytestmark = pytest.mark.slow

LLAMASTACK = str(Path(sys.executable).with_name("llamastack"))
#: run.yaml's model_id; the gateway may register it under a provider-prefixed identifier.
MODEL = "SmolLM2-135M-Instruct"


class Stack:
    def __init__(self, tmp: Path) -> None:
        config = yaml.safe_load((REPO / "deploy/distributions/local/run.yaml").read_text())
        self.services = set(config["services"])
        config["image_name"] = "launcher-test"
        config["metadata_store"] = {"type": "sqlite", "db_path": str(tmp / "registry.db")}
        self.run_yaml = tmp / "run.yaml"
        self.run_yaml.write_text(yaml.safe_dump(config, sort_keys=False))
        self.state_dir = tmp / "state"
        self.state_file = self.state_dir / "launcher-test" / "run" / "state.json"
        self.out_path = tmp / "launcher.out"
        self.seen_pids: set[int] = set()
        self.popen: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.ready_seconds = 0.0
        self.model = ""

    def start(self, timeout: float = 120.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLS_")}
        env["OTEL_BSP_SCHEDULE_DELAY"] = "200"  # spans reach the telemetry service at once
        with self.out_path.open("wb") as out:
            self.started = time.monotonic()
            self.popen = subprocess.Popen(
                [
                    LLAMASTACK,
                    "run",
                    str(self.run_yaml),
                    "--ports",
                    "auto",
                    "--state-dir",
                    str(self.state_dir),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=REPO,
                start_new_session=True,
            )
        self.wait_for(lambda s: s["ready"], timeout, "the stack to be ready")
        self.ready_seconds = time.monotonic() - self.started

    def state(self) -> dict | None:
        try:
            data = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        self.seen_pids |= {p["pid"] for p in data["processes"].values() if p["pid"]}
        return data

    def wait_for(self, predicate, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if state is not None and predicate(state):
                return state
            assert self.popen is not None
            if self.popen.poll() is not None:
                code = self.popen.returncode
                pytest.fail(f"launcher exited ({code}) waiting for {what}:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def gateway(self) -> str:
        return f"127.0.0.1:{self.state()['processes']['gateway']['port']}"

    @property
    def rest(self) -> str:
        return f"http://127.0.0.1:{self.state()['processes']['envoy']['port']}"

    def cli(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [LLAMASTACK, *args, "--gateway", self.gateway],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )

    def cleanup(self) -> None:
        """Whatever a failed test left behind: the launcher, then any child by its PID."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        for pid in self.seen_pids:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _processes_of(run_yaml: Path) -> list[int]:
    """Live processes whose environment points at this run.yaml (children, grandchildren)."""
    marker = f"LLS_RUN_CONFIG={run_yaml}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                env = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in env and _alive(int(entry.name)):
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("launcher"))
    try:
        s.start()
        yield s
    finally:
        s.cleanup()


def test_becomes_healthy_and_prints_endpoints(stack):
    state = stack.state()
    assert set(state["processes"]) == {*stack.services, "envoy"}
    assert all(p["state"] == "ready" for p in state["processes"].values())
    out = stack.output()
    assert "is ready" in out
    gw_port = state["processes"]["gateway"]["port"]
    assert f"gRPC gateway   localhost:{gw_port}" in out
    assert f"REST (Envoy)   http://localhost:{state['processes']['envoy']['port']}" in out
    assert f"llamastack models list --gateway localhost:{gw_port}" in out
    print(f"\nstartup to healthy: {stack.ready_seconds:.1f}s")


def test_client_commands_and_rest_work(stack):
    health = stack.cli("health")
    assert health.returncode == 0, health.stderr
    assert health.stdout.startswith("OK")

    models = stack.cli("models", "list", "--json")
    assert models.returncode == 0, models.stderr
    models = json.loads(models.stdout)
    llms = [m for m in models if m["model_type"] == "MODEL_TYPE_LLM"]
    assert [m["provider_resource_id"] for m in llms] == [MODEL]
    assert any(m["provider_resource_id"] == "all-MiniLM-L6-v2" for m in models)
    stack.model = llms[0]["identifier"]
    assert f'llamastack chat "Hello!" --model {stack.model}' in stack.output()

    chat = stack.cli("chat", "Say hello.", "--model", stack.model, "--max-tokens", "8")
    assert chat.returncode == 0, chat.stderr
    assert chat.stdout.strip()
    assert "completion_tokens=" in chat.stderr

    streamed = stack.cli("chat", "Count to three.", "--max-tokens", "8", "--stream")
    assert streamed.returncode == 0, streamed.stderr  # --model omitted: the first LLM
    assert streamed.stdout.strip()

    rest = httpx.get(f"{stack.rest}/v1/models", timeout=10)
    assert rest.status_code == 200
    assert stack.model in {m["identifier"] for m in rest.json()["data"]}

    # the declared shields registered at start-up (Llama Guard checked its model then)
    shields = json.loads(stack.cli("shields", "list", "--json").stdout)
    assert {s["identifier"]: s["provider_resource_id"] for s in shields} == {
        "llama-guard": stack.model,
        "policy": "default",
        "omni-moderation-latest": "default",
    }
    blocked = stack.cli("shields", "run", "policy", "key AKIAIOSFODNN7EXAMPLE")
    assert blocked.returncode == 3 and "blocked" in blocked.stdout
    # OpenAI's moderations without `model`: the shield declared as OpenAI's default model
    moderation = httpx.post(
        f"{stack.rest}/v1/moderations", json={"input": "key AKIAIOSFODNN7EXAMPLE"}, timeout=10
    )
    assert moderation.status_code == 200, moderation.text
    assert moderation.json()["model"] == "omni-moderation-latest"
    assert moderation.json()["results"][0]["categories"]["secrets"] is True

    # Every process exports to the telemetry service the launcher started (Envoy included).
    def roots() -> set[tuple[str, str]]:
        listed = stack.cli("traces", "list", "--json", "--limit", "100")
        assert listed.returncode == 0, listed.stderr
        data = json.loads(listed.stdout).get("data", [])
        return {(t.get("root_service_name"), t.get("root_span_name")) for t in data}

    wanted = {
        ("gateway", "llamastack.inference.v1.InferenceService/ChatCompletion"),
        ("envoy", "GET /v1/models"),
    }
    deadline = time.monotonic() + 20
    while not wanted <= (found := roots()) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert wanted <= found, found


def test_a_killed_service_is_restarted_and_routes_again(stack):
    before = stack.state()["processes"]["inference"]
    killed_at = time.monotonic()
    os.kill(before["pid"], signal.SIGKILL)
    after = stack.wait_for(
        lambda s: (
            s["processes"]["inference"]["pid"] != before["pid"]
            and s["processes"]["inference"]["state"] == "ready"
        ),
        60,
        "inference to be restarted",
    )["processes"]["inference"]
    serving = time.monotonic() - killed_at
    assert after["port"] == before["port"] and after["starts"] == before["starts"] + 1
    assert not _alive(before["pid"])
    # the route works again (the gateway may take a moment to notice the new instance)
    deadline = time.monotonic() + 30
    errors: list[str] = []
    while True:
        chat = stack.cli("chat", "Hi", "--model", stack.model, "--max-tokens", "4")
        if chat.returncode == 0 or time.monotonic() > deadline:
            break
        errors.append(chat.stderr.strip().splitlines()[0] if chat.stderr.strip() else "?")
        time.sleep(0.5)
    assert chat.returncode == 0, chat.stderr
    routed = time.monotonic() - killed_at
    assert "inference (pid" in stack.output() and "restarting in" in stack.output()
    print(f"\nrestart: SERVING again {serving:.1f}s after SIGKILL, chat routed after {routed:.1f}s")
    if errors:
        print(f"chat errors after the restart, before it routed again: {sorted(set(errors))}")


def test_sigint_stops_every_process(stack):
    pids = set(stack.seen_pids)
    assert len(pids) >= 4  # inference twice, gateway, envoy
    stack.popen.send_signal(signal.SIGINT)
    assert stack.popen.wait(60) == 0
    assert [p for p in pids if _alive(p)] == []
    assert _processes_of(stack.run_yaml) == []  # nothing else the stack started either
    assert not stack.state_file.exists()
    assert "stopped" in stack.output()
