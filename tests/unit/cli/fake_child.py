"""A stand-in mesh process for supervisor tests: health server, port file, progress lines.

Behaviour by environment: FAKE_READY_AFTER (seconds before SERVING), FAKE_EXIT_AFTER
(exit with code 3 after that many seconds; the first start only when FAKE_CRASH_ONCE names a
marker file that does not exist yet), FAKE_FAIL_START (exit 4 at once, printing a message),
FAKE_IGNORE_TERM (ignore SIGTERM), FAKE_STUCK_AFTER (liveness NOT_SERVING after that many
seconds, the first start only when FAKE_STUCK_ONCE names a marker file that does not exist).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from concurrent import futures
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc


def main() -> None:
    if os.environ.get("FAKE_FAIL_START"):
        print("fake: bad config: FAKE_FAIL_START is set", flush=True)
        sys.exit(4)
    server = grpc.server(futures.ThreadPoolExecutor(4), options=[("grpc.so_reuseport", 0)])
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    servicer.set("liveness", health_pb2.HealthCheckResponse.SERVING)
    port = server.add_insecure_port(f"127.0.0.1:{os.environ.get('LLS_GRPC_PORT', '0')}")
    server.start()
    port_file = Path(os.environ["LLS_PORT_FILE"])
    port_file.write_text(str(port))
    print(f"fake {os.environ.get('LLS_SERVICE_NAME')} listening on {port}", flush=True)
    for i in range(3):
        print(f'LLS_PROGRESS {{"task": "load", "completed": {i + 1}, "total": 3}}', flush=True)
    time.sleep(float(os.environ.get("FAKE_READY_AFTER", "0")))
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    stop = threading.Event()
    if os.environ.get("FAKE_IGNORE_TERM"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stuck_after, stuck_marker = (
        os.environ.get("FAKE_STUCK_AFTER"),
        os.environ.get("FAKE_STUCK_ONCE"),
    )
    if stuck_after and not (stuck_marker and Path(stuck_marker).exists()):
        if stuck_marker:
            Path(stuck_marker).write_text("stuck")

        def get_stuck() -> None:
            time.sleep(float(stuck_after))
            print("fake: stuck", flush=True)
            servicer.set("liveness", health_pb2.HealthCheckResponse.NOT_SERVING)

        threading.Thread(target=get_stuck, daemon=True).start()
    exit_after = os.environ.get("FAKE_EXIT_AFTER")
    marker = os.environ.get("FAKE_CRASH_ONCE")
    if marker and Path(marker).exists():
        exit_after = None
    if exit_after:
        if marker:
            Path(marker).write_text("crashed")
        time.sleep(float(exit_after))
        print("fake: crashing", flush=True)
        os._exit(3)
    stop.wait()
    server.stop(0.5)
    print("fake: stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
