"""MCP tool groups through the gateway, against a real MCP server process: tools listed with
their schemas, invoked over streamable HTTP and SSE, arguments checked, tool errors, a tool
that hangs past the deadline, credentials, an unreachable server."""

from __future__ import annotations

import json
import time

import grpc
import pytest
from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import content_pb2
from llamastack.registry.v1 import tool_group_service_pb2 as tg
from llamastack.registry.v1 import tool_group_service_pb2_grpc as tg_grpc
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as trs
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2_grpc as trs_grpc
from tests.integration.vector_tools.mesh import MCP_TOKEN, reason


def _struct(d: dict) -> struct_pb2.Struct:
    return json_format.ParseDict(d, struct_pb2.Struct())


@pytest.fixture(scope="module")
def groups(vt_channel):
    return tg_grpc.ToolGroupServiceStub(vt_channel)


@pytest.fixture(scope="module")
def runtime(vt_channel):
    return trs_grpc.ToolRuntimeServiceStub(vt_channel)


@pytest.fixture
def mcp_group(groups, mcp_server):
    """Registered per test: tool names are unique across groups, so other tests register
    groups of the same server meanwhile."""
    group = groups.RegisterToolGroup(
        tg.RegisterToolGroupRequest(
            toolgroup_id="mcp::tools",
            provider_id="mcp",
            mcp_endpoint=content_pb2.Url(uri=mcp_server.url),
            args=_struct({"timeout_seconds": 2}),
        ),
        timeout=60,
    ).tool_group
    yield group
    groups.UnregisterToolGroup(tg.UnregisterToolGroupRequest(toolgroup_id="mcp::tools"), timeout=60)


def invoke(runtime, tool: str, kwargs: dict, timeout: float = 30) -> trs.InvokeToolResponse:
    return runtime.InvokeTool(
        trs.InvokeToolRequest(tool_name=tool, kwargs=_struct(kwargs)), timeout=timeout
    )


def test_registered_tools_keep_their_schemas(groups, runtime, mcp_group):
    tools = {
        t.identifier: t
        for t in groups.ListTools(tg.ListToolsRequest(toolgroup_id="mcp::tools")).data
    }
    assert set(tools) == {"add", "greet", "fail", "crash", "hang"}
    add = tools["add"]
    assert add.toolgroup_id == "mcp::tools" and add.description == "Add two integers."
    schema = json_format.MessageToDict(add.input_schema)
    assert schema["required"] == ["a", "b"] and schema["properties"]["a"]["type"] == "integer"
    assert [(p.name, p.parameter_type, p.required) for p in add.parameters] == [
        ("a", "integer", True), ("b", "integer", True),
    ]  # fmt: skip
    listed = runtime.ListRuntimeTools(trs.ListRuntimeToolsRequest(tool_group_id="mcp::tools"))
    assert [t.name for t in listed.data] == sorted(tools)
    greet = next(t for t in listed.data if t.name == "greet")
    punctuation = next(p for p in greet.parameters if p.name == "punctuation")
    assert not punctuation.required and punctuation.default.string_value == "!"


def test_invoke_by_name_and_by_group(runtime, mcp_group):
    assert invoke(runtime, "add", {"a": 2, "b": 3}).content[0].text == "5"
    out = invoke(runtime, "mcp::tools/greet", {"name": "Ada"})
    assert out.content[0].text == "Hello, Ada!" and not out.error_message


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"a": "two", "b": 3}, "kwargs.a"), ({"a": 1}, "kwargs.b")]
)
def test_arguments_are_checked_against_the_schema(runtime, mcp_group, kwargs, field):
    with pytest.raises(grpc.RpcError) as err:
        invoke(runtime, "add", kwargs)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details().startswith(field), err.value.details()


def test_a_failing_tool_reports_its_error(runtime, mcp_group):
    out = invoke(runtime, "fail", {"reason": "no llamas today"})
    assert out.error_code == 1 and "no llamas today" in out.error_message
    crashed = invoke(runtime, "crash", {})
    assert crashed.error_code == 1 and "crash" in crashed.error_message


def test_a_tool_that_hangs_is_cut_at_the_groups_timeout(runtime, mcp_group):
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as err:
        invoke(runtime, "hang", {}, timeout=30)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "hang" in err.value.details() and "2.0s" in err.value.details()
    assert reason(err.value) == "ERROR_REASON_TIMEOUT"
    assert time.monotonic() - started < 20
    # ... and the caller's own deadline wins when it is shorter.
    with pytest.raises(grpc.RpcError) as short:
        invoke(runtime, "hang", {}, timeout=1.0)
    assert short.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert invoke(runtime, "add", {"a": 1, "b": 1}).content[0].text == "2"  # nothing stuck


def test_sse_transport(groups, runtime, mcp_server):
    groups.RegisterToolGroup(
        tg.RegisterToolGroupRequest(
            toolgroup_id="mcp::over-sse", provider_id="mcp",
            mcp_endpoint=content_pb2.Url(uri=mcp_server.sse_url),
        ),
        timeout=60,
    )  # fmt: skip
    try:
        out = invoke(runtime, "mcp::over-sse/add", {"a": 20, "b": 22})
        assert out.content[0].text == "42"
    finally:
        groups.UnregisterToolGroup(tg.UnregisterToolGroupRequest(toolgroup_id="mcp::over-sse"))


def test_credentials_from_the_provider_config(groups, runtime, mcp_secure_server):
    with pytest.raises(grpc.RpcError) as err:
        groups.RegisterToolGroup(
            tg.RegisterToolGroupRequest(
                toolgroup_id="mcp::no-key", provider_id="mcp",
                mcp_endpoint=content_pb2.Url(uri=mcp_secure_server.url),
            ),
            timeout=60,
        )  # fmt: skip
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, err.value.details()
    assert "401" in err.value.details()
    groups.RegisterToolGroup(
        tg.RegisterToolGroupRequest(
            toolgroup_id="mcp::secure", provider_id="mcp",
            mcp_endpoint=content_pb2.Url(uri=mcp_secure_server.url),
        ),
        timeout=60,
    )  # fmt: skip
    try:
        assert invoke(runtime, "mcp::secure/add", {"a": 1, "b": 2}).content[0].text == "3"
        # Per call, the reference's provider data header wins for that endpoint.
        wrong = {"mcp_headers": {mcp_secure_server.url: {"Authorization": "Bearer wrong"}}}
        with pytest.raises(grpc.RpcError) as denied:
            runtime.InvokeTool(
                trs.InvokeToolRequest(tool_name="add", kwargs=_struct({"a": 1, "b": 2})),
                metadata=(("x-llamastack-provider-data", json.dumps(wrong)),),
                timeout=30,
            )
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        groups.UnregisterToolGroup(tg.UnregisterToolGroupRequest(toolgroup_id="mcp::secure"))
    # Headers can also come with the group (stored in the registry as given).
    groups.RegisterToolGroup(
        tg.RegisterToolGroupRequest(
            toolgroup_id="mcp::with-args", provider_id="mcp",
            mcp_endpoint=content_pb2.Url(uri=mcp_secure_server.sse_url),
            args=_struct({"headers": {"Authorization": f"Bearer {MCP_TOKEN}"}}),
        ),
        timeout=60,
    )  # fmt: skip
    try:
        assert invoke(runtime, "add", {"a": 2, "b": 2}).content[0].text == "4"
    finally:
        groups.UnregisterToolGroup(tg.UnregisterToolGroupRequest(toolgroup_id="mcp::with-args"))


def test_unreachable_server_stores_nothing(groups):
    with pytest.raises(grpc.RpcError) as err:
        groups.RegisterToolGroup(
            tg.RegisterToolGroupRequest(
                toolgroup_id="mcp::gone", provider_id="mcp",
                mcp_endpoint=content_pb2.Url(uri="http://127.0.0.1:9/mcp"),
            ),
            timeout=60,
        )  # fmt: skip
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "127.0.0.1:9" in err.value.details()
    listed = groups.ListToolGroups(tg.ListToolGroupsRequest())
    assert "mcp::gone" not in {g.identifier for g in listed.data}


def test_unknown_tool_is_not_found(runtime):
    with pytest.raises(grpc.RpcError) as err:
        invoke(runtime, "no_such_tool", {})
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
