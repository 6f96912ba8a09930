"""The registrable resource kinds, as one table every part of the mesh reads.

The gateway's registry (generic over kinds), the run.yaml sections of declared resources, the
CLI's resource commands, the ProviderService's `AnyResource` and the providers' resource
tables all take what differs between kinds from here. Adding a kind is one `KindSpec` entry
(plus its contract): no code elsewhere branches on kind names.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
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
from services.common import pagination
from services.common.errors import ResourceTypeMismatch

__all__ = [
    "KINDS",
    "KIND_BY_API",
    "KIND_BY_NAME",
    "KIND_BY_VALUE",
    "TOOL",
    "Candidate",
    "KindSpec",
    "Lookup",
]

RK = resource_pb2.ResourceKind

#: Reads another registered resource (kind name, identifier) -> its message; raises NotFound.
Lookup = Callable[[str, str], Awaitable[Message]]


@dataclass(frozen=True)
class Candidate:
    """A resource built from a registration request, before its provider saw it."""

    resource: Message
    #: Provider types to prefer when the request names no provider (datasets).
    preferred_types: tuple[str, ...] = ()


async def _no_references(resource: Message, lookup: Lookup) -> None:
    return None


def _as_stored(resource: Message) -> None:
    return None


def _no_hint(request: Any, able: frozenset[str]) -> str:
    return ""


@dataclass(frozen=True)
class KindSpec:
    value: int  # ResourceKind
    #: The record kind, the AnyResource oneof field and the word used in messages: "model".
    name: str
    #: Message / RPC stem: "Model" (RegisterModel, ModelService).
    label: str
    #: The API whose providers own resources of this kind.
    api: str
    #: run.yaml section of declared resources, and the CLI command group.
    section: str
    command: str
    resource_cls: type[Message]
    pb2: ModuleType
    grpc: ModuleType
    #: Request field naming the resource in Get/Unregister (and Register).
    id_field: str
    #: Builds the candidate resource: (request, provider_id) -> Candidate.
    build: Callable[[Any, str], Candidate]
    #: The register request's field for the provider's own id ("" when it has none).
    provider_resource_field: str = ""
    #: Field of the register request naming the provider ("" when the kind has none).
    provider_field: str = "provider_id"
    #: The provider a request implies without naming it: (request, ids of able providers).
    provider_hint: Callable[[Any, frozenset[str]], str] = _no_hint
    #: Checks (and may complete) the resources it references, before the provider is asked.
    references: Callable[[Message, Lookup], Awaitable[None]] = _no_references
    #: Child record kind unregistered with the resource (tools of a tool group).
    child_kind: str = ""
    #: The register request may omit the id (the registry makes one).
    id_optional: bool = False
    #: Fills fields derived from the stored ones before a resource is answered (models:
    #: OpenAI's `id`, `object`, `owned_by`).
    present: Callable[[Message], None] = _as_stored
    #: List page size when the request gives none (0: the pagination default).
    default_page_size: int = 0

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


# -- models ---------------------------------------------------------------------------------


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


def _present_model(model: resources_pb2.Model) -> None:
    """OpenAI's model fields (`GET /v1/models` serves native and OpenAI clients alike)."""
    model.id, model.object, model.owned_by = model.identifier, "model", model.provider_id


def _model_hint(req: model_service_pb2.RegisterModelRequest, able: frozenset[str]) -> str:
    """ "provider/model" ids name their provider (reference issue #3929)."""
    head, sep, _ = req.model_id.partition("/")
    return head if sep and head in able else ""


# -- shields, tool groups --------------------------------------------------------------------


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


# -- datasets --------------------------------------------------------------------------------


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


def _dataset_hint(req: dataset_service_pb2.RegisterDatasetRequest, able: frozenset[str]) -> str:
    """The reference names a dataset's provider in `metadata.provider_id`."""
    if not req.HasField("metadata"):
        return ""
    value = req.metadata.fields.get("provider_id")
    return value.string_value if value is not None else ""


# -- vector databases ------------------------------------------------------------------------


def _vector_db(req: vector_db_service_pb2.RegisterVectorDbRequest, provider_id: str) -> Candidate:
    return Candidate(
        resources_pb2.VectorDb(
            identifier=req.vector_db_id,
            provider_id=provider_id,
            provider_resource_id=req.provider_vector_db_id or req.vector_db_id,
            embedding_model=req.embedding_model,
            embedding_dimension=req.embedding_dimension,
            vector_db_name=req.vector_db_name,
        ),
        # The embedded default engine, when a distribution has several vector IO providers.
        preferred_types=("inline::qdrant",),
    )


async def _vector_db_references(db: resources_pb2.VectorDb, lookup: Lookup) -> None:
    """The embedding model must be a registered embedding model; it gives the dimension."""
    model = await lookup("model", db.embedding_model)
    if model.model_type != resources_pb2.MODEL_TYPE_EMBEDDING:
        raise ResourceTypeMismatch(
            f"model {model.identifier} is not an embedding model; register the vector "
            f"database with an embedding model",
            identifier=model.identifier,
        )
    dim = model.metadata.fields.get("embedding_dimension")
    if not db.embedding_dimension and dim is not None:
        db.embedding_dimension = int(dim.number_value)


# -- scoring functions, benchmarks -----------------------------------------------------------


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


async def _benchmark_references(bench: resources_pb2.Benchmark, lookup: Lookup) -> None:
    await lookup("dataset", bench.dataset_id)
    for fn in bench.scoring_functions:
        await lookup("scoring_function", fn)


KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        RK.RESOURCE_KIND_MODEL, "model", "Model", "inference", "models", "models",
        resources_pb2.Model, model_service_pb2, model_service_pb2_grpc, "model_id", _model,
        provider_resource_field="provider_model_id", provider_hint=_model_hint,
        present=_present_model, default_page_size=pagination.MAX_PAGE_SIZE,
    ),
    KindSpec(
        RK.RESOURCE_KIND_SHIELD, "shield", "Shield", "safety", "shields", "shields",
        resources_pb2.Shield, shield_service_pb2, shield_service_pb2_grpc, "shield_id", _shield,
        provider_resource_field="provider_shield_id",
    ),
    KindSpec(
        RK.RESOURCE_KIND_TOOL_GROUP, "tool_group", "ToolGroup", "tool_runtime", "tool_groups",
        "toolgroups", resources_pb2.ToolGroup, tool_group_service_pb2,
        tool_group_service_pb2_grpc, "toolgroup_id", _tool_group, child_kind="tool",
    ),
    KindSpec(
        RK.RESOURCE_KIND_DATASET, "dataset", "Dataset", "datasetio", "datasets", "datasets",
        resources_pb2.Dataset, dataset_service_pb2, dataset_service_pb2_grpc, "dataset_id",
        _dataset, provider_hint=_dataset_hint, id_optional=True,
    ),
    KindSpec(
        RK.RESOURCE_KIND_VECTOR_DB, "vector_db", "VectorDb", "vector_io", "vector_dbs",
        "vector-dbs", resources_pb2.VectorDb, vector_db_service_pb2, vector_db_service_pb2_grpc,
        "vector_db_id", _vector_db, provider_resource_field="provider_vector_db_id",
        references=_vector_db_references,
    ),
    KindSpec(
        RK.RESOURCE_KIND_SCORING_FUNCTION, "scoring_function", "ScoringFunction", "scoring",
        "scoring_fns", "scoring-functions", resources_pb2.ScoringFunction,
        scoring_function_service_pb2, scoring_function_service_pb2_grpc, "scoring_fn_id",
        _scoring_function, provider_resource_field="provider_scoring_fn_id",
    ),
    KindSpec(
        RK.RESOURCE_KIND_BENCHMARK, "benchmark", "Benchmark", "eval", "benchmarks", "benchmarks",
        resources_pb2.Benchmark, benchmark_service_pb2, benchmark_service_pb2_grpc,
        "benchmark_id", _benchmark, provider_resource_field="provider_benchmark_id",
        references=_benchmark_references,
    ),
)  # fmt: skip

KIND_BY_NAME = {k.name: k for k in KINDS}
KIND_BY_VALUE = {k.value: k for k in KINDS}
KIND_BY_API = {k.api: k for k in KINDS}

#: Tools are records too (children of their group), but are never registered directly.
TOOL = "tool"
