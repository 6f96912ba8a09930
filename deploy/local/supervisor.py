"""The supervisor loop behind `llamastack run`.

One thread, one loop, ten ticks a second. Each process moves through

    PENDING -> STARTING -> READY -> (exits) -> BACKOFF -> STARTING -> READY ...

- PENDING: waits until the processes it depends on listen (the gateway needs the services'
  addresses), then runs its spec's `prepare` and is spawned.
- STARTING: reads its port file, polls its health probe until SERVING (or Envoy /ready).
  A process that dies before it was ever ready fails the launch (a config error would only
  loop): the launcher shows the end of its log and stops everything.
- READY: a process that exits is restarted after a backoff (0.5 s, doubling, at most 15 s),
  on the port it had, at most `max_restarts` times per `restart_window`; past that the
  launcher gives up and stops the stack. A process that is alive but stuck (its gRPC health
  `liveness`, or Envoy's `/ready`, not SERVING or not answering within a second, for
  `liveness_timeout` seconds) is killed with SIGKILL and restarted the same way, as a
  Kubernetes livenessProbe would.

Stopping (Ctrl-C, SIGTERM, SIGHUP, or a failure): SIGTERM to every child, front ends first,
wait up to `stop_grace` seconds for them all, then SIGKILL whatever is left. A second Ctrl-C
skips the wait.
"""

from __future__ import annotations

import enum
import json
import os
import signal
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from deploy.local.health import EnvoyProbe, GrpcHealthProbe, Probe
from deploy.local.process import ManagedProcess, describe_exit
from deploy.local.spec import LaunchOptions, Plan
from deploy.local.ui import ProgressTracker, View
from services.common.server import LIVENESS

__all__ = ["LaunchFailed", "State", "Supervisor"]

TICK = 0.1
#: What stops the stack (SIGHUP: the terminal went away).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 15.0


class State(enum.Enum):
    PENDING = "pending"
    STARTING = "starting"
    READY = "ready"
    BACKOFF = "backoff"
    STOPPED = "stopped"


class LaunchFailed(Exception):
    """The stack cannot run; the message says which process and why."""

    def __init__(self, message: str, tail: str = "") -> None:
        super().__init__(message)
        self.tail = tail


class _Child:
    def __init__(self, proc: ManagedProcess) -> None:
        self.proc = proc
        self.state = State.PENDING
        self.probe: Probe | None = None
        self.ever_ready = False
        self.listening = False
        self.restart_at = 0.0
        self.restarts: deque[float] = deque()
        self.down_since = 0.0
        #: Liveness while READY: the probe, when it last said SERVING, when to ask next.
        self.liveness: Probe | None = None
        self.live_at = 0.0
        self.next_live_check = 0.0
        self.live_pending = False


class Supervisor:
    def __init__(
        self,
        plan: Plan,
        options: LaunchOptions,
        view: View,
        on_ready: Callable[[Supervisor], None] | None = None,
    ) -> None:
        self.plan = plan
        self.options = options
        self.view = view
        self.on_ready = on_ready
        self.children = {
            spec.name: _Child(ManagedProcess(spec, plan.logs_dir)) for spec in plan.processes
        }
        self.tracker = ProgressTracker()
        self.started_at = 0.0
        self.ready_after: float | None = None
        self._stop_signal: int | None = None
        self._force = False

    # -- public ---------------------------------------------------------------------

    def run(self, install_signals: bool = True) -> int:
        """Start everything, supervise until stopped; returns the process exit code.

        Children are spawned from the calling thread, which must outlive them: with
        `setpriv --pdeathsig`, a child is signalled when the thread that started it ends.
        """
        previous = {}
        if install_signals:
            previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        self.started_at = time.monotonic()
        try:
            self._loop()
            return 0
        except LaunchFailed as exc:
            self.view.failure(str(exc), exc.tail)
            return 1
        finally:
            self.view.startup_done()
            self.stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._write_state(final=True)

    def pids(self) -> dict[str, int]:
        return {n: c.proc.pid for n, c in self.children.items() if c.proc.pid is not None}

    def stop_all(self) -> None:
        """SIGTERM every child (front ends first), wait, then SIGKILL the rest."""
        running = [c for c in reversed(self.children.values()) if c.proc.running]
        if running:
            names = ", ".join(c.proc.name for c in running)
            self.view.message(f"stopping {names}")
        for child in running:
            child.proc.signal(signal.SIGTERM)
        t0 = time.monotonic()
        deadline = t0 + self.options.stop_grace
        took: dict[str, float] = {}
        while len(took) < len(running):
            now = time.monotonic()
            for child in running:
                if child.proc.name not in took and not child.proc.running:
                    took[child.proc.name] = now - t0
            if len(took) == len(running):
                break
            if self._force or now > deadline:
                for child in running:
                    if child.proc.running:
                        self.view.message(f"{child.proc.name} did not stop in time: SIGKILL", "red")
                        child.proc.kill()
                break
            time.sleep(0.05)
        for child in self.children.values():
            self._close_probes(child)
            child.state = State.STOPPED
        if running:
            times = ", ".join(f"{n} {t:.1f}s" for n, t in took.items())
            self.view.message(f"stopped ({times})" if times else "stopped")

    # -- the loop -------------------------------------------------------------------

    def request_stop(self, signum: int = signal.SIGTERM) -> None:
        """Stop the stack (what SIGINT/SIGTERM do); a second request skips the grace period."""
        if self._stop_signal is not None:
            self._force = True
        self._stop_signal = signum

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.request_stop(signum)

    def _loop(self) -> None:
        while self._stop_signal is None:
            now = time.monotonic()
            for child in self.children.values():
                self._step(child, now)
            if self.ready_after is None and all(
                c.state is State.READY for c in self.children.values()
            ):
                self.ready_after = now - self.started_at
                self.view.startup_done()
                if self.on_ready is not None:
                    self.on_ready(self)
                # Written after the banner: `ready` in state.json means the endpoints are out.
                self._write_state()
            time.sleep(TICK)
        name = signal.Signals(self._stop_signal).name
        self.view.message(f"{name} received")

    def _step(self, child: _Child, now: float) -> None:
        proc = child.proc
        for event in proc.progress_events():
            update = self.tracker.update(proc.name, event)
            if update is not None:
                self.view.progress(update)
        if child.state is State.PENDING:
            if all(self.children[d].listening for d in proc.spec.after):
                self._spawn(child)
        elif child.state is State.STARTING:
            self._check_starting(child, now)
        elif child.state is State.READY:
            code = proc.poll()
            if code is not None:
                self._crashed(child, code, now)
            else:
                self._check_live(child, now)
        elif child.state is State.BACKOFF and now >= child.restart_at:
            self._spawn(child)

    def _spawn(self, child: _Child) -> None:
        proc = child.proc
        spec = proc.spec
        if spec.prepare is not None:
            ports = {n: c.proc.spec.port for n, c in self.children.items()}
            spec.prepare(spec, ports)
        try:
            proc.start()
        except OSError as exc:
            raise LaunchFailed(f"cannot start {proc.name} ({' '.join(spec.argv)}): {exc}") from exc
        child.state = State.STARTING
        child.listening = False
        self._close_probes(child)
        self.view.starting(proc.name, proc.pid or 0, proc.starts)
        self._write_state()

    def _check_starting(self, child: _Child, now: float) -> None:
        proc = child.proc
        code = proc.poll()
        if code is not None:
            if not child.ever_ready:
                raise LaunchFailed(
                    f"{proc.name} {describe_exit(code)} before it was ready (log: {proc.log_path})",
                    proc.tail(),
                )
            self._crashed(child, code, now)
            return
        if not child.listening:
            if proc.spec.kind == "grpc":
                port = proc.bound_port()
                if port is None:
                    self._check_timeout(child, now)
                    return
                proc.spec.port = port  # a restart comes back on the same port
                child.probe = GrpcHealthProbe(proc.spec.address)
            else:
                child.probe = EnvoyProbe(proc.spec.admin_port)
            child.listening = True
            self.view.listening(proc.name, f"127.0.0.1:{proc.spec.port}")
            self._write_state()
        assert child.probe is not None
        if child.probe.poll():
            child.state = State.READY
            child.liveness = (
                GrpcHealthProbe(proc.spec.address, service=LIVENESS)
                if proc.spec.kind == "grpc"
                else EnvoyProbe(proc.spec.admin_port)
            )
            child.live_at, child.next_live_check, child.live_pending = now, now, False
            if child.ever_ready:
                self.view.message(
                    f"{proc.name} is back (pid {proc.pid}): SERVING again "
                    f"{now - child.down_since:.1f}s after it went down",
                    "green",
                )
            else:
                self.view.ready(proc.name, now - proc.started_at)
            child.ever_ready = True
            self._write_state()
            return
        self._check_timeout(child, now)

    def _check_live(self, child: _Child, now: float) -> None:
        """Kill a ready process that failed its liveness check for `liveness_timeout` s (it is
        stuck: a drain would only wait); the next tick sees it exit and restarts it."""
        probe, timeout = child.liveness, self.options.liveness_timeout
        if probe is None or timeout <= 0:
            return
        if child.live_pending or now >= child.next_live_check:
            alive = probe.poll()  # None while the check is in flight
            child.live_pending = alive is None
            if alive is not None:
                child.next_live_check = now + self.options.liveness_period
            if alive:
                child.live_at = now
        if now - child.live_at > timeout:
            proc = child.proc
            self.view.message(
                f"{proc.name} (pid {proc.pid}) failed its liveness check for {timeout:g}s "
                f"(last: {getattr(probe, 'last_status', '?')}): killing it to restart it",
                "red",
            )
            self._close_probes(child)
            proc.kill()

    @staticmethod
    def _close_probes(child: _Child) -> None:
        for probe in (child.probe, child.liveness):
            if probe is not None:
                probe.close()
        child.probe = child.liveness = None

    def _check_timeout(self, child: _Child, now: float) -> None:
        proc = child.proc
        if now - proc.started_at > self.options.startup_timeout:
            status = getattr(child.probe, "last_status", "not listening")
            raise LaunchFailed(
                f"{proc.name} was not ready within {self.options.startup_timeout:.0f}s "
                f"(last health: {status}; log: {proc.log_path})",
                proc.tail(),
            )

    def _crashed(self, child: _Child, code: int, now: float) -> None:
        proc = child.proc
        window = self.options.restart_window
        while child.restarts and now - child.restarts[0] > window:
            child.restarts.popleft()
        if child.state is State.READY:
            child.down_since = now
        if len(child.restarts) >= self.options.max_restarts:
            raise LaunchFailed(
                f"{proc.name} {describe_exit(code)}; it was restarted "
                f"{len(child.restarts)} times in {window:.0f}s, giving up "
                f"(log: {proc.log_path})",
                proc.tail(),
            )
        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** len(child.restarts))
        child.restarts.append(now)
        child.restart_at = now + delay
        child.state = State.BACKOFF
        self.view.message(
            f"{proc.name} (pid {proc.pid}) {describe_exit(code)}; restarting in {delay:.1f}s "
            f"(restart {len(child.restarts)} of at most {self.options.max_restarts} "
            f"per {window:.0f}s; log: {proc.log_path})",
            "yellow",
        )

    # -- state file ------------------------------------------------------------------

    def _write_state(self, final: bool = False) -> None:
        """`<run dir>/state.json`: who runs where (for tools and tests)."""
        path: Path = self.plan.run_dir / "state.json"
        if final:
            path.unlink(missing_ok=True)
            return
        data = {
            "distribution": self.plan.name,
            "run_config": str(self.plan.run_config),
            "launcher_pid": os.getpid(),
            "ready": self.ready_after is not None,
            "processes": {
                n: {
                    "pid": c.proc.pid,
                    "port": c.proc.spec.port,
                    "state": c.state.value,
                    "starts": c.proc.starts,
                    "log": str(c.proc.log_path),
                    **(
                        {"admin_port": c.proc.spec.admin_port}
                        if c.proc.spec.kind == "envoy"
                        else {}
                    ),
                }
                for n, c in self.children.items()
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)
