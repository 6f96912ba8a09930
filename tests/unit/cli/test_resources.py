"""The resource-kind table matches the registry contracts, and register options convert right."""

from __future__ import annotations

import pytest
import typer

from cli.kinds import KINDS, build_register


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.command)
def test_table_matches_the_contracts(kind):
    service = kind.pb2.DESCRIPTOR.services_by_name[f"{kind.rpc}Service"]
    for verb, plural in (("Register", ""), ("Get", ""), ("List", "s"), ("Unregister", "")):
        method = service.methods_by_name[f"{verb}{kind.rpc}{plural}"]
        fields = method.input_type.fields_by_name
        if verb in ("Get", "Unregister"):
            assert kind.id_field in fields
        if verb == "Register":
            assert kind.id_field in fields and "provider_id" in fields
            if kind.provider_resource_field:
                assert kind.provider_resource_field in fields
            for opt in kind.extra:
                assert (opt.target or opt.field) in fields, opt.field
            assert kind.response_field in method.output_type.fields_by_name
        if verb == "Get":
            assert kind.response_field in method.output_type.fields_by_name
    assert hasattr(kind.grpc_module, f"{kind.rpc}ServiceStub")


def _kind(command):
    return next(k for k in KINDS if k.command == command)


def test_model_register_fields():
    fields = build_register(
        _kind("models"),
        {
            "model_id": "m",
            "provider_model_id": "p/m",
            "model_type": "Embedding",
            "metadata": '{"a": 1}',
        },
    )
    assert fields == {
        "model_id": "m",
        "provider_model_id": "p/m",
        "model_type": "MODEL_TYPE_EMBEDDING",
        "metadata": {"a": 1},
    }
    request = _kind("models").request("Register", fields)
    assert request.metadata["a"] == 1


def test_dataset_source_is_uri_or_rows_and_purpose_required(tmp_path):
    kind = _kind("datasets")
    rows = tmp_path / "rows.json"
    rows.write_text('[{"question": "q", "answer": "a"}]')
    fields = build_register(kind, {"purpose": "eval/question-answer", "rows": f"@{rows}"})
    assert fields["source"] == {"rows": {"rows": [{"question": "q", "answer": "a"}]}}
    assert "dataset_id" not in fields  # the server generates one
    request = kind.request("Register", fields)
    assert request.source.rows.rows[0]["answer"] == "a"

    fields = build_register(kind, {"purpose": "eval/question-answer", "uri": "file:///x.jsonl"})
    assert kind.request("Register", fields).source.uri.uri == "file:///x.jsonl"

    with pytest.raises(typer.Exit):
        build_register(kind, {"purpose": "eval/question-answer"})  # no source
    with pytest.raises(typer.Exit):
        build_register(kind, {"uri": "file:///x"})  # no purpose
    with pytest.raises(typer.Exit):
        build_register(kind, {"purpose": "eval/question-answer", "uri": "a", "rows": "[]"})


def test_benchmark_scoring_functions_split_on_commas():
    fields = build_register(
        _kind("benchmarks"),
        {
            "benchmark_id": "b",
            "dataset_id": "d",
            "scoring_functions": ["basic::equality,basic::subset_of", "x"],
        },
    )
    assert fields["scoring_functions"] == ["basic::equality", "basic::subset_of", "x"]


def test_scoring_function_and_toolgroup_and_vector_db():
    fields = build_register(
        _kind("scoring-functions"),
        {"scoring_fn_id": "s", "return_type": "number", "params": '{"basic": {}}'},
    )
    assert _kind("scoring-functions").request("Register", fields).params.HasField("basic")
    fields = build_register(
        _kind("toolgroups"), {"toolgroup_id": "mcp::x", "mcp_endpoint": "http://h/sse"}
    )
    assert _kind("toolgroups").request("Register", fields).mcp_endpoint.uri == "http://h/sse"
    fields = build_register(
        _kind("vector-dbs"),
        {"vector_db_id": "v", "embedding_model": "e", "embedding_dimension": "384"},
    )
    request = _kind("vector-dbs").request("Register", fields)
    assert request.embedding_dimension == 384 and request.HasField("embedding_dimension")


def test_unknown_fields_in_json_are_rejected():
    with pytest.raises(typer.Exit):
        _kind("scoring-functions").request(
            "Register", {"scoring_fn_id": "s", "params": {"nope": {}}}
        )
