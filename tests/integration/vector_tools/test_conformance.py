"""The ProviderService conformance suite against the real vector IO and tool runtime
services, with the gateway in front."""

from __future__ import annotations

import pytest
from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import content_pb2
from llamastack.registry.v1 import resources_pb2, tool_group_service_pb2, vector_db_service_pb2
from tests.conformance.provider_service import ProviderServiceConformance, Target
from tests.integration.vector_tools.mesh import EMBED


def _db(identifier: str, dimension: int = 384, name: str = "") -> resources_pb2.VectorDb:
    return resources_pb2.VectorDb(
        identifier=identifier, provider_id="sqlite-vec", provider_resource_id=identifier,
        embedding_model=EMBED, embedding_dimension=dimension, vector_db_name=name,
    )  # fmt: skip


def _register_db(db: resources_pb2.VectorDb) -> vector_db_service_pb2.RegisterVectorDbRequest:
    return vector_db_service_pb2.RegisterVectorDbRequest(
        vector_db_id=db.identifier, embedding_model=db.embedding_model,
        embedding_dimension=db.embedding_dimension, provider_id=db.provider_id,
        vector_db_name=db.vector_db_name,
    )  # fmt: skip


class TestVectorIoConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, vt_services, vt_gateway) -> Target:
        return Target(
            api="vector_io",
            service=vt_services["vector_io"].address,
            gateway=vt_gateway.address,
            valid=lambda ident: _db(ident),
            variant=lambda ident: _db(ident, name="another"),
            invalid=lambda ident: _db(ident, dimension=-1),
            register_request=_register_db,
        )


def _group(identifier: str, endpoint: str, args: dict | None = None) -> resources_pb2.ToolGroup:
    """An MCP group (the registry allows one group per tool name, and builtin::rag already
    provides knowledge_search)."""
    group = resources_pb2.ToolGroup(
        identifier=identifier, provider_id="mcp", provider_resource_id=identifier,
        mcp_endpoint=content_pb2.Url(uri=endpoint),
    )  # fmt: skip
    if args is not None:
        group.args.CopyFrom(json_format.ParseDict(args, struct_pb2.Struct()))
    return group


def _register_group(
    group: resources_pb2.ToolGroup,
) -> tool_group_service_pb2.RegisterToolGroupRequest:
    request = tool_group_service_pb2.RegisterToolGroupRequest(
        toolgroup_id=group.identifier, provider_id=group.provider_id,
        mcp_endpoint=group.mcp_endpoint,
    )  # fmt: skip
    if group.HasField("args"):
        request.args.CopyFrom(group.args)
    return request


class TestToolRuntimeConformance(ProviderServiceConformance):
    @pytest.fixture(scope="class")
    def conformance(self, vt_services, vt_gateway, mcp_server) -> Target:
        return Target(
            api="tool_runtime",
            service=vt_services["tool_runtime"].address,
            gateway=vt_gateway.address,
            valid=lambda ident: _group(ident, mcp_server.url),
            variant=lambda ident: _group(ident, mcp_server.url, {"timeout_seconds": 5}),
            invalid=lambda ident: _group(ident, "ftp://127.0.0.1/not-mcp"),
            register_request=_register_group,
        )
