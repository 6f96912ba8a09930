"""The tools of a turn: the agent's client tools plus every tool of its tool groups.

A tool group is named by its registry id (`builtin::rag`, `mcp::weather`) for all its tools,
or as `<group>/<tool>` for one of them (`builtin::rag/knowledge_search`). Its `args` are
merged into every call of its tools (they win over the model's arguments, as in the
reference). The group that provides `knowledge_search` is the RAG group: its calls also
search the session's vector database, and documents attached to a turn turn on memory
retrieval. Tool names must be unique across client tools and groups.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import tool_pb2
from llamastack.registry.v1 import resources_pb2
from llamastack.tool_runtime.v1 import tool_runtime_pb2
from services.agents.upstream import Upstream
from services.common.errors import InvalidArgument, NotFound

__all__ = [
    "KNOWLEDGE_SEARCH",
    "ServerTool",
    "ToolPlan",
    "call_kwargs",
    "check_tool_config",
    "resolve_tools",
]

KNOWLEDGE_SEARCH = "knowledge_search"
_RAG_FIXED = {"vector_db_ids", "query_config"}


@dataclass(frozen=True)
class ServerTool:
    """A tool the tool runtime runs (built-in or MCP)."""

    name: str
    group: str
    args: dict[str, Any]


@dataclass
class ToolPlan:
    #: What the model is told about (inference `tools`).
    definitions: list[tool_pb2.ToolDefinition] = field(default_factory=list)
    #: Tools the caller runs: a call to one pauses the turn.
    client: set[str] = field(default_factory=set)
    server: dict[str, ServerTool] = field(default_factory=dict)
    #: The RAG group's args when the turn may use `builtin::rag`; None otherwise.
    rag_args: dict[str, Any] | None = None
    #: The RAG group's `query_config` arg, for memory retrieval.
    rag_query_config: tool_runtime_pb2.RagQueryConfig | None = None

    @property
    def names(self) -> list[str]:
        return [d.tool_name for d in self.definitions]

    def add(self, definition: tool_pb2.ToolDefinition, where: str) -> None:
        if definition.tool_name in self.names:
            raise InvalidArgument(
                f"tool {definition.tool_name!r} ({where}) is defined twice; tool names must be "
                "unique across client tools and tool groups",
                tool=definition.tool_name,
            )
        self.definitions.append(definition)


async def resolve_tools(
    upstream: Upstream,
    client_tools: list[tool_pb2.ToolDef],
    toolgroups: list[pb.AgentToolGroup],
) -> ToolPlan:
    plan = ToolPlan()
    for tool in client_tools:
        plan.add(_client_definition(tool), "a client tool")
        plan.client.add(tool.name)
    for group in toolgroups:
        args = json_format.MessageToDict(group.args) if group.HasField("args") else {}
        group_id, tools = await _group_tools(upstream, group.name)
        for tool in tools:
            # What the group's args fix is not the model's to choose; knowledge_search's
            # databases and query config are the agent's (the session's documents).
            hidden = set(args) | (_RAG_FIXED if tool.identifier == KNOWLEDGE_SEARCH else set())
            plan.add(_registry_definition(tool, hidden), f"from tool group {group_id}")
            plan.server[tool.identifier] = ServerTool(tool.identifier, group_id, args)
            if tool.identifier == KNOWLEDGE_SEARCH:
                plan.rag_args = args
                plan.rag_query_config = rag_query_config(args.get("query_config"), group.name)
    return plan


def rag_query_config(data: Any, group: str) -> tool_runtime_pb2.RagQueryConfig | None:
    """The RAG group's `query_config` arg (proto3 JSON; `mode` may be `vector`...)."""
    if data is None:
        return None
    where = f"toolgroups[{group}].args.query_config"
    if not isinstance(data, dict):
        raise InvalidArgument(f"{where} must be an object (a RagQueryConfig)", field=where)
    data = dict(data)
    mode = data.get("mode")
    if isinstance(mode, str) and not mode.startswith("SEARCH_MODE_"):
        data["mode"] = f"SEARCH_MODE_{mode.upper()}"
    try:
        return json_format.ParseDict(data, tool_runtime_pb2.RagQueryConfig())
    except json_format.ParseError as exc:
        raise InvalidArgument(f"{where} is not a RagQueryConfig: {exc}", field=where) from None


def check_tool_config(plan: ToolPlan, config: tool_pb2.ToolConfig, where: str) -> None:
    if config.tool_name and config.tool_name not in plan.names:
        raise InvalidArgument(
            f"{where}.tool_name {config.tool_name!r} is not one of the agent's tools "
            f"({', '.join(plan.names) or 'none'})",
            field=f"{where}.tool_name",
        )
    if config.tool_choice == tool_pb2.TOOL_CHOICE_REQUIRED and not plan.definitions:
        raise InvalidArgument(
            f"{where}.tool_choice is REQUIRED but the agent has no tools; add client tools "
            "or tool groups",
            field=f"{where}.tool_choice",
        )


def call_kwargs(tool: ServerTool, arguments: dict[str, Any], session_db: str) -> struct_pb2.Struct:
    """The arguments of a tool runtime call: the model's, then the group's args on top; for
    `knowledge_search` the session's vector database joins the group's."""
    kwargs = {**arguments, **tool.args}
    if tool.name == KNOWLEDGE_SEARCH and session_db:
        dbs = list(tool.args.get("vector_db_ids") or [])
        kwargs["vector_db_ids"] = [*dbs, session_db] if session_db not in dbs else dbs
    out = struct_pb2.Struct()
    out.update(kwargs)
    return out


async def _group_tools(upstream: Upstream, name: str) -> tuple[str, list[resources_pb2.Tool]]:
    """(group id, its tools) for `group` or `group/tool`."""
    try:
        group = await upstream.tool_group(name)
        return group.identifier, await upstream.tools(group.identifier)
    except grpc.aio.AioRpcError as err:
        if err.code() != grpc.StatusCode.NOT_FOUND:
            raise
    group_id, _, tool_name = name.rpartition("/")
    if group_id:
        try:
            group = await upstream.tool_group(group_id)
        except grpc.aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.NOT_FOUND:
                raise
        else:
            tools = await upstream.tools(group.identifier)
            chosen = [t for t in tools if t.identifier == tool_name]
            if not chosen:
                raise InvalidArgument(
                    f"tool group {group_id!r} has no tool {tool_name!r} "
                    f"(it has {', '.join(t.identifier for t in tools) or 'none'})",
                    toolgroup=name,
                )
            return group.identifier, chosen
    known = await upstream.tool_group_ids()
    raise NotFound(
        f"tool group {name!r} is not registered (registered: {', '.join(known) or 'none'}); "
        "register it with RegisterToolGroup",
        toolgroup=name,
    )


def _client_definition(tool: tool_pb2.ToolDef) -> tool_pb2.ToolDefinition:
    if not tool.name.strip():
        raise InvalidArgument("client_tools: every tool needs a name", field="client_tools")
    return _definition(tool)


def _registry_definition(tool: resources_pb2.Tool, hidden: set[str]) -> tool_pb2.ToolDefinition:
    return _definition(tool, hidden)


def _definition(
    tool: tool_pb2.ToolDef | resources_pb2.Tool, hidden: Collection[str] = ()
) -> tool_pb2.ToolDefinition:
    """The tool as inference takes it: its JSON schema when it has one (an MCP tool's), else
    its parameters; without the arguments in `hidden`."""
    name = tool.name if isinstance(tool, tool_pb2.ToolDef) else tool.identifier
    out = tool_pb2.ToolDefinition(tool_name=name, description=tool.description)
    if tool.HasField("input_schema"):
        schema = json_format.MessageToDict(tool.input_schema)
        props = {k: v for k, v in (schema.get("properties") or {}).items() if k not in hidden}
        schema["properties"] = props
        if "required" in schema:
            schema["required"] = [r for r in schema["required"] if r not in hidden]
        out.input_schema.update(schema)
        return out
    for p in tool.parameters:
        if p.name in hidden:
            continue
        param = out.parameters[p.name]
        param.param_type, param.description = p.parameter_type, p.description
        if p.HasField("required"):
            param.required = p.required
        if p.HasField("default"):
            param.default.CopyFrom(p.default)
    return out
