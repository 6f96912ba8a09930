"""Shapes every contract must follow: enums, pagination, routing, twins, resources."""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor

from llamastack.common.v1 import resource_pb2
from llamastack.registry.v1 import resources_pb2
from services.common import descriptors

API_PACKAGES = [
    "common",
    "registry",
    "inspect",
    "provider",
    "inference",
    "safety",
    "agents",
    "tool_runtime",
    "vector_io",
    "datasetio",
    "scoring",
    "eval",
    "telemetry",
    "batch_inference",
    "post_training",
    "synthetic_data_generation",
    "openai",
]

# APIs whose data-plane RPCs the gateway routes to the provider owning a resource.
ROUTED_APIS = {"inference", "safety", "vector_io", "datasetio", "eval", "tool_runtime", "openai"}
RESOURCE_ID_FIELDS = {
    "model",  # OpenAI's name
    "model_id",
    "shield_id",
    "vector_db_id",
    "dataset_id",
    "benchmark_id",
    "tool_name",
    "tool_group_id",
}
# Routed-API RPCs that name a resource but are served by their API's service, which resolves
# the resources itself (one request may name several).
UNROUTED_BY_DESIGN = {
    "/llamastack.tool_runtime.v1.ToolRuntimeService/InsertRagDocuments",
    "/llamastack.tool_runtime.v1.ToolRuntimeService/StreamInsertRagDocuments",
}


def _files():
    pool = descriptors.load_all()
    return [pool.FindFileByName(proto) for _, proto in descriptors.proto_files()]


def _all_enums():
    seen = {}
    for fd in _files():
        stack = list(fd.message_types_by_name.values())
        for e in fd.enum_types_by_name.values():
            seen[e.full_name] = e
        while stack:
            msg = stack.pop()
            stack.extend(msg.nested_types)
            for e in msg.enum_types:
                seen[e.full_name] = e
    return list(seen.values())


def test_every_api_package_exists():
    packages = {descriptors.api_of(fd.package) for fd in _files()}
    missing = [p for p in API_PACKAGES if p not in packages]
    assert not missing, f"missing API packages: {missing}"


def test_every_enum_zero_value_is_unspecified():
    enums = _all_enums()
    assert len(enums) > 20
    for enum in enums:
        zero = enum.values_by_number[0].name
        assert zero == f"{descriptors.enum_prefix(enum)}_UNSPECIFIED", (
            f"{enum.full_name}: zero value is {zero}"
        )


def test_every_list_rpc_is_paginated(methods):
    lists = [m for m in methods if m.name.startswith("List")]
    assert len(lists) >= 15
    for m in lists:
        req, resp = m.request.fields_by_name, m.response.fields_by_name
        assert req.get("page_size") and req["page_size"].type == FieldDescriptor.TYPE_INT32, m.path
        assert req.get("page_token") and req["page_token"].type == FieldDescriptor.TYPE_STRING
        assert resp.get("next_page_token"), m.path
        assert resp.get("data") and resp["data"].is_repeated, m.path


def test_routing_options_name_a_string_field(methods):
    routed = [m for m in methods if m.routing]
    assert len(routed) >= 15
    for m in routed:
        assert m.routing.kind != resource_pb2.RESOURCE_KIND_UNSPECIFIED, m.path
        chain = descriptors.field_by_path(m.request, m.routing.field)
        assert chain, f"{m.path}: routing field {m.routing.field} does not exist"
        last = chain[-1]
        assert last.type == FieldDescriptor.TYPE_STRING, f"{m.path}: {m.routing.field} not string"
        assert not last.is_repeated, m.path


def test_routed_apis_route_every_rpc_that_names_a_resource(methods):
    for m in methods:
        if descriptors.api_of(m.package) not in ROUTED_APIS or m.path in UNROUTED_BY_DESIGN:
            continue
        names_resource = RESOURCE_ID_FIELDS & set(m.request.fields_by_name)
        if names_resource:
            assert m.routing, f"{m.path} names {names_resource} but has no routing option"


def test_only_data_plane_services_are_routed(methods):
    for m in methods:
        if m.routing:
            assert descriptors.api_of(m.package) in ROUTED_APIS, m.path


def test_stream_twins_take_the_same_request_fields(methods):
    by_name = {(m.service, m.name): m for m in methods}
    # HttpBody streams answer both `stream` values of an OpenAI REST route: no twin.
    streams = [
        m for m in methods if m.server_streaming and m.response.full_name != "google.api.HttpBody"
    ]
    assert len(streams) >= 4
    for m in streams:
        base = m.name.removeprefix("Stream")
        twin = by_name.get((m.service, base)) or by_name.get((m.service, "Create" + base))
        assert twin and not twin.server_streaming, f"{m.path} has no unary twin"
        assert _shape(m.request) == _shape(twin.request), f"{m.path} differs from {twin.path}"
        assert m.routing == twin.routing, m.path


def _shape(message):
    return sorted(
        (f.name, f.number, f.type, f.is_repeated, f.message_type and f.message_type.full_name)
        for f in message.fields
    )


def test_every_resource_starts_with_the_envelope():
    envelope = _shape(resource_pb2.Resource.DESCRIPTOR)
    resources = [
        resources_pb2.Model,
        resources_pb2.Shield,
        resources_pb2.ToolGroup,
        resources_pb2.Tool,
        resources_pb2.Dataset,
        resources_pb2.VectorDb,
        resources_pb2.ScoringFunction,
        resources_pb2.Benchmark,
    ]
    for cls in resources:
        head = [s for s in _shape(cls.DESCRIPTOR) if s[1] <= 4]
        assert head == envelope, f"{cls.DESCRIPTOR.full_name} does not start with the envelope"


def test_a_typed_resource_reads_as_its_envelope():
    model = resources_pb2.Model(
        identifier="p/m", provider_id="p", provider_resource_id="m", model_type=2
    )
    env = resource_pb2.Resource.FromString(model.SerializeToString())
    assert (env.identifier, env.provider_id, env.provider_resource_id) == ("p/m", "p", "m")
