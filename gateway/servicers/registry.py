"""The seven registry services, built from one generic implementation over services.common.kinds.

Each kind's service has Register<X>, Get<X>, List<X>s and Unregister<X>; ToolGroupService
adds ListTools and GetTool. The servicers only convert and delegate to the Registry.
"""

from __future__ import annotations

from typing import Any

from gateway.registry import Registry
from llamastack.registry.v1 import resources_pb2, tool_group_service_pb2
from services.common.kinds import KINDS, TOOL, KindSpec

__all__ = ["registry_servicers"]


def _single_field(message_cls: type) -> str:
    (field,) = message_cls.DESCRIPTOR.fields
    return field.name


def _servicer_class(spec: KindSpec) -> type:
    register_cls = spec.response(f"Register{spec.label}")
    get_cls = spec.response(f"Get{spec.label}")
    list_cls = spec.response(f"List{spec.plural}")
    unregister_cls = spec.response(f"Unregister{spec.label}")
    field = _single_field(register_cls)

    list_extra = {"object": "list"} if "object" in list_cls.DESCRIPTOR.fields_by_name else {}

    def presented(resource):
        spec.present(resource)
        return resource

    async def register(self, request, context):
        resource = await self._registry.register(spec, request)
        return register_cls(**{field: presented(resource)})

    async def get(self, request, context):
        resource = await self._registry.get(spec, getattr(request, spec.id_field))
        return get_cls(**{field: presented(resource)})

    async def list_(self, request, context):
        data, token = await self._registry.list(
            spec.name,
            spec.resource_cls,
            request.page_size or spec.default_page_size,
            request.page_token,
        )
        return list_cls(data=[presented(r) for r in data], next_page_token=token, **list_extra)

    async def unregister(self, request, context):
        await self._registry.unregister(spec, getattr(request, spec.id_field))
        return unregister_cls()

    base = getattr(spec.grpc, f"{spec.service_name}Servicer")
    methods: dict[str, Any] = {
        f"Register{spec.label}": register,
        f"Get{spec.label}": get,
        f"List{spec.plural}": list_,
        f"Unregister{spec.label}": unregister,
    }
    if spec.child_kind:  # a tool group lists and gets its tools
        methods.update(ListTools=_list_tools, GetTool=_get_tool)
    return type(f"{spec.service_name}Servicer", (_Base, base), methods)


class _Base:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry


async def _list_tools(self, request, context):
    data, token = await self._registry.list(
        TOOL, resources_pb2.Tool, request.page_size, request.page_token, request.toolgroup_id
    )
    return tool_group_service_pb2.ListToolsResponse(data=data, next_page_token=token)


async def _get_tool(self, request, context):
    record = await self._registry.tool(request.tool_name)
    return tool_group_service_pb2.GetToolResponse(
        tool=resources_pb2.Tool.FromString(record.resource)
    )


def registry_servicers(registry: Registry) -> list[tuple[Any, Any]]:
    """(add_XServicer_to_server, servicer) for every registry service."""
    out = []
    for spec in KINDS:
        add = getattr(spec.grpc, f"add_{spec.service_name}Servicer_to_server")
        out.append((add, _servicer_class(spec)(registry)))
    return out
