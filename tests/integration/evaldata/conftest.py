"""One mesh for the dataset IO, scoring and eval tests (real processes, real SmolLM2)."""

from __future__ import annotations

import grpc
import pytest

from llamastack.datasetio.v1 import datasetio_service_pb2_grpc
from llamastack.eval.v1 import eval_service_pb2_grpc
from llamastack.registry.v1 import (
    benchmark_service_pb2_grpc,
    dataset_service_pb2_grpc,
    scoring_function_service_pb2_grpc,
)
from llamastack.scoring.v1 import scoring_service_pb2_grpc
from tests.integration.evaldata.mesh import EvalMesh


@pytest.fixture(scope="session")
def eval_mesh(tmp_path_factory):
    mesh = EvalMesh(tmp_path_factory.mktemp("evaldata")).start()
    yield mesh
    mesh.stop()


@pytest.fixture(scope="session")
def gateway_channel(eval_mesh):
    with grpc.insecure_channel(eval_mesh.gateway.address) as channel:
        yield channel


@pytest.fixture(scope="session")
def datasets(gateway_channel):
    return dataset_service_pb2_grpc.DatasetServiceStub(gateway_channel)


@pytest.fixture(scope="session")
def datasetio(gateway_channel):
    return datasetio_service_pb2_grpc.DatasetIoServiceStub(gateway_channel)


@pytest.fixture(scope="session")
def scoring(gateway_channel):
    return scoring_service_pb2_grpc.ScoringServiceStub(gateway_channel)


@pytest.fixture(scope="session")
def scoring_functions(gateway_channel):
    return scoring_function_service_pb2_grpc.ScoringFunctionServiceStub(gateway_channel)


@pytest.fixture(scope="session")
def benchmarks(gateway_channel):
    return benchmark_service_pb2_grpc.BenchmarkServiceStub(gateway_channel)


@pytest.fixture(scope="session")
def evals(gateway_channel):
    return eval_service_pb2_grpc.EvalServiceStub(gateway_channel)


@pytest.fixture(scope="session")
def rest(eval_mesh):
    """REST through a real Envoy in front of the mesh's gateway."""
    import httpx

    from tests.integration.rest.envoy_proc import EnvoyProcess

    envoy = EnvoyProcess(eval_mesh.workdir, eval_mesh.gateway.address).start()
    try:
        with httpx.Client(base_url=envoy.base_url, timeout=120.0) as client:
            yield client
    finally:
        envoy.stop()
