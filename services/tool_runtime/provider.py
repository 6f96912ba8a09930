"""A tool runtime provider: the tool groups it serves, their tools, and the capabilities the
service calls (invoking tools; the RAG tool's insert and query)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import tool_pb2
from llamastack.registry.v1 import resources_pb2
from services.common.errors import FailedPrecondition, NotFound
from services.common.providers import Provider
from services.common.resources import Accepted, ResourceTable
from services.tool_runtime.schema import parameters_of
from services.tool_runtime.types import (
    InsertProgress,
    InsertResult,
    RagDocument,
    RagQueryResult,
    ToolGroupInfo,
    ToolResult,
    ToolSpec,
)

__all__ = ["Call", "RagRuntime", "ToolGroupEntry", "ToolInvoker", "ToolRuntimeProvider"]


@dataclass
class ToolGroupEntry:
    info: ToolGroupInfo
    tools: dict[str, ToolSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """What a call carries besides its arguments."""

    #: `time.monotonic()` when the caller's deadline passes (None: no deadline).
    deadline: float | None = None
    #: The reference's `X-LlamaStack-Provider-Data` JSON, when the caller sent it.
    provider_data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def within(cls, seconds: float | None, provider_data: dict[str, Any] | None = None) -> Call:
        deadline = time.monotonic() + seconds if seconds is not None else None
        return cls(deadline, provider_data or {})

    @property
    def timeout(self) -> float | None:
        """Seconds left of the caller's deadline, for the next outbound call."""
        if self.deadline is None:
            return None
        return max(self.deadline - time.monotonic(), 0.001)


@runtime_checkable
class ToolInvoker(Protocol):
    def arguments(
        self, group: ToolGroupEntry, tool: ToolSpec, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """The arguments a call runs with (e.g. group defaults merged under the caller's)."""
        ...

    async def invoke(
        self, group: ToolGroupEntry, tool: ToolSpec, arguments: dict[str, Any], call: Call
    ) -> ToolResult: ...


@runtime_checkable
class RagRuntime(Protocol):
    def insert(
        self,
        documents: list[RagDocument],
        vector_db_id: str,
        chunk_size: int,
        overlap: int | None,
        call: Call,
    ) -> AsyncIterator[InsertProgress | InsertResult]: ...

    async def query(
        self, text: str, vector_db_ids: list[str], config: Mapping[str, Any], call: Call
    ) -> RagQueryResult:
        """`config` is a RAGQueryConfig in its proto3 JSON form (snake_case keys)."""
        ...


class ToolRuntimeProvider(Provider):
    """Subclasses list a group's tools (`group_tools`) when it is registered."""

    api: ClassVar[str] = "tool_runtime"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.groups: ResourceTable[ToolGroupEntry] = ResourceTable(
            "tool_group", self.label, self.ready, accept=self._accept
        )
        self.table = self.groups

    async def group_tools(self, info: ToolGroupInfo) -> list[ToolSpec]:
        """Check the group and list its tools (refuse with INVALID_ARGUMENT...)."""
        raise NotImplementedError

    async def _accept(self, group: resources_pb2.ToolGroup) -> Accepted[ToolGroupEntry]:
        info = ToolGroupInfo(
            group_id=group.provider_resource_id or group.identifier,
            mcp_endpoint=group.mcp_endpoint.uri,
            args=json_format.MessageToDict(group.args) if group.HasField("args") else {},
        )
        tools = await self.group_tools(info)
        entry = ToolGroupEntry(info, {t.name: t for t in tools})
        return Accepted(group, entry, [self.tool_proto(info, t) for t in tools])

    def tool_proto(self, info: ToolGroupInfo, tool: ToolSpec) -> resources_pb2.Tool:
        """The registry's record of a tool: named by itself, addressed (`provider_resource_id`)
        as `<group>/<tool>` so the provider finds the group however the caller named it."""
        out = resources_pb2.Tool(
            identifier=tool.name,
            provider_id=self.provider_id,
            provider_resource_id=f"{info.group_id}/{tool.name}",
            toolgroup_id=info.group_id,
            description=tool.description,
            parameters=[_parameter(p) for p in parameters_of(tool.input_schema)],
        )
        if tool.input_schema:
            out.input_schema.update(tool.input_schema)
        if tool.metadata:
            out.metadata.update(tool.metadata)
        return out

    def knows(self, resource_id: str) -> bool:
        try:
            self.resolve(resource_id)
        except (NotFound, FailedPrecondition):
            return resource_id in self.groups
        return True

    def resolve(self, name: str) -> tuple[ToolGroupEntry, ToolSpec]:
        """A tool by `group/tool` or by its name alone."""
        for entry in sorted(self.groups, key=lambda e: -len(e.id)):
            prefix = entry.id + "/"
            if name.startswith(prefix) and name[len(prefix) :] in entry.value.tools:
                return entry.value, entry.value.tools[name[len(prefix) :]]
        owners = [e.value for e in self.groups if name in e.value.tools]
        if len(owners) == 1:
            return owners[0], owners[0].tools[name]
        if not owners:
            known = sorted(f"{e.id}/{t}" for e in self.groups for t in e.value.tools)
            raise NotFound(
                f"tool {name!r} is not provided by any tool group of {self.label}; its tools: "
                f"{', '.join(known) or 'none'}",
                resourceKind="tool",
                identifier=name,
            )
        raise FailedPrecondition(
            f"several tool groups provide {name!r} "
            f"({', '.join(sorted(g.info.group_id for g in owners))}); name it as group/tool"
        )


def _parameter(p: dict[str, Any]) -> tool_pb2.ToolParameter:
    out = tool_pb2.ToolParameter(
        name=p["name"],
        parameter_type=p["parameter_type"],
        description=p["description"],
        required=p["required"],
    )
    if "default" in p:
        out.default.CopyFrom(json_format.ParseDict(p["default"], struct_pb2.Value()))
    return out
