"""Gateway workers: N processes serving one port, so routing throughput grows with cores.

The gateway keeps no state in memory that callers depend on (the registry, API keys, quota
counters and revocations live in the store), so any number of processes can route side by
side. With `services.gateway.workers: N` in the run config, the process that was started is
worker 0: it reserves the port for the group (`services.common.reuseport.reserve`: a port
another process serves is refused, as with one worker), listens with SO_REUSEPORT, does the
start-up work (discovery, re-registering stored resources, the run config's resources), then
starts workers 1..N-1 (`python -m gateway` with `LLS_WORKER_INDEX`) and reports ready once
they all are. The kernel spreads new connections over the workers' listening sockets.

- A worker listens only once it is ready (discovered the services), so a connection never
  lands on a worker that cannot route yet.
- Worker 0 restarts a worker that exits (after a second), stops the others when it stops
  (they drain their calls as it drains its own), and a worker exits when worker 0 dies
  (`PR_SET_PDEATHSIG`): stopping or killing worker 0 by its PID stops the group, as the
  launcher, tests and Kubernetes do.
- Connections, not calls, are spread: a client with one HTTP/2 connection (one gRPC channel)
  reaches one worker. Envoy opens several connections to the gateway (one per worker thread
  and more under load); gRPC clients that need to spread load open several channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["WorkerGroup", "die_with_parent"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
RESTART_DELAY_S = 1.0


def die_with_parent(parent: int) -> None:
    """Get SIGTERM when worker 0 (PID `parent`, which started this process) dies (Linux);
    exit at once if it is already gone. (Worker 0 may be PID 1, in a container.)"""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


class WorkerGroup:
    """Workers 1..count of a gateway whose port is `port`, started by worker 0."""

    def __init__(self, count: int, port: int, env: Mapping[str, str] | None = None) -> None:
        self.count, self.port = count, port
        self._env = dict(os.environ if env is None else env)
        self._dir = Path(tempfile.mkdtemp(prefix="llamastack-gateway-workers-"))
        self._procs: dict[int, asyncio.subprocess.Process] = {}
        self._watchers: list[asyncio.Task[None]] = []
        self._stopping = False

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs.values()]

    def _port_file(self, index: int) -> Path:
        return self._dir / f"worker-{index}.port"

    async def _spawn(self, index: int) -> asyncio.subprocess.Process:
        self._port_file(index).unlink(missing_ok=True)
        env = {
            **self._env,
            "LLS_WORKER_INDEX": str(index),
            "LLS_WORKER_PARENT": str(os.getpid()),
            "LLS_GRPC_PORT": str(self.port),
            "LLS_PORT_FILE": str(self._port_file(index)),
        }
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "gateway", env=env)
        self._procs[index] = proc
        return proc

    async def _ready(self, index: int, proc: asyncio.subprocess.Process) -> None:
        """Until the worker listens (it does once ready); RuntimeError if it exits first."""
        while not self._port_file(index).exists():
            if proc.returncode is not None:
                raise RuntimeError(
                    f"gateway worker {index} exited with {proc.returncode} before it was ready"
                )
            await asyncio.sleep(0.05)

    async def start(self) -> None:
        """Start every worker and wait until all listen."""
        try:
            procs = {i: await self._spawn(i) for i in range(1, self.count + 1)}
            await asyncio.gather(*(self._ready(i, p) for i, p in procs.items()))
        except BaseException:
            await self.stop()
            raise
        self._watchers = [asyncio.create_task(self._watch(i)) for i in procs]
        log.info("gateway workers 1-%d ready on port %d (pids %s)", self.count, self.port,
                 ", ".join(map(str, self.pids)))  # fmt: skip

    async def _watch(self, index: int) -> None:
        while not self._stopping:
            code = await self._procs[index].wait()
            if self._stopping:
                return
            log.error("gateway worker %d exited with %s; restarting it", index, code)
            await asyncio.sleep(RESTART_DELAY_S)
            if not self._stopping:
                await self._spawn(index)

    def terminate(self) -> None:
        """Ask every worker to drain and stop (SIGTERM)."""
        self._stopping = True
        for proc in self._procs.values():
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)

    async def stop(self, timeout: float = 15.0) -> None:
        self.terminate()
        for task in self._watchers:
            task.cancel()
        for proc in self._procs.values():
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)
