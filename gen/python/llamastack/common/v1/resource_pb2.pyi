from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResourceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOURCE_KIND_UNSPECIFIED: _ClassVar[ResourceKind]
    RESOURCE_KIND_MODEL: _ClassVar[ResourceKind]
    RESOURCE_KIND_SHIELD: _ClassVar[ResourceKind]
    RESOURCE_KIND_TOOL_GROUP: _ClassVar[ResourceKind]
    RESOURCE_KIND_DATASET: _ClassVar[ResourceKind]
    RESOURCE_KIND_VECTOR_DB: _ClassVar[ResourceKind]
    RESOURCE_KIND_SCORING_FUNCTION: _ClassVar[ResourceKind]
    RESOURCE_KIND_BENCHMARK: _ClassVar[ResourceKind]
    RESOURCE_KIND_TOOL: _ClassVar[ResourceKind]
RESOURCE_KIND_UNSPECIFIED: ResourceKind
RESOURCE_KIND_MODEL: ResourceKind
RESOURCE_KIND_SHIELD: ResourceKind
RESOURCE_KIND_TOOL_GROUP: ResourceKind
RESOURCE_KIND_DATASET: ResourceKind
RESOURCE_KIND_VECTOR_DB: ResourceKind
RESOURCE_KIND_SCORING_FUNCTION: ResourceKind
RESOURCE_KIND_BENCHMARK: ResourceKind
RESOURCE_KIND_TOOL: ResourceKind

class Owner(_message.Message):
    __slots__ = ("principal", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: OwnerAttributeValues
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[OwnerAttributeValues, _Mapping]] = ...) -> None: ...
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    principal: str
    attributes: _containers.MessageMap[str, OwnerAttributeValues]
    def __init__(self, principal: _Optional[str] = ..., attributes: _Optional[_Mapping[str, OwnerAttributeValues]] = ...) -> None: ...

class OwnerAttributeValues(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...

class Resource(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: Owner
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[Owner, _Mapping]] = ...) -> None: ...
