"""Access control over gRPC: owners, a team rule, default deny, no existence leaks, and the
principal forwarded to services."""

from __future__ import annotations

import json

import grpc
import pytest

from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from llamastack.registry.v1 import vector_db_service_pb2 as vdb
from llamastack.registry.v1 import vector_db_service_pb2_grpc as vdb_grpc
from llamastack.vector_io.v1 import vector_io_service_pb2 as vio
from llamastack.vector_io.v1 import vector_io_service_pb2_grpc as vio_grpc
from services.common.security.mesh import TOKEN_METADATA
from tests.integration.gateway.mesh import error_info

from .conftest import ADMIN_KEY, Secured

USER = [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "hi"}])]


def _models(s: Secured):
    return ms_grpc.ModelServiceStub(s.channel)


def _vdbs(s: Secured):
    return vdb_grpc.VectorDbServiceStub(s.channel)


def _chat(s: Secured, who: str, model: str, **kw) -> dict:
    resp = inf_grpc.InferenceServiceStub(s.channel).ChatCompletion(
        inf.ChatCompletionRequest(model_id=model, messages=USER), metadata=s.md(who), **kw
    )
    return json.loads(resp.completion_message.content[0].text)


def _query(s: Secured, who: str, vector_db: str) -> dict:
    resp = vio_grpc.VectorIoServiceStub(s.channel).QueryChunks(
        vio.QueryChunksRequest(vector_db_id=vector_db, query=[{"text": "q"}]), metadata=s.md(who)
    )
    return json.loads(resp.chunks[0].content[0].text)


def _code(fn) -> tuple[grpc.StatusCode, grpc.RpcError]:
    with pytest.raises(grpc.RpcError) as err:
        fn()
    return err.value.code(), err.value


@pytest.fixture(scope="module")
def owned(secured):
    """alice (team red) owns a model and a vector DB; bob (team blue) owns a model."""
    models = _models(secured)
    alice_model = models.RegisterModel(
        ms.RegisterModelRequest(model_id="alice-llm", provider_model_id="m2",
                                provider_id="echo-llm"),
        metadata=secured.md("alice"),
    ).model  # fmt: skip
    models.RegisterModel(
        ms.RegisterModelRequest(model_id="bob-llm", provider_model_id="m2", provider_id="echo-llm"),
        metadata=secured.md("bob"),
    )
    alice_vdb = (
        _vdbs(secured)
        .RegisterVectorDb(
            vdb.RegisterVectorDbRequest(
                vector_db_id="alice-docs", embedding_model="echo-llm/embed"
            ),
            metadata=secured.md("alice"),
        )
        .vector_db
    )
    return alice_model, alice_vdb


def test_registration_records_the_owner(owned):
    model, vector_db = owned
    for resource in (model, vector_db):
        assert resource.owner.principal == "alice"
        assert list(resource.owner.attributes["teams"].values) == ["red"]


def test_owners_use_their_resources_and_the_principal_reaches_the_service(secured, owned):
    echo = _chat(secured, "alice", "alice-llm")
    assert echo["resource_id"] == "m2"
    md = echo["metadata"]
    assert md["x-llamastack-principal"] == "alice"
    assert json.loads(md["x-llamastack-attributes"]) == {"teams": ["red"]}
    assert "authorization" not in md  # credentials stay at the gateway
    assert md[TOKEN_METADATA]  # the gateway's own credential
    assert _query(secured, "alice", "alice-docs")["metadata"]["x-llamastack-principal"] == "alice"


def test_another_user_cannot_read_use_or_delete_them(secured, owned):
    models, vdbs = _models(secured), _vdbs(secured)
    bob = secured.md("bob")
    calls = {
        "get model": lambda: models.GetModel(ms.GetModelRequest(model_id="alice-llm"),
                                             metadata=bob),
        "use model": lambda: _chat(secured, "bob", "alice-llm"),
        "delete model": lambda: models.UnregisterModel(
            ms.UnregisterModelRequest(model_id="alice-llm"), metadata=bob),
        "get vector db": lambda: vdbs.GetVectorDb(vdb.GetVectorDbRequest(vector_db_id="alice-docs"),
                                                  metadata=bob),
        "use vector db": lambda: _query(secured, "bob", "alice-docs"),
        "delete vector db": lambda: vdbs.UnregisterVectorDb(
            vdb.UnregisterVectorDbRequest(vector_db_id="alice-docs"), metadata=bob),
    }  # fmt: skip
    for name, call in calls.items():
        code, err = _code(call)
        # Exactly what a resource that does not exist answers: nothing leaks.
        assert code == grpc.StatusCode.NOT_FOUND, name
        assert "is not registered" in err.details(), name
    _, missing = _code(
        lambda: models.GetModel(ms.GetModelRequest(model_id="no-such"), metadata=bob)
    )
    assert error_info(missing).reason == error_info(err).reason
    # ...and it is all still there for alice.
    assert models.GetModel(ms.GetModelRequest(model_id="alice-llm"), metadata=secured.md("alice"))


def test_lists_show_only_what_the_caller_may_read(secured, owned):
    def ids(who):
        data = _models(secured).ListModels(ms.ListModelsRequest(), metadata=secured.md(who)).data
        return {m.identifier for m in data}

    alice, bob, admin = ids("alice"), ids("bob"), ids(ADMIN_KEY)
    assert {"alice-llm", "echo-llm/m1"} <= alice and "bob-llm" not in alice
    assert {"bob-llm", "echo-llm/m1"} <= bob and "alice-llm" not in bob
    assert {"alice-llm", "bob-llm"} <= admin
    bob_md = secured.md("bob")
    paged = _models(secured).ListModels(ms.ListModelsRequest(page_size=1), metadata=bob_md)
    assert len(paged.data) == 1 and paged.next_page_token
    bob_vdbs = _vdbs(secured).ListVectorDbs(vdb.ListVectorDbsRequest(), metadata=secured.md("bob"))
    assert "alice-docs" not in {v.identifier for v in bob_vdbs.data}


def test_a_team_rule_shares_reading_but_not_deleting(secured, owned):
    # carol is in alice's team: the policy lets teammates read (and so use) her resources
    assert _chat(secured, "carol", "alice-llm")["metadata"]["x-llamastack-principal"] == "carol"
    assert _query(secured, "carol", "alice-docs")["resource_id"] == "alice-docs"
    code, err = _code(
        lambda: _models(secured).UnregisterModel(
            ms.UnregisterModelRequest(model_id="alice-llm"), metadata=secured.md("carol")
        )
    )
    # carol can see the model, so the refusal says what was refused, and why
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert "'carol' may not delete model 'alice-llm'" in err.details()
    info = error_info(err)
    assert info.reason == "ERROR_REASON_PERMISSION_DENIED"
    assert info.metadata["action"] == "delete" and info.metadata["resourceKind"] == "model"


def test_a_forbid_rule_stops_registration(secured):
    code, err = _code(
        lambda: _models(secured).RegisterModel(
            ms.RegisterModelRequest(model_id="reserved/x", provider_model_id="m2",
                                    provider_id="echo-llm"),
            metadata=secured.md("alice"),
        )
    )  # fmt: skip
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert "may not create model 'reserved/x'" in err.details()


def test_a_taken_identifier_does_not_reveal_its_owner(secured, owned):
    code, err = _code(
        lambda: _models(secured).RegisterModel(
            ms.RegisterModelRequest(model_id="bob-llm", provider_model_id="m1",
                                    provider_id="echo-llm"),
            metadata=secured.md("alice"),
        )
    )  # fmt: skip
    assert code == grpc.StatusCode.ALREADY_EXISTS
    assert "is taken" in err.details() and "bob" not in err.details().replace("bob-llm", "")


def test_owners_delete_their_resources(secured):
    models = _models(secured)
    md = secured.md("bob")
    models.RegisterModel(
        ms.RegisterModelRequest(model_id="bob-tmp", provider_model_id="m2", provider_id="echo-llm"),
        metadata=md,
    )
    models.UnregisterModel(ms.UnregisterModelRequest(model_id="bob-tmp"), metadata=md)
    code, _ = _code(lambda: models.GetModel(ms.GetModelRequest(model_id="bob-tmp"), metadata=md))
    assert code == grpc.StatusCode.NOT_FOUND
