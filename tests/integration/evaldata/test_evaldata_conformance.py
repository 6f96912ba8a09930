"""The ProviderService conformance suite against the real dataset IO, scoring and eval
services, with the gateway in front."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2

from llamastack.common.v1 import scoring_pb2
from llamastack.registry.v1 import (
    benchmark_service_pb2,
    dataset_service_pb2,
    resources_pb2,
    scoring_function_service_pb2,
)
from tests.conformance.provider_service import ProviderServiceConformance, Target
from tests.integration.evaldata.mesh import register_qa


def _metadata(**values) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(values)
    return s


def _dataset(ident: str, note: str = "", rows=None) -> resources_pb2.Dataset:
    rows = rows if rows is not None else [{"question": "q", "answer": "a"}]
    ds = resources_pb2.Dataset(
        identifier=ident, provider_id="localfs", provider_resource_id=ident,
        purpose=resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER,
        source=resources_pb2.DataSource(rows=resources_pb2.RowsDataSource(
            rows=[_metadata(**r) for r in rows])),
    )  # fmt: skip
    if note:
        ds.metadata.CopyFrom(_metadata(note=note))
    return ds


def _register_dataset(ds: resources_pb2.Dataset) -> dataset_service_pb2.RegisterDatasetRequest:
    request = dataset_service_pb2.RegisterDatasetRequest(
        dataset_id=ds.identifier, provider_id=ds.provider_id, purpose=ds.purpose, source=ds.source
    )
    if ds.HasField("metadata"):
        request.metadata.CopyFrom(ds.metadata)
    return request


def _fn(ident: str, impl: str = "basic::equality", description: str = ""):
    return resources_pb2.ScoringFunction(
        identifier=ident, provider_id="basic", provider_resource_id=impl,
        description=description, return_type=scoring_pb2.PARAM_TYPE_NUMBER,
    )  # fmt: skip


def _register_fn(fn) -> scoring_function_service_pb2.RegisterScoringFunctionRequest:
    return scoring_function_service_pb2.RegisterScoringFunctionRequest(
        scoring_fn_id=fn.identifier, provider_id=fn.provider_id,
        provider_scoring_fn_id=fn.provider_resource_id, description=fn.description,
        return_type=fn.return_type,
    )  # fmt: skip


def _bench(ident: str, dataset: str = "conf-qa", fns=("basic::equality",), note: str = ""):
    bench = resources_pb2.Benchmark(
        identifier=ident, provider_id="meta-reference", provider_resource_id=ident,
        dataset_id=dataset, scoring_functions=list(fns),
    )  # fmt: skip
    if note:
        bench.metadata.CopyFrom(_metadata(note=note))
    return bench


def _register_bench(b) -> benchmark_service_pb2.RegisterBenchmarkRequest:
    request = benchmark_service_pb2.RegisterBenchmarkRequest(
        benchmark_id=b.identifier, dataset_id=b.dataset_id, provider_id=b.provider_id,
        scoring_functions=b.scoring_functions,
    )  # fmt: skip
    if b.HasField("metadata"):
        request.metadata.CopyFrom(b.metadata)
    return request


def _target(eval_mesh, api: str, **kw) -> Target:
    return Target(api=api, service=eval_mesh.services[api].address,
                  gateway=eval_mesh.gateway.address, **kw)  # fmt: skip


class TestDatasetIoConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, eval_mesh) -> Target:
        return _target(
            eval_mesh, "datasetio",
            valid=_dataset, variant=lambda i: _dataset(i, note="other"),
            invalid=lambda i: _dataset(i, rows=[{"question": "q"}]),
            register_request=_register_dataset,
        )  # fmt: skip


class TestScoringConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, eval_mesh) -> Target:
        return _target(
            eval_mesh, "scoring",
            valid=_fn, variant=lambda i: _fn(i, "basic::subset_of"),
            invalid=lambda i: _fn(i, "no-such-function"),
            register_request=_register_fn,
        )  # fmt: skip


class TestEvalConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, eval_mesh, datasets) -> Target:
        register_qa(datasets, "conf-qa")
        return _target(
            eval_mesh, "eval",
            valid=_bench, variant=lambda i: _bench(i, note="other"),
            invalid=lambda i: _bench(i, fns=()),
            register_request=_register_bench,
        )  # fmt: skip
