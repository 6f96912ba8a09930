"""Register / get / list / unregister for every resource kind, over SQLite and Redis."""

from __future__ import annotations

import uuid

import grpc
import pytest
from google.protobuf import struct_pb2

from llamastack.common.v1 import errors_pb2, scoring_pb2
from llamastack.registry.v1 import (
    benchmark_service_pb2 as bench,
)
from llamastack.registry.v1 import (
    benchmark_service_pb2_grpc as bench_grpc,
)
from llamastack.registry.v1 import (
    dataset_service_pb2 as ds,
)
from llamastack.registry.v1 import (
    dataset_service_pb2_grpc as ds_grpc,
)
from llamastack.registry.v1 import (
    model_service_pb2 as ms,
)
from llamastack.registry.v1 import (
    model_service_pb2_grpc as ms_grpc,
)
from llamastack.registry.v1 import (
    resources_pb2,
)
from llamastack.registry.v1 import (
    scoring_function_service_pb2 as sf,
)
from llamastack.registry.v1 import (
    scoring_function_service_pb2_grpc as sf_grpc,
)
from llamastack.registry.v1 import (
    shield_service_pb2 as sh,
)
from llamastack.registry.v1 import (
    shield_service_pb2_grpc as sh_grpc,
)
from llamastack.registry.v1 import (
    tool_group_service_pb2 as tg,
)
from llamastack.registry.v1 import (
    tool_group_service_pb2_grpc as tg_grpc,
)
from llamastack.registry.v1 import (
    vector_db_service_pb2 as vdb,
)
from llamastack.registry.v1 import (
    vector_db_service_pb2_grpc as vdb_grpc,
)
from tests.integration.gateway.mesh import error_info

NOT_FOUND = grpc.StatusCode.NOT_FOUND
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _rows() -> ds.RegisterDatasetRequest:
    row = struct_pb2.Struct()
    row.update({"question": "2+2?", "answer": "4"})
    return row


class Kind:
    """How to drive one registry service generically in these tests."""

    def __init__(self, label, stub, pb, id_field, make, change, plural=None):
        self.label, self.stub, self.pb, self.id_field = label, stub, pb, id_field
        self.make, self.change, self.plural = make, change, plural or f"{label}s"

    def call(self, channel, rpc, **fields):
        stub = self.stub(channel)
        request = getattr(self.pb, f"{rpc}Request")(**fields)
        return getattr(stub, rpc)(request, timeout=10)

    def register(self, channel, request):
        resp = getattr(self.stub(channel), f"Register{self.label}")(request, timeout=10)
        return getattr(resp, resp.DESCRIPTOR.fields[0].name)


def _setup_refs(channel):
    """Resources other kinds refer to: a dataset and a scoring function for benchmarks."""
    ds_grpc.DatasetServiceStub(channel).RegisterDataset(
        ds.RegisterDatasetRequest(
            dataset_id="bench-ds",
            purpose=resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER,
            source=resources_pb2.DataSource(rows=resources_pb2.RowsDataSource(rows=[_rows()])),
        )
    )
    sf_grpc.ScoringFunctionServiceStub(channel).RegisterScoringFunction(
        sf.RegisterScoringFunctionRequest(
            scoring_fn_id="bench-fn", return_type=scoring_pb2.PARAM_TYPE_NUMBER
        )
    )


KINDS = [
    Kind("Model", ms_grpc.ModelServiceStub, ms, "model_id",
         lambda i: ms.RegisterModelRequest(model_id=i, provider_model_id="m2",
                                           provider_id="echo-llm"),
         lambda r: setattr(r, "provider_model_id", "m1")),
    Kind("Shield", sh_grpc.ShieldServiceStub, sh, "shield_id",
         lambda i: sh.RegisterShieldRequest(shield_id=i, provider_id="echo-a"),
         lambda r: setattr(r, "provider_id", "echo-b")),
    Kind("ToolGroup", tg_grpc.ToolGroupServiceStub, tg, "toolgroup_id",
         lambda i: tg.RegisterToolGroupRequest(toolgroup_id=i, provider_id="echo-tools"),
         lambda r: r.args.update({"k": 1})),
    Kind("Dataset", ds_grpc.DatasetServiceStub, ds, "dataset_id",
         lambda i: ds.RegisterDatasetRequest(
             dataset_id=i, purpose=resources_pb2.DATASET_PURPOSE_EVAL_QUESTION_ANSWER,
             source=resources_pb2.DataSource(uri=resources_pb2.UriDataSource(uri="file:///a"))),
         lambda r: setattr(r.source.uri, "uri", "file:///b")),
    Kind("VectorDb", vdb_grpc.VectorDbServiceStub, vdb, "vector_db_id",
         lambda i: vdb.RegisterVectorDbRequest(vector_db_id=i, embedding_model="echo-llm/embed"),
         lambda r: setattr(r, "vector_db_name", "other")),
    Kind("ScoringFunction", sf_grpc.ScoringFunctionServiceStub, sf, "scoring_fn_id",
         lambda i: sf.RegisterScoringFunctionRequest(
             scoring_fn_id=i, return_type=scoring_pb2.PARAM_TYPE_NUMBER, description="d"),
         lambda r: setattr(r, "description", "changed")),
    Kind("Benchmark", bench_grpc.BenchmarkServiceStub, bench, "benchmark_id",
         lambda i: bench.RegisterBenchmarkRequest(
             benchmark_id=i, dataset_id="bench-ds", scoring_functions=["bench-fn"]),
         lambda r: r.metadata.update({"v": 2})),
]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.label)
def test_register_get_list_unregister(channel, kind):
    _setup_refs(channel)
    ident = _uid(kind.label.lower())
    request = kind.make(ident)
    created = kind.register(channel, request)
    assert created.provider_id
    ident = created.identifier  # models get "<provider>/<model>" unless aliased

    got = kind.call(channel, f"Get{kind.label}", **{kind.id_field: ident})
    assert getattr(got, got.DESCRIPTOR.fields[0].name) == created

    listed = kind.call(channel, f"List{kind.plural}", page_size=1000)
    assert ident in [r.identifier for r in listed.data]

    # The same request again is a no-op that returns the stored resource.
    request_id = getattr(request, kind.id_field)
    assert kind.register(channel, kind.make(request_id)) == created

    # A different resource under the same identifier is refused, and nothing changes.
    other = kind.make(request_id)
    kind.change(other)
    with pytest.raises(grpc.RpcError) as err:
        kind.register(channel, other)
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert ident in err.value.details() and "unregister it first" in err.value.details()
    assert error_info(err.value).reason == "ERROR_REASON_RESOURCE_ALREADY_EXISTS"
    again = kind.call(channel, f"Get{kind.label}", **{kind.id_field: ident})
    assert getattr(again, again.DESCRIPTOR.fields[0].name) == created

    kind.call(channel, f"Unregister{kind.label}", **{kind.id_field: ident})
    for rpc in (f"Get{kind.label}", f"Unregister{kind.label}"):
        with pytest.raises(grpc.RpcError) as err:
            kind.call(channel, rpc, **{kind.id_field: ident})
        assert err.value.code() == NOT_FOUND, rpc
        assert error_info(err.value).reason == "ERROR_REASON_RESOURCE_NOT_FOUND"
    assert kind.register(channel, kind.make(request_id)).identifier == ident
    kind.call(channel, f"Unregister{kind.label}", **{kind.id_field: ident})


def test_model_identifiers_follow_the_reference_rule(channel):
    models = ms_grpc.ModelServiceStub(channel)
    plain = models.RegisterModel(ms.RegisterModelRequest(model_id="m2", provider_id="echo-llm"))
    assert plain.model.identifier == "echo-llm/m2"
    alias = _uid("alias")
    aliased = models.RegisterModel(
        ms.RegisterModelRequest(model_id=alias, provider_model_id="m2", provider_id="echo-llm")
    )
    assert (aliased.model.identifier, aliased.model.provider_resource_id) == (alias, "m2")
    # "<provider>/<model>" names the provider and is not prefixed twice.
    prefixed = models.RegisterModel(ms.RegisterModelRequest(model_id="echo-llm/m2"))
    assert prefixed.model == plain.model
    got = models.GetModel(ms.GetModelRequest(model_id="echo-llm/m2"))
    assert got.model.model_type == resources_pb2.MODEL_TYPE_LLM


@pytest.mark.parametrize(
    "model_id",
    ["m" * 5000, "has space", "a//b", "trailing/", "../m", "a/./b", "tab\tid", "é"],
)
def test_identifiers_are_bounded_and_plain(channel, model_id):
    models = ms_grpc.ModelServiceStub(channel)
    with pytest.raises(grpc.RpcError) as err:
        models.RegisterModel(
            ms.RegisterModelRequest(
                model_id=model_id, provider_model_id="m2", provider_id="echo-llm"
            )
        )
    assert err.value.code() == INVALID
    assert "model_id" in err.value.details()
    listed = models.ListModels(ms.ListModelsRequest(page_size=1000)).data
    assert model_id not in {m.identifier for m in listed}


def test_declared_resources_are_registered_at_start(channel):
    models = ms_grpc.ModelServiceStub(channel)
    embed = models.GetModel(ms.GetModelRequest(model_id="echo-llm/embed")).model
    assert embed.model_type == resources_pb2.MODEL_TYPE_EMBEDDING
    assert embed.metadata.fields["embedding_dimension"].number_value == 8
    models.GetModel(ms.GetModelRequest(model_id="echo-llm/m1"))


def test_ambiguous_provider_lists_the_candidates(channel):
    with pytest.raises(grpc.RpcError) as err:
        sh_grpc.ShieldServiceStub(channel).RegisterShield(sh.RegisterShieldRequest(shield_id="s"))
    assert err.value.code() == INVALID
    assert "echo-a" in err.value.details() and "echo-b" in err.value.details()
    assert error_info(err.value).reason == errors_pb2.ErrorReason.Name(
        errors_pb2.ERROR_REASON_PROVIDER_AMBIGUOUS
    )


def test_unknown_provider_is_not_found(channel):
    with pytest.raises(grpc.RpcError) as err:
        sh_grpc.ShieldServiceStub(channel).RegisterShield(
            sh.RegisterShieldRequest(shield_id="s", provider_id="nope")
        )
    assert err.value.code() == NOT_FOUND
    assert "nope" in err.value.details() and "echo-a" in err.value.details()


def test_provider_of_the_wrong_kind_is_invalid(channel):
    with pytest.raises(grpc.RpcError) as err:
        sh_grpc.ShieldServiceStub(channel).RegisterShield(
            sh.RegisterShieldRequest(shield_id="s", provider_id="echo-llm")
        )
    assert err.value.code() == INVALID


def test_a_refusing_provider_stores_nothing(channel):
    shields = sh_grpc.ShieldServiceStub(channel)
    with pytest.raises(grpc.RpcError) as err:
        shields.RegisterShield(sh.RegisterShieldRequest(shield_id="bad", provider_id="echo-a"))
    assert err.value.code() == INVALID
    assert "refuses" in err.value.details()  # the provider's own message, forwarded
    with pytest.raises(grpc.RpcError) as err:
        shields.GetShield(sh.GetShieldRequest(shield_id="bad"))
    assert err.value.code() == NOT_FOUND


def test_missing_required_field_is_invalid(channel):
    with pytest.raises(grpc.RpcError) as err:
        ms_grpc.ModelServiceStub(channel).RegisterModel(ms.RegisterModelRequest())
    assert err.value.code() == INVALID
    assert "model_id is required" in err.value.details()


def test_vector_db_needs_a_registered_embedding_model(channel):
    dbs = vdb_grpc.VectorDbServiceStub(channel)
    with pytest.raises(grpc.RpcError) as err:
        dbs.RegisterVectorDb(vdb.RegisterVectorDbRequest(vector_db_id="v", embedding_model="x"))
    assert err.value.code() == NOT_FOUND and "'x'" in err.value.details()
    with pytest.raises(grpc.RpcError) as err:
        dbs.RegisterVectorDb(
            vdb.RegisterVectorDbRequest(vector_db_id="v", embedding_model="echo-llm/m1")
        )
    assert err.value.code() == INVALID and "not an embedding model" in err.value.details()
    ok = dbs.RegisterVectorDb(
        vdb.RegisterVectorDbRequest(vector_db_id=_uid("v"), embedding_model="echo-llm/embed")
    )
    assert ok.vector_db.embedding_dimension == 8  # taken from the model


def test_benchmark_needs_its_dataset(channel):
    with pytest.raises(grpc.RpcError) as err:
        bench_grpc.BenchmarkServiceStub(channel).RegisterBenchmark(
            bench.RegisterBenchmarkRequest(benchmark_id="b", dataset_id="nope",
                                           scoring_functions=["x"])
        )  # fmt: skip
    assert err.value.code() == NOT_FOUND and "nope" in err.value.details()


def test_lists_are_paginated(channel):
    fns = sf_grpc.ScoringFunctionServiceStub(channel)
    prefix = _uid("page")
    ids = [f"{prefix}-{i}" for i in range(5)]
    for i in ids:
        fns.RegisterScoringFunction(
            sf.RegisterScoringFunctionRequest(
                scoring_fn_id=i, return_type=scoring_pb2.PARAM_TYPE_NUMBER
            )
        )
    seen, token, pages = [], "", 0
    while True:
        resp = fns.ListScoringFunctions(
            sf.ListScoringFunctionsRequest(page_size=2, page_token=token)
        )
        assert len(resp.data) <= 2
        seen += [f.identifier for f in resp.data]
        pages += 1
        token = resp.next_page_token
        if not token:
            break
    assert [i for i in seen if i.startswith(prefix)] == ids
    assert seen == sorted(seen) and pages >= 3
    for bad in (sf.ListScoringFunctionsRequest(page_token="garbage"),
                sf.ListScoringFunctionsRequest(page_size=-1)):  # fmt: skip
        with pytest.raises(grpc.RpcError) as err:
            fns.ListScoringFunctions(bad)
        assert err.value.code() == INVALID


def test_tools_come_with_their_group(channel):
    groups = tg_grpc.ToolGroupServiceStub(channel)
    group = _uid("builtin::tools")
    groups.RegisterToolGroup(
        tg.RegisterToolGroupRequest(toolgroup_id=group, provider_id="echo-tools")
    )
    tools = groups.ListTools(tg.ListToolsRequest(toolgroup_id=group)).data
    assert sorted(t.identifier for t in tools) == ["calc", "web_search"]
    assert all(t.toolgroup_id == group and t.provider_id == "echo-tools" for t in tools)
    assert groups.GetTool(tg.GetToolRequest(tool_name="calc")).tool.toolgroup_id == group
    assert groups.GetTool(tg.GetToolRequest(tool_name=f"{group}/calc")).tool.identifier == "calc"
    # A second group providing the same tool names is refused.
    with pytest.raises(grpc.RpcError) as err:
        groups.RegisterToolGroup(
            tg.RegisterToolGroupRequest(toolgroup_id=_uid("g2"), provider_id="echo-tools")
        )
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "'calc'" in err.value.details() and "'web_search'" in err.value.details()
    groups.UnregisterToolGroup(tg.UnregisterToolGroupRequest(toolgroup_id=group))
    assert not groups.ListTools(tg.ListToolsRequest(toolgroup_id=group)).data
    with pytest.raises(grpc.RpcError) as err:
        groups.GetTool(tg.GetToolRequest(tool_name="calc"))
    assert err.value.code() == NOT_FOUND
