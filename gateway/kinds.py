"""The seven registrable resource kinds: what differs between them, and nothing else.

Everything a registry RPC does is generic (gateway/registry.py, servicers/registry.py); a
kind only says which messages it uses and how a registration request becomes a resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from google.protobuf.message import Message

from llamastack.common.v1 import resource_pb2
from llamastack.registry.v1 import (
    benchmark_service_pb2,
    benchmark_service_pb2_grpc,
    dataset_service_pb2,
    dataset_service_pb2_grpc,
    model_service_pb2,
    model_service_pb2_grpc,
    resources_pb2,
    scoring_function_service_pb2,
    scoring_function_service_pb2_grpc,
    shield_service_pb2,
    shield_service_pb2_grpc,
    tool_group_service_pb2,
    tool_group_service_pb2_grpc,
    vector_db_service_pb2,
    vector_db_service_pb2_grpc,
)

__all__ = ["KINDS", "KIND_BY_NAME", "KIND_BY_VALUE", "TOOL", "Candidate", "KindSpec"]

RK = resource_pb2.ResourceKind


@dataclass(frozen=True)
class Candidate:
    """A resource built from a registration request, before its provider saw it."""

    resource: Message
    #: Provider types to prefer when the request names no provider (datasets).
    preferred_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    value: int  # ResourceKind
    name: str  # "model" (the record kind and the word used in messages)
    label: str  # "Model" (message / RPC name stem)
    resource_cls: type[Message]
    pb2: ModuleType
    grpc: ModuleType
    #: Request field naming the resource in Get/Unregister (and Register).
    id_field: str
    #: Builds the candidate resource: (request, provider_id) -> Candidate.
    build: Callable[[Any, str], Candidate]
    #: Field of the register request naming the provider ("" when the kind has none).
    provider_field: str = "provider_id"
    #: Child record kind unregistered with the resource (tools of a tool group).
    child_kind: str = ""

    @property
    def service_name(self) -> str:
        return f"{self.label}Service"

    @property
    def plural(self) -> str:
        return f"{self.label}s"

    def request(self, rpc: str) -> type[Message]:
        return getattr(self.pb2, f"{rpc}Request")

    def response(self, rpc: str) -> type[Message]:
        return getattr(self.pb2, f"{rpc}Response")


def _model(req: model_service_pb2.RegisterModelRequest, provider_id: str) -> Candidate:
    provider_model_id = req.provider_model_id
    model_id = req.model_id
    prefix = f"{provider_id}/"
    if not provider_model_id and model_id.startswith(prefix):
        # "llama-cpp/SmolLM2" names the provider's model, not an alias.
        provider_model_id = model_id.removeprefix(prefix)
    provider_model_id = provider_model_id or model_id
    alias = model_id != provider_model_id and model_id != prefix + provider_model_id
    identifier = model_id if alias else prefix + provider_model_id
    model = resources_pb2.Model(
        identifier=identifier,
        provider_id=provider_id,
        provider_resource_id=provider_model_id,
        model_type=req.model_type or resources_pb2.MODEL_TYPE_LLM,
    )
    if req.HasField("metadata"):
        model.metadata.CopyFrom(req.metadata)
    return Candidate(model)


def _shield(req: shield_service_pb2.RegisterShieldRequest, provider_id: str) -> Candidate:
    shield = resources_pb2.Shield(
        identifier=req.shield_id,
        provider_id=provider_id,
        provider_resource_id=req.provider_shield_id or req.shield_id,
    )
    if req.HasField("params"):
        shield.params.CopyFrom(req.params)
    return Candidate(shield)


def _tool_group(
    req: tool_group_service_pb2.RegisterToolGroupRequest, provider_id: str
) -> Candidate:
    group = resources_pb2.ToolGroup(
        identifier=req.toolgroup_id,
        provider_id=provider_id,
        provider_resource_id=req.toolgroup_id,
    )
    if req.HasField("mcp_endpoint"):
        group.mcp_endpoint.CopyFrom(req.mcp_endpoint)
    if req.HasField("args"):
        group.args.CopyFrom(req.args)
    return Candidate(group)


def _dataset(req: dataset_service_pb2.RegisterDatasetRequest, provider_id: str) -> Candidate:
    identifier = req.dataset_id or f"dataset-{uuid.uuid4().hex}"
    dataset = resources_pb2.Dataset(
        identifier=identifier,
        provider_id=provider_id,
        provider_resource_id=identifier,
        purpose=req.purpose,
        source=req.source,
    )
    if req.HasField("metadata"):
        dataset.metadata.CopyFrom(req.metadata)
    # The reference infers the provider from the source when none is named.
    uri = req.source.uri.uri if req.source.HasField("uri") else ""
    preferred = (
        ("remote::huggingface",) if uri.startswith("huggingface://") else ("inline::localfs",)
    )
    return Candidate(dataset, preferred_types=preferred)


def _vector_db(req: vector_db_service_pb2.RegisterVectorDbRequest, provider_id: str) -> Candidate:
    return Candidate(
        resources_pb2.VectorDb(
            identifier=req.vector_db_id,
            provider_id=provider_id,
            provider_resource_id=req.provider_vector_db_id or req.vector_db_id,
            embedding_model=req.embedding_model,
            embedding_dimension=req.embedding_dimension,
            vector_db_name=req.vector_db_name,
        )
    )


def _scoring_function(
    req: scoring_function_service_pb2.RegisterScoringFunctionRequest, provider_id: str
) -> Candidate:
    fn = resources_pb2.ScoringFunction(
        identifier=req.scoring_fn_id,
        provider_id=provider_id,
        provider_resource_id=req.provider_scoring_fn_id or req.scoring_fn_id,
        description=req.description,
        return_type=req.return_type,
    )
    if req.HasField("params"):
        fn.params.CopyFrom(req.params)
    return Candidate(fn)


def _benchmark(req: benchmark_service_pb2.RegisterBenchmarkRequest, provider_id: str) -> Candidate:
    bench = resources_pb2.Benchmark(
        identifier=req.benchmark_id,
        provider_id=provider_id,
        provider_resource_id=req.provider_benchmark_id or req.benchmark_id,
        dataset_id=req.dataset_id,
        scoring_functions=req.scoring_functions,
    )
    if req.HasField("metadata"):
        bench.metadata.CopyFrom(req.metadata)
    return Candidate(bench)


KINDS: tuple[KindSpec, ...] = (
    KindSpec(RK.RESOURCE_KIND_MODEL, "model", "Model", resources_pb2.Model,
             model_service_pb2, model_service_pb2_grpc, "model_id", _model),
    KindSpec(RK.RESOURCE_KIND_SHIELD, "shield", "Shield", resources_pb2.Shield,
             shield_service_pb2, shield_service_pb2_grpc, "shield_id", _shield),
    KindSpec(RK.RESOURCE_KIND_TOOL_GROUP, "tool_group", "ToolGroup", resources_pb2.ToolGroup,
             tool_group_service_pb2, tool_group_service_pb2_grpc, "toolgroup_id", _tool_group,
             child_kind="tool"),
    KindSpec(RK.RESOURCE_KIND_DATASET, "dataset", "Dataset", resources_pb2.Dataset,
             dataset_service_pb2, dataset_service_pb2_grpc, "dataset_id", _dataset),
    KindSpec(RK.RESOURCE_KIND_VECTOR_DB, "vector_db", "VectorDb", resources_pb2.VectorDb,
             vector_db_service_pb2, vector_db_service_pb2_grpc, "vector_db_id", _vector_db),
    KindSpec(RK.RESOURCE_KIND_SCORING_FUNCTION, "scoring_function", "ScoringFunction",
             resources_pb2.ScoringFunction, scoring_function_service_pb2,
             scoring_function_service_pb2_grpc, "scoring_fn_id", _scoring_function),
    KindSpec(RK.RESOURCE_KIND_BENCHMARK, "benchmark", "Benchmark", resources_pb2.Benchmark,
             benchmark_service_pb2, benchmark_service_pb2_grpc, "benchmark_id", _benchmark),
)  # fmt: skip

KIND_BY_NAME = {k.name: k for k in KINDS}
KIND_BY_VALUE = {k.value: k for k in KINDS}

#: Tools are records too (children of their group), but are never registered directly.
TOOL = "tool"
