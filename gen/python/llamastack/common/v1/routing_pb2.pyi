from google.protobuf import descriptor_pb2 as _descriptor_pb2
from llamastack.common.v1 import resource_pb2 as _resource_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ROUTING_FIELD_NUMBER: _ClassVar[int]
routing: _descriptor.FieldDescriptor

class RoutingRule(_message.Message):
    __slots__ = ("resource", "field")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    resource: _resource_pb2.ResourceKind
    field: str
    def __init__(self, resource: _Optional[_Union[_resource_pb2.ResourceKind, str]] = ..., field: _Optional[str] = ...) -> None: ...
