"""The supervisor's state machine, with small fake children (tests/unit/cli/fake_child.py)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from deploy.local.spec import LaunchOptions, Plan, ProcessSpec
from deploy.local.supervisor import Supervisor
from deploy.local.ui import TaskUpdate
from services.common.config import RunConfig

FAKE = str(Path(__file__).with_name("fake_child.py"))


class RecordingView:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def starting(self, name: str, pid: int, start: int) -> None:
        self.events.append(("starting", name, pid, start))

    def listening(self, name: str, address: str) -> None:
        self.events.append(("listening", name, address))

    def progress(self, update: TaskUpdate) -> None:
        self.events.append(("progress", update.process, update.task, update.completed))

    def ready(self, name: str, seconds: float) -> None:
        self.events.append(("ready", name))

    def startup_done(self) -> None:
        self.events.append(("startup_done",))

    def message(self, text: str, style: str = "") -> None:
        self.events.append(("message", text))

    def failure(self, title: str, tail: str) -> None:
        self.events.append(("failure", title, tail))

    def messages(self) -> str:
        return "\n".join(e[1] for e in self.events if e[0] == "message")


def _spec(tmp_path: Path, name: str, after: tuple[str, ...] = (), **env: str) -> ProcessSpec:
    return ProcessSpec(
        name=name,
        kind="grpc",
        argv=[sys.executable, FAKE],
        env={
            "LLS_SERVICE_NAME": name,
            "LLS_PORT_FILE": str(tmp_path / "run" / f"{name}.port"),
            **env,
        },
        after=after,
    )


def _supervisor(
    tmp_path: Path, specs: list[ProcessSpec], **opts
) -> tuple[Supervisor, RecordingView]:
    options = LaunchOptions(run_config=tmp_path / "run.yaml", state_dir=tmp_path, **opts)
    plan = Plan("fake", RunConfig(), options.run_config, specs, tmp_path / "fake")
    for spec in specs:
        spec.env["LLS_PORT_FILE"] = str(plan.run_dir / f"{spec.name}.port")
    view = RecordingView()
    return Supervisor(plan, options, view), view


class Running:
    """The supervisor loop in a thread (signals are the launcher's business)."""

    def __init__(self, sup: Supervisor) -> None:
        self.sup = sup
        self.code: int | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.code = self.sup.run(install_signals=False)

    def wait(self, predicate, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert self.thread.is_alive() or predicate(), f"supervisor ended with {self.code}"
            assert time.monotonic() < deadline, "condition not reached in time"
            time.sleep(0.05)

    def stop(self) -> int | None:
        self.sup.request_stop()
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.code


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not running: check its state
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_starts_in_order_reports_progress_and_stops_cleanly(tmp_path):
    sup, view = _supervisor(
        tmp_path,
        [_spec(tmp_path, "svc", FAKE_READY_AFTER="0.3"), _spec(tmp_path, "gateway", ("svc",))],
    )
    run = Running(sup)
    run.wait(lambda: sup.ready_after is not None)
    starts = [e[1] for e in view.events if e[0] == "starting"]
    assert starts == ["svc", "gateway"]
    listening = next(i for i, e in enumerate(view.events) if e[:2] == ("listening", "svc"))
    gateway_start = next(i for i, e in enumerate(view.events) if e[:2] == ("starting", "gateway"))
    assert listening < gateway_start  # the gateway waits for the service's address
    assert ("progress", "svc", "load", 3.0) in view.events
    state = json.loads((tmp_path / "fake" / "run" / "state.json").read_text())
    assert state["ready"] is True
    pids = sup.pids()
    assert {state["processes"][n]["pid"] for n in pids} == set(pids.values())
    assert all(_alive(p) for p in pids.values())

    assert run.stop() == 0
    assert not any(_alive(p) for p in pids.values())
    assert "fake: stopped cleanly" in (tmp_path / "fake" / "logs" / "svc.log").read_text()
    assert not (tmp_path / "fake" / "run" / "state.json").exists()


def test_restarts_a_crashed_process_on_the_same_port(tmp_path):
    marker = tmp_path / "crashed-once"
    sup, view = _supervisor(
        tmp_path, [_spec(tmp_path, "svc", FAKE_EXIT_AFTER="0.8", FAKE_CRASH_ONCE=str(marker))]
    )
    run = Running(sup)
    run.wait(lambda: "is back" in view.messages())
    ports = [e[2] for e in view.events if e[0] == "listening"]
    assert len(ports) == 2 and ports[0] == ports[1]
    assert "exited with code 3; restarting in 0.5s" in view.messages()
    assert run.stop() == 0
    log = (tmp_path / "fake" / "logs" / "svc.log").read_text()
    assert log.count("llamastack run: starting svc") == 2


def test_gives_up_after_max_restarts(tmp_path):
    sup, view = _supervisor(
        tmp_path, [_spec(tmp_path, "svc", FAKE_EXIT_AFTER="0.8")], max_restarts=2
    )
    run = Running(sup)
    run.thread.join(60)
    assert run.code == 1
    [failure] = [e for e in view.events if e[0] == "failure"]
    assert "restarted 2 times" in failure[1] and "giving up" in failure[1]
    assert "fake: crashing" in failure[2]


def test_a_process_that_dies_before_ready_fails_the_launch_with_its_log(tmp_path):
    sup, view = _supervisor(
        tmp_path,
        [_spec(tmp_path, "svc", FAKE_FAIL_START="1"), _spec(tmp_path, "gateway", ("svc",))],
    )
    run = Running(sup)
    run.thread.join(30)
    assert run.code == 1
    [failure] = [e for e in view.events if e[0] == "failure"]
    assert failure[1].startswith("svc exited with code 4 before it was ready")
    assert "bad config" in failure[2]
    assert not any(e[:2] == ("starting", "gateway") for e in view.events)


def test_stop_escalates_to_sigkill(tmp_path):
    sup, view = _supervisor(
        tmp_path, [_spec(tmp_path, "svc", FAKE_IGNORE_TERM="1")], stop_grace=0.3
    )
    run = Running(sup)
    run.wait(lambda: sup.ready_after is not None)
    pid = sup.pids()["svc"]
    assert run.stop() == 0
    assert not _alive(pid)
    assert "did not stop in time: SIGKILL" in view.messages()


def test_restarts_a_process_whose_liveness_fails(tmp_path):
    marker = tmp_path / "stuck-once"
    sup, view = _supervisor(
        tmp_path,
        [_spec(tmp_path, "svc", FAKE_STUCK_AFTER="0.5", FAKE_STUCK_ONCE=str(marker))],
        liveness_timeout=1.0,
        liveness_period=0.2,
    )
    run = Running(sup)
    run.wait(lambda: "is back" in view.messages())
    assert "svc (pid" in view.messages() and "failed its liveness check for 1s" in view.messages()
    assert "(last: NOT_SERVING): killing it to restart it" in view.messages()
    assert "killed by SIGKILL; restarting" in view.messages()
    assert run.stop() == 0
    log = (tmp_path / "fake" / "logs" / "svc.log").read_text()
    assert log.count("llamastack run: starting svc") == 2 and "fake: stuck" in log
