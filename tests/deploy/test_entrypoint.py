"""The image's entrypoint and health probes, against real (small) servers."""

from __future__ import annotations

import sys
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from deploy.local.spec import DISTRIBUTIONS_DIR
from deploy.packaging.entrypoint import command_for
from deploy.packaging.model import LIVENESS, READINESS
from deploy.packaging.probe import check_grpc, check_http


@pytest.fixture
def health_server():
    server = grpc.server(futures.ThreadPoolExecutor(2), options=[("grpc.so_reuseport", 0)])
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield servicer, f"127.0.0.1:{port}"
    finally:
        server.stop(0)


def test_grpc_probe_follows_the_named_check(health_server):
    servicer, address = health_server
    servicer.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
    servicer.set(READINESS, health_pb2.HealthCheckResponse.NOT_SERVING)
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    assert check_grpc(address, LIVENESS) is None
    assert "NOT_SERVING" in check_grpc(address, READINESS)
    servicer.set(READINESS, health_pb2.HealthCheckResponse.SERVING)
    assert check_grpc(address, READINESS) is None


def test_grpc_probe_fails_on_an_unknown_health_name_as_kubelet_does(health_server):
    servicer, address = health_server
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert "NOT_FOUND" in check_grpc(address, "no-such-probe")


def test_grpc_probe_reports_an_unreachable_process():
    problem = check_grpc("127.0.0.1:9", READINESS, timeout=0.5)
    assert problem and ("UNAVAILABLE" in problem or "DEADLINE_EXCEEDED" in problem)


def test_http_probe():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/ready" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert check_http(f"{base}/ready") is None
        assert check_http(f"{base}/other") == f"{base}/other: HTTP 503"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", sorted(DISTRIBUTIONS_DIR.glob("*/run.yaml")), ids=str)
def test_entrypoint_runs_what_the_launcher_runs(path: Path):
    argv, env = command_for("inference", path)
    assert argv == [sys.executable, "-m", "services.inference"]
    assert env == {"LLS_SERVICE_NAME": "inference"}
    argv, env = command_for("gateway", path)
    assert argv == [sys.executable, "-m", "gateway"]


def test_entrypoint_refuses_unknown_components():
    with pytest.raises(SystemExit, match="has no component 'nope'"):
        command_for("nope", DISTRIBUTIONS_DIR / "local" / "run.yaml")
    with pytest.raises(SystemExit, match="not a Python component"):
        command_for("envoy", DISTRIBUTIONS_DIR / "local" / "run.yaml")
