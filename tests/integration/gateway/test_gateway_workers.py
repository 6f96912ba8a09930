"""Gateway workers (`services.gateway.workers`): several processes serve one port, each routes;
a busy port is still refused; a worker that dies comes back; stopping worker 0 stops all."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from bench.harness import cpu_seconds
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from tests.support.processes import MeshProcess, start_service

from .mesh import ECHO, Mesh

CONFIG = {
    "version": 2,
    "image_name": "gateway-workers",
    "providers": {"inference": [{"provider_id": "echo-llm", "provider_type": "test::echo",
                                 "config": {"models": ["m1"]}}]},
    "services": {"inference": {}, "gateway": {"workers": 2}},
    "models": [{"model_id": "m1", "provider_id": "echo-llm"}],
}  # fmt: skip
REQUEST = inf.ChatCompletionRequest(
    model_id="echo-llm/m1",
    messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "hi"}])],
)


@pytest.fixture(scope="module")
def mesh(tmp_path_factory) -> Iterator[Mesh]:
    m = Mesh(tmp_path_factory.mktemp("gateway-workers"), CONFIG)
    try:
        m.services["inference"] = start_service("inference", m.run_config, m.workdir, module=ECHO)
        yield m
    finally:
        m.stop()


def _workers(gateway: MeshProcess) -> list[int]:
    """PIDs of the workers worker 0 started (its children running `-m gateway`)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == gateway.popen.pid and b"gateway" in cmdline:
            out.append(int(pid))
    return sorted(out)


def _call_on_new_connections(address: str, connections: int) -> None:
    for i in range(connections):
        # A distinct channel argument gives each channel its own connection (and source port).
        options = [("grpc.use_local_subchannel_pool", 1), ("test.connection", i)]
        with grpc.insecure_channel(address, options=options) as channel:
            stub = inf_grpc.InferenceServiceStub(channel)
            for _ in range(5):
                assert stub.ChatCompletion(REQUEST, timeout=10).completion_message.content


def test_every_worker_routes(mesh):
    gateway = mesh.start_gateway("gw-two")
    try:
        workers = _workers(gateway)
        assert len(workers) == 1  # worker 0 is the process itself
        pids = [gateway.popen.pid, *workers]
        before = {pid: cpu_seconds(pid) for pid in pids}
        _call_on_new_connections(gateway.address, 24)
        busy = [pid for pid in pids if cpu_seconds(pid) - before[pid] > 0.02]
        assert busy == pids, "the kernel spread 24 connections over both workers"
    finally:
        gateway.stop()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def _gateway(mesh: Mesh, name: str, port: int) -> MeshProcess:
    addrs = {f"LLS_{n.upper()}_ADDR": p.address for n, p in mesh.services.items()}
    env = {"LLS_SERVICE_NAME": "gateway", "LLS_RUN_CONFIG": str(mesh.run_config),
           "LLS_STATE_DIR": str(mesh.workdir / "state"), **addrs}  # fmt: skip
    return MeshProcess(name, [sys.executable, "-m", "gateway"], env, mesh.workdir, port=port)


def test_a_busy_port_is_refused(mesh):
    with socket.socket() as other:
        other.bind(("0.0.0.0", 0))
        other.listen()
        with pytest.raises(RuntimeError, match="port in use"):
            _gateway(mesh, "gw-busy", other.getsockname()[1]).start(timeout=30)


def test_a_second_group_cannot_share_the_port(mesh):
    first = mesh.start_gateway("gw-first")
    try:
        with pytest.raises(RuntimeError, match="port in use"):
            _gateway(mesh, "gw-second", first.port).start(timeout=30)
    finally:
        first.stop()


def test_a_dead_worker_is_restarted(mesh):
    gateway = mesh.start_gateway("gw-restart")
    try:
        (worker,) = _workers(gateway)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = _workers(gateway)
            if now and now != [worker]:
                break
            time.sleep(0.1)
        assert now and now != [worker]
        _call_on_new_connections(gateway.address, 4)
    finally:
        gateway.stop()
