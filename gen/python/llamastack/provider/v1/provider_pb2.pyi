from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import resource_pb2 as _resource_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HealthStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_STATUS_UNSPECIFIED: _ClassVar[HealthStatus]
    HEALTH_STATUS_OK: _ClassVar[HealthStatus]
    HEALTH_STATUS_ERROR: _ClassVar[HealthStatus]
    HEALTH_STATUS_NOT_IMPLEMENTED: _ClassVar[HealthStatus]
HEALTH_STATUS_UNSPECIFIED: HealthStatus
HEALTH_STATUS_OK: HealthStatus
HEALTH_STATUS_ERROR: HealthStatus
HEALTH_STATUS_NOT_IMPLEMENTED: HealthStatus

class ProviderHealth(_message.Message):
    __slots__ = ("status", "message")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status: HealthStatus
    message: str
    def __init__(self, status: _Optional[_Union[HealthStatus, str]] = ..., message: _Optional[str] = ...) -> None: ...

class ProviderInfo(_message.Message):
    __slots__ = ("api", "provider_id", "provider_type", "config", "health", "resource_kinds")
    API_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_KINDS_FIELD_NUMBER: _ClassVar[int]
    api: str
    provider_id: str
    provider_type: str
    config: _struct_pb2.Struct
    health: ProviderHealth
    resource_kinds: _containers.RepeatedScalarFieldContainer[_resource_pb2.ResourceKind]
    def __init__(self, api: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_type: _Optional[str] = ..., config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., health: _Optional[_Union[ProviderHealth, _Mapping]] = ..., resource_kinds: _Optional[_Iterable[_Union[_resource_pb2.ResourceKind, str]]] = ...) -> None: ...
