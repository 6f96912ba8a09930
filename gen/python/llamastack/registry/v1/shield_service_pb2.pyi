from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.registry.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterShieldRequest(_message.Message):
    __slots__ = ("shield_id", "provider_shield_id", "provider_id", "params")
    SHIELD_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_SHIELD_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    shield_id: str
    provider_shield_id: str
    provider_id: str
    params: _struct_pb2.Struct
    def __init__(self, shield_id: _Optional[str] = ..., provider_shield_id: _Optional[str] = ..., provider_id: _Optional[str] = ..., params: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class RegisterShieldResponse(_message.Message):
    __slots__ = ("shield",)
    SHIELD_FIELD_NUMBER: _ClassVar[int]
    shield: _resources_pb2.Shield
    def __init__(self, shield: _Optional[_Union[_resources_pb2.Shield, _Mapping]] = ...) -> None: ...

class GetShieldRequest(_message.Message):
    __slots__ = ("shield_id",)
    SHIELD_ID_FIELD_NUMBER: _ClassVar[int]
    shield_id: str
    def __init__(self, shield_id: _Optional[str] = ...) -> None: ...

class GetShieldResponse(_message.Message):
    __slots__ = ("shield",)
    SHIELD_FIELD_NUMBER: _ClassVar[int]
    shield: _resources_pb2.Shield
    def __init__(self, shield: _Optional[_Union[_resources_pb2.Shield, _Mapping]] = ...) -> None: ...

class ListShieldsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListShieldsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Shield]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.Shield, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnregisterShieldRequest(_message.Message):
    __slots__ = ("shield_id",)
    SHIELD_ID_FIELD_NUMBER: _ClassVar[int]
    shield_id: str
    def __init__(self, shield_id: _Optional[str] = ...) -> None: ...

class UnregisterShieldResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
