from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from llamastack.common.v1 import routing_pb2 as _routing_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ViolationLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIOLATION_LEVEL_UNSPECIFIED: _ClassVar[ViolationLevel]
    VIOLATION_LEVEL_INFO: _ClassVar[ViolationLevel]
    VIOLATION_LEVEL_WARN: _ClassVar[ViolationLevel]
    VIOLATION_LEVEL_ERROR: _ClassVar[ViolationLevel]
VIOLATION_LEVEL_UNSPECIFIED: ViolationLevel
VIOLATION_LEVEL_INFO: ViolationLevel
VIOLATION_LEVEL_WARN: ViolationLevel
VIOLATION_LEVEL_ERROR: ViolationLevel

class SafetyViolation(_message.Message):
    __slots__ = ("violation_level", "user_message", "metadata")
    VIOLATION_LEVEL_FIELD_NUMBER: _ClassVar[int]
    USER_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    violation_level: ViolationLevel
    user_message: str
    metadata: _struct_pb2.Struct
    def __init__(self, violation_level: _Optional[_Union[ViolationLevel, str]] = ..., user_message: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RunShieldRequest(_message.Message):
    __slots__ = ("shield_id", "messages", "params")
    SHIELD_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    shield_id: str
    messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    params: _struct_pb2.Struct
    def __init__(self, shield_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., params: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RunShieldResponse(_message.Message):
    __slots__ = ("violation",)
    VIOLATION_FIELD_NUMBER: _ClassVar[int]
    violation: SafetyViolation
    def __init__(self, violation: _Optional[_Union[SafetyViolation, _Mapping]] = ...) -> None: ...
