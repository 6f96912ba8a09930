from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.common.v1 import routing_pb2 as _routing_pb2
from llamastack.vector_io.v1 import vector_io_pb2 as _vector_io_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InsertChunksRequest(_message.Message):
    __slots__ = ("vector_db_id", "chunks", "ttl_seconds")
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    vector_db_id: str
    chunks: _containers.RepeatedCompositeFieldContainer[_vector_io_pb2.Chunk]
    ttl_seconds: int
    def __init__(self, vector_db_id: _Optional[str] = ..., chunks: _Optional[_Iterable[_Union[_vector_io_pb2.Chunk, _Mapping]]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class InsertChunksResponse(_message.Message):
    __slots__ = ("chunk_ids",)
    CHUNK_IDS_FIELD_NUMBER: _ClassVar[int]
    chunk_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, chunk_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class QueryChunksRequest(_message.Message):
    __slots__ = ("vector_db_id", "query", "params", "query_embedding")
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    QUERY_EMBEDDING_FIELD_NUMBER: _ClassVar[int]
    vector_db_id: str
    query: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    params: _vector_io_pb2.QueryParams
    query_embedding: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, vector_db_id: _Optional[str] = ..., query: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., params: _Optional[_Union[_vector_io_pb2.QueryParams, _Mapping]] = ..., query_embedding: _Optional[_Iterable[float]] = ...) -> None: ...

class QueryChunksResponse(_message.Message):
    __slots__ = ("chunks", "scores")
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[_vector_io_pb2.Chunk]
    scores: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, chunks: _Optional[_Iterable[_Union[_vector_io_pb2.Chunk, _Mapping]]] = ..., scores: _Optional[_Iterable[float]] = ...) -> None: ...

class DeleteChunksRequest(_message.Message):
    __slots__ = ("vector_db_id", "chunk_ids", "document_ids", "keep_chunk_ids")
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_IDS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_IDS_FIELD_NUMBER: _ClassVar[int]
    KEEP_CHUNK_IDS_FIELD_NUMBER: _ClassVar[int]
    vector_db_id: str
    chunk_ids: _containers.RepeatedScalarFieldContainer[str]
    document_ids: _containers.RepeatedScalarFieldContainer[str]
    keep_chunk_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, vector_db_id: _Optional[str] = ..., chunk_ids: _Optional[_Iterable[str]] = ..., document_ids: _Optional[_Iterable[str]] = ..., keep_chunk_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteChunksResponse(_message.Message):
    __slots__ = ("deleted_count",)
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    def __init__(self, deleted_count: _Optional[int] = ...) -> None: ...
