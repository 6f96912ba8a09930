"""Readiness probes the supervisor polls without blocking its loop.

gRPC processes: `grpc.health.v1.Health/Check` for the whole server (`""`), which every mesh
process answers NOT_SERVING until its component is ready, and for `liveness` (SERVING while the
process serves at all; the supervisor restarts a process that stops answering it). Envoy: the
admin `/ready` endpoint (200 once its listeners are up).
"""

from __future__ import annotations

import contextlib
from typing import Protocol

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

__all__ = ["EnvoyProbe", "GrpcHealthProbe", "Probe"]

SERVING = health_pb2.HealthCheckResponse.SERVING


class Probe(Protocol):
    def poll(self) -> bool | None:
        """True when ready, False when the last check said no, None while a check runs."""

    def close(self) -> None: ...


class GrpcHealthProbe:
    """Non-blocking health checks: one call in flight at a time, read when done."""

    def __init__(self, address: str, timeout: float = 1.0, service: str = "") -> None:
        self.address = address
        self.service = service
        self._timeout = timeout
        self._channel = grpc.insecure_channel(address)
        self._stub = health_pb2_grpc.HealthStub(self._channel)
        self._call: grpc.Future | None = None
        self.last_status = "UNKNOWN"

    def poll(self) -> bool | None:
        if self._call is None:
            self._call = self._stub.Check.future(
                health_pb2.HealthCheckRequest(service=self.service), timeout=self._timeout
            )
            return None
        if not self._call.done():
            return None
        call, self._call = self._call, None
        try:
            status = call.result().status
        except grpc.RpcError as err:
            self.last_status = err.code().name
            return False
        self.last_status = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
        return status == SERVING

    def close(self) -> None:
        if self._call is not None:
            self._call.cancel()
            self._call = None
        self._channel.close()


class EnvoyProbe:
    """Envoy's admin `/ready` (local, answers in microseconds or refuses at once)."""

    def __init__(self, admin_port: int, timeout: float = 0.5) -> None:
        self.url = f"http://127.0.0.1:{admin_port}/ready"
        self._client = httpx.Client(timeout=timeout, trust_env=False)
        self.last_status = "UNKNOWN"

    def poll(self) -> bool | None:
        try:
            resp = self._client.get(self.url)
        except httpx.HTTPError as err:
            self.last_status = type(err).__name__
            return False
        self.last_status = f"{resp.status_code} {resp.text.strip()}"
        return resp.status_code == 200

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
