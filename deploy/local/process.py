"""One child process: spawned in its own session, logging to a file, stopped by its PID.

The child's stdout and stderr go straight to `<logs>/<name>.log` (appended, one header line
per start), so a child never blocks on a pipe and its log survives the launcher. The launcher
follows the file for `LLS_PROGRESS` lines. On Linux the child is started under
`setpriv --pdeathsig TERM` when available: if the launcher itself is killed with SIGKILL,
the kernel still sends its children SIGTERM, so nothing is left running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from deploy.local.spec import REPO, ProcessSpec
from services.common import progress

__all__ = ["ManagedProcess", "describe_exit"]

#: Variables that address one process or its peers: never inherited from the launcher's
#: own environment (a shell's LLS_GATEWAY_ADDR must not send services to another stack).
_PER_PROCESS = re.compile(
    r"^LLS_(SERVICE_NAME|GRPC_PORT|PORT_FILE|RUN_CONFIG|STATE_DIR|[A-Z0-9_]+_ADDR)$"
)
_SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None


def describe_exit(code: int | None) -> str:
    if code is None:
        return "running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class ManagedProcess:
    """A supervised child: start, follow its log, stop (SIGTERM, then SIGKILL)."""

    def __init__(self, spec: ProcessSpec, logs_dir: Path) -> None:
        self.spec = spec
        self.log_path = logs_dir / f"{spec.name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.starts = 0
        self._offset = 0
        self._run_start = 0
        self._partial = b""

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    @property
    def port_file(self) -> Path | None:
        value = self.spec.env.get("LLS_PORT_FILE")
        return Path(value) if value else None

    def start(self) -> None:
        """Spawn the child (the spec's argv/env must be complete)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self.port_file is not None:
            self.port_file.parent.mkdir(parents=True, exist_ok=True)
            self.port_file.unlink(missing_ok=True)
        inherited = {k: v for k, v in os.environ.items() if not _PER_PROCESS.match(k)}
        env = {**inherited, **self.spec.env}
        if self.spec.kind == "grpc":
            env["LLS_GRPC_PORT"] = str(self.spec.port)
        argv = list(self.spec.argv)
        if _SETPRIV is not None:
            argv = [_SETPRIV, "--pdeathsig", "TERM", "--", *argv]
        self.starts += 1
        with self.log_path.open("ab") as log:
            self._run_start = log.tell()
            stamp = datetime.now().isoformat(timespec="seconds")
            header = f"=== {stamp} llamastack run: starting {self.name} (start #{self.starts})\n"
            log.write(header.encode())
            log.flush()
            self._offset = log.tell()
            self._partial = b""
            self.popen = subprocess.Popen(
                argv,
                env=env,
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    def poll(self) -> int | None:
        """The exit code once the child has exited, else None."""
        return None if self.popen is None else self.popen.poll()

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def bound_port(self) -> int | None:
        """The port the child wrote to its port file, once it listens."""
        if self.port_file is None:
            return None
        try:
            text = self.port_file.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def progress_events(self) -> list[dict]:
        """`LLS_PROGRESS` events the child printed since the last call."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(self._offset)
                data = f.read(1 << 20)
        except OSError:
            return []
        if not data:
            return []
        self._offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        events = []
        for raw in lines:
            if raw.startswith(progress.PREFIX.encode()):
                event = progress.parse(raw.decode(errors="replace").rstrip("\r"))
                if event is not None:
                    events.append(event)
        return events

    def signal(self, sig: int) -> None:
        """Send `sig` to the child (by PID) while it has not been reaped."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.popen.pid, sig)  # type: ignore[union-attr]

    def kill(self) -> None:
        """SIGKILL the child and anything it started in its session (its process group)."""
        if self.running:
            pid = self.popen.pid  # type: ignore[union-attr]
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(5)

    def tail(self, lines: int = 30) -> str:
        """The end of the current run's log (since the last start)."""
        try:
            with self.log_path.open("rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(self._run_start, size - 64 * 1024))
                text = f.read().decode(errors="replace")
        except OSError:
            return "(no log)"
        kept = [ln for ln in text.splitlines() if not ln.startswith(progress.PREFIX)]
        return "\n".join(kept[-lines:])
