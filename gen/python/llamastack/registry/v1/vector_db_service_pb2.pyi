from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from llamastack.registry.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterVectorDbRequest(_message.Message):
    __slots__ = ("vector_db_id", "embedding_model", "embedding_dimension", "provider_id", "vector_db_name", "provider_vector_db_id")
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_MODEL_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_NAME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    vector_db_id: str
    embedding_model: str
    embedding_dimension: int
    provider_id: str
    vector_db_name: str
    provider_vector_db_id: str
    def __init__(self, vector_db_id: _Optional[str] = ..., embedding_model: _Optional[str] = ..., embedding_dimension: _Optional[int] = ..., provider_id: _Optional[str] = ..., vector_db_name: _Optional[str] = ..., provider_vector_db_id: _Optional[str] = ...) -> None: ...

class RegisterVectorDbResponse(_message.Message):
    __slots__ = ("vector_db",)
    VECTOR_DB_FIELD_NUMBER: _ClassVar[int]
    vector_db: _resources_pb2.VectorDb
    def __init__(self, vector_db: _Optional[_Union[_resources_pb2.VectorDb, _Mapping]] = ...) -> None: ...

class GetVectorDbRequest(_message.Message):
    __slots__ = ("vector_db_id",)
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    vector_db_id: str
    def __init__(self, vector_db_id: _Optional[str] = ...) -> None: ...

class GetVectorDbResponse(_message.Message):
    __slots__ = ("vector_db",)
    VECTOR_DB_FIELD_NUMBER: _ClassVar[int]
    vector_db: _resources_pb2.VectorDb
    def __init__(self, vector_db: _Optional[_Union[_resources_pb2.VectorDb, _Mapping]] = ...) -> None: ...

class ListVectorDbsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVectorDbsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.VectorDb]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.VectorDb, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnregisterVectorDbRequest(_message.Message):
    __slots__ = ("vector_db_id",)
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    vector_db_id: str
    def __init__(self, vector_db_id: _Optional[str] = ...) -> None: ...

class UnregisterVectorDbResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
