"""Cross-API calls go through the gateway (DESIGN.md §1): one channel, typed stubs, the
caller's trace context on every call."""

from __future__ import annotations

from typing import Any, TypeVar

import grpc

from services.common import telemetry
from services.common.channels import insecure_channel
from services.common.security.mesh import mesh_credentials

__all__ = ["GatewayClient"]

S = TypeVar("S")


class GatewayClient:
    """A lazily connected channel to the gateway, with cached stubs."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._channel: grpc.aio.Channel | None = None
        self._stubs: dict[type, Any] = {}

    @property
    def channel(self) -> grpc.aio.Channel:
        if self._channel is None:
            self._channel = insecure_channel(self.address, telemetry.client_interceptors())
        return self._channel

    def stub(self, stub_class: type[S]) -> S:
        """e.g. `client.stub(inference_service_pb2_grpc.InferenceServiceStub)`. Its calls
        carry the mesh credential and the principal of the call being served, so the gateway
        authorizes them as that caller (`services.common.security`)."""
        stub = self._stubs.get(stub_class)
        if stub is None:
            raw = stub_class(self.channel)
            stub = self._stubs[stub_class] = mesh_credentials().stub(raw, forward_principal=True)
        return stub

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None
            self._stubs.clear()
