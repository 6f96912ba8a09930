from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.registry.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterToolGroupRequest(_message.Message):
    __slots__ = ("toolgroup_id", "provider_id", "mcp_endpoint", "args")
    TOOLGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    MCP_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    toolgroup_id: str
    provider_id: str
    mcp_endpoint: _content_pb2.Url
    args: _struct_pb2.Struct
    def __init__(self, toolgroup_id: _Optional[str] = ..., provider_id: _Optional[str] = ..., mcp_endpoint: _Optional[_Union[_content_pb2.Url, _Mapping]] = ..., args: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RegisterToolGroupResponse(_message.Message):
    __slots__ = ("tool_group",)
    TOOL_GROUP_FIELD_NUMBER: _ClassVar[int]
    tool_group: _resources_pb2.ToolGroup
    def __init__(self, tool_group: _Optional[_Union[_resources_pb2.ToolGroup, _Mapping]] = ...) -> None: ...

class GetToolGroupRequest(_message.Message):
    __slots__ = ("toolgroup_id",)
    TOOLGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    toolgroup_id: str
    def __init__(self, toolgroup_id: _Optional[str] = ...) -> None: ...

class GetToolGroupResponse(_message.Message):
    __slots__ = ("tool_group",)
    TOOL_GROUP_FIELD_NUMBER: _ClassVar[int]
    tool_group: _resources_pb2.ToolGroup
    def __init__(self, tool_group: _Optional[_Union[_resources_pb2.ToolGroup, _Mapping]] = ...) -> None: ...

class ListToolGroupsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListToolGroupsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.ToolGroup]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.ToolGroup, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnregisterToolGroupRequest(_message.Message):
    __slots__ = ("toolgroup_id",)
    TOOLGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    toolgroup_id: str
    def __init__(self, toolgroup_id: _Optional[str] = ...) -> None: ...

class UnregisterToolGroupResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListToolsRequest(_message.Message):
    __slots__ = ("toolgroup_id", "page_size", "page_token")
    TOOLGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    toolgroup_id: str
    page_size: int
    page_token: str
    def __init__(self, toolgroup_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListToolsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Tool]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.Tool, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetToolRequest(_message.Message):
    __slots__ = ("tool_name",)
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    tool_name: str
    def __init__(self, tool_name: _Optional[str] = ...) -> None: ...

class GetToolResponse(_message.Message):
    __slots__ = ("tool",)
    TOOL_FIELD_NUMBER: _ClassVar[int]
    tool: _resources_pb2.Tool
    def __init__(self, tool: _Optional[_Union[_resources_pb2.Tool, _Mapping]] = ...) -> None: ...
