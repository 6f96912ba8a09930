from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FilteringFunction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILTERING_FUNCTION_UNSPECIFIED: _ClassVar[FilteringFunction]
    FILTERING_FUNCTION_NONE: _ClassVar[FilteringFunction]
    FILTERING_FUNCTION_RANDOM: _ClassVar[FilteringFunction]
    FILTERING_FUNCTION_TOP_K: _ClassVar[FilteringFunction]
    FILTERING_FUNCTION_TOP_P: _ClassVar[FilteringFunction]
    FILTERING_FUNCTION_TOP_K_TOP_P: _ClassVar[FilteringFunction]
    FILTERING_FUNCTION_SIGMOID: _ClassVar[FilteringFunction]
FILTERING_FUNCTION_UNSPECIFIED: FilteringFunction
FILTERING_FUNCTION_NONE: FilteringFunction
FILTERING_FUNCTION_RANDOM: FilteringFunction
FILTERING_FUNCTION_TOP_K: FilteringFunction
FILTERING_FUNCTION_TOP_P: FilteringFunction
FILTERING_FUNCTION_TOP_K_TOP_P: FilteringFunction
FILTERING_FUNCTION_SIGMOID: FilteringFunction

class GenerateSyntheticDataRequest(_message.Message):
    __slots__ = ("dialogs", "filtering_function", "model")
    DIALOGS_FIELD_NUMBER: _ClassVar[int]
    FILTERING_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    dialogs: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    filtering_function: FilteringFunction
    model: str
    def __init__(self, dialogs: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., filtering_function: _Optional[_Union[FilteringFunction, str]] = ..., model: _Optional[str] = ...) -> None: ...

class GenerateSyntheticDataResponse(_message.Message):
    __slots__ = ("synthetic_data", "statistics")
    SYNTHETIC_DATA_FIELD_NUMBER: _ClassVar[int]
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    synthetic_data: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    statistics: _struct_pb2.Struct
    def __init__(self, synthetic_data: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., statistics: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
