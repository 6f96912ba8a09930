"""Fixtures of the telemetry tests: meshes whose every process exports to a telemetry
service (echo inference for the fast tests, the real SmolLM2 model for the slow ones)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import httpx
import pytest

from .mesh import ECHO, ROWS, TelemetryMesh, echo_config, model_config


@pytest.fixture(scope="session")
def echo_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelemetryMesh]:
    workdir = tmp_path_factory.mktemp("telemetry-echo")
    mesh = TelemetryMesh(workdir, echo_config(workdir), {"inference": ECHO, "datasetio": ROWS})
    yield mesh.start()
    mesh.stop()


@pytest.fixture(scope="session")
def telemetry_model_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelemetryMesh]:
    workdir = tmp_path_factory.mktemp("telemetry-model")
    mesh = TelemetryMesh(workdir, model_config(workdir), {"inference": "services.inference"})
    yield mesh.start()
    mesh.stop()


@pytest.fixture(scope="session")
def gateway_channel(echo_mesh: TelemetryMesh) -> Iterator[grpc.Channel]:
    assert echo_mesh.gateway is not None
    with grpc.insecure_channel(echo_mesh.gateway.address) as channel:
        yield channel


@pytest.fixture(scope="session")
def rest(echo_mesh: TelemetryMesh) -> Iterator[httpx.Client]:
    assert echo_mesh.envoy is not None
    with httpx.Client(base_url=echo_mesh.envoy.base_url, timeout=60.0) as client:
        yield client


@pytest.fixture(scope="session")
def off_mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelemetryMesh]:
    """A distribution with `telemetry: {enabled: false}` (and no datasetio)."""
    workdir = tmp_path_factory.mktemp("telemetry-off")
    config = echo_config(workdir, datasetio=False)
    config["telemetry"] = {"enabled": False}
    mesh = TelemetryMesh(workdir, config, {"inference": ECHO})
    yield mesh.start()
    mesh.stop()
