"""Every public RPC is reachable over REST, by a path that mirrors the reference route."""

from __future__ import annotations

from collections import defaultdict

import pytest
from google.protobuf.descriptor import FieldDescriptor

from services.common import descriptors
from tests.contract.http_templates import samples, to_regex, variables
from tests.contract.reference_routes import REFERENCE_ROUTES


def _bindings(public_methods):
    return [(m, b) for m in public_methods for b in m.http]


def _is_http_body(message) -> bool:
    return message.full_name == "google.api.HttpBody"


def test_every_public_rpc_has_an_http_rule(public_methods):
    """...or is the typed gRPC face of an RPC that has one: same service, same request type,
    the REST one answering google.api.HttpBody (the OpenAI API)."""
    rest_faces = {
        (m.service, m.request.full_name)
        for m in public_methods
        if m.http and _is_http_body(m.response)
    }
    missing = [
        m.path
        for m in public_methods
        if not m.http and (m.service, m.request.full_name) not in rest_faces
    ]
    assert not missing, f"RPCs without google.api.http: {missing}"


def test_internal_rpcs_have_no_http_rule(methods):
    internal = [m for m in methods if m.package in descriptors.INTERNAL_PACKAGES]
    assert internal, "the internal provider service should exist"
    assert not [m.path for m in internal if m.http]


def test_path_variables_are_string_fields_of_the_request(public_methods):
    for m, b in _bindings(public_methods):
        for var in variables(b.path):
            chain = descriptors.field_by_path(m.request, var)
            assert chain, f"{m.path}: {b.path} binds unknown field {var}"
            assert chain[-1].type == FieldDescriptor.TYPE_STRING, f"{m.path}: {var} not a string"


def test_bodies_name_existing_fields(public_methods):
    for m, b in _bindings(public_methods):
        if b.method in ("GET", "DELETE"):
            assert not b.body, f"{m.path}: {b.method} with a body"
        elif b.body != "*":
            assert b.body in m.request.fields_by_name, f"{m.path}: body {b.body}"
        if b.response_body:
            assert b.response_body in m.response.fields_by_name, f"{m.path}: {b.response_body}"


def test_no_two_rules_collide(public_methods):
    by_method = defaultdict(list)
    for m, b in _bindings(public_methods):
        by_method[b.method].append((m, b))
    for verb, rules in by_method.items():
        for _, b in rules:
            for sample in samples(b.path):
                hits = [f"{o.path} {ob.path}" for o, ob in rules if to_regex(ob.path).match(sample)]
                assert len(hits) == 1, f"{verb} {sample} matches {hits}"


@pytest.mark.parametrize(("verb", "path"), REFERENCE_ROUTES)
def test_reference_route_is_served(public_methods, verb, path):
    hits = [
        f"{m.path} ({b.path})"
        for m, b in _bindings(public_methods)
        if b.method == verb and to_regex(b.path).match(path)
    ]
    assert len(hits) == 1, f"{verb} {path} -> {hits}"


def test_streaming_rpcs_use_the_stream_verb(public_methods):
    """Except HttpBody streams: OpenAI's paths answer both `stream` values on one route."""
    for m in public_methods:
        if _is_http_body(m.response):
            continue
        for b in m.http:
            assert b.path.endswith(":stream") == m.server_streaming, f"{m.path}: {b.path}"


def test_ids_that_may_contain_a_slash_take_the_rest_of_the_path(public_methods):
    rules = {(b.method, b.path) for _, b in _bindings(public_methods)}
    assert ("GET", "/v1/models/{model_id=**}") in rules
    assert ("DELETE", "/v1/models/{model_id=**}") in rules
    assert ("GET", "/v1/tools/{tool_name=**}") in rules


def test_descriptor_set_for_envoy_holds_every_public_service():
    from pathlib import Path

    from google.protobuf import descriptor_pb2

    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString((Path(__file__).parents[2] / "gen" / "llamastack.binpb").read_bytes())
    in_set = {f"{f.package}.{s.name}" for f in fds.file for s in f.service}
    expected = {s.full_name for s in descriptors.services()}
    assert expected <= in_set
    assert any(f.name == "google/api/http.proto" for f in fds.file), "imports must be included"


OPENAI_ROUTES = [
    ("POST", "/v1/chat/completions"),
    ("POST", "/v1/completions"),
    ("POST", "/v1/embeddings"),
    ("GET", "/v1/models"),
    ("GET", "/v1/models/llama-cpp/SmolLM2-135M-Instruct"),
    ("POST", "/v1/moderations"),
]


@pytest.mark.parametrize(("verb", "path"), OPENAI_ROUTES)
def test_openai_route_is_served(public_methods, verb, path):
    hits = [
        m.path
        for m, b in _bindings(public_methods)
        if b.method == verb and to_regex(b.path).match(path)
    ]
    assert len(hits) == 1, f"{verb} {path} -> {hits}"


def test_envoy_gives_every_openai_path_openai_errors(public_methods):
    from deploy.envoy.config import OPENAI_PATHS

    openai_paths = {
        b.path for m, b in _bindings(public_methods) if m.package == "llamastack.openai.v1"
    }
    assert openai_paths
    assert openai_paths <= set(OPENAI_PATHS), "add new OpenAI routes to OPENAI_PATHS"
