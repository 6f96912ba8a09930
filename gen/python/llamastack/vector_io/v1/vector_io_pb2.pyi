import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_MODE_UNSPECIFIED: _ClassVar[SearchMode]
    SEARCH_MODE_VECTOR: _ClassVar[SearchMode]
    SEARCH_MODE_KEYWORD: _ClassVar[SearchMode]
    SEARCH_MODE_HYBRID: _ClassVar[SearchMode]

class FilterOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FILTER_OPERATOR_UNSPECIFIED: _ClassVar[FilterOperator]
    FILTER_OPERATOR_EQ: _ClassVar[FilterOperator]
    FILTER_OPERATOR_NE: _ClassVar[FilterOperator]
    FILTER_OPERATOR_GT: _ClassVar[FilterOperator]
    FILTER_OPERATOR_GTE: _ClassVar[FilterOperator]
    FILTER_OPERATOR_LT: _ClassVar[FilterOperator]
    FILTER_OPERATOR_LTE: _ClassVar[FilterOperator]
    FILTER_OPERATOR_IN: _ClassVar[FilterOperator]
    FILTER_OPERATOR_NIN: _ClassVar[FilterOperator]

class CompoundOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMPOUND_OPERATOR_UNSPECIFIED: _ClassVar[CompoundOperator]
    COMPOUND_OPERATOR_AND: _ClassVar[CompoundOperator]
    COMPOUND_OPERATOR_OR: _ClassVar[CompoundOperator]
SEARCH_MODE_UNSPECIFIED: SearchMode
SEARCH_MODE_VECTOR: SearchMode
SEARCH_MODE_KEYWORD: SearchMode
SEARCH_MODE_HYBRID: SearchMode
FILTER_OPERATOR_UNSPECIFIED: FilterOperator
FILTER_OPERATOR_EQ: FilterOperator
FILTER_OPERATOR_NE: FilterOperator
FILTER_OPERATOR_GT: FilterOperator
FILTER_OPERATOR_GTE: FilterOperator
FILTER_OPERATOR_LT: FilterOperator
FILTER_OPERATOR_LTE: FilterOperator
FILTER_OPERATOR_IN: FilterOperator
FILTER_OPERATOR_NIN: FilterOperator
COMPOUND_OPERATOR_UNSPECIFIED: CompoundOperator
COMPOUND_OPERATOR_AND: CompoundOperator
COMPOUND_OPERATOR_OR: CompoundOperator

class ChunkMetadata(_message.Message):
    __slots__ = ("chunk_id", "document_id", "source", "created_timestamp", "updated_timestamp", "chunk_window", "chunk_tokenizer", "chunk_embedding_model", "chunk_embedding_dimension", "content_token_count", "metadata_token_count")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    CHUNK_WINDOW_FIELD_NUMBER: _ClassVar[int]
    CHUNK_TOKENIZER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_EMBEDDING_MODEL_FIELD_NUMBER: _ClassVar[int]
    CHUNK_EMBEDDING_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    METADATA_TOKEN_COUNT_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    document_id: str
    source: str
    created_timestamp: _timestamp_pb2.Timestamp
    updated_timestamp: _timestamp_pb2.Timestamp
    chunk_window: str
    chunk_tokenizer: str
    chunk_embedding_model: str
    chunk_embedding_dimension: int
    content_token_count: int
    metadata_token_count: int
    def __init__(self, chunk_id: _Optional[str] = ..., document_id: _Optional[str] = ..., source: _Optional[str] = ..., created_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., chunk_window: _Optional[str] = ..., chunk_tokenizer: _Optional[str] = ..., chunk_embedding_model: _Optional[str] = ..., chunk_embedding_dimension: _Optional[int] = ..., content_token_count: _Optional[int] = ..., metadata_token_count: _Optional[int] = ...) -> None: ...

class Chunk(_message.Message):
    __slots__ = ("content", "metadata", "embedding", "chunk_id", "chunk_metadata")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_FIELD_NUMBER: _ClassVar[int]
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_METADATA_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    metadata: _struct_pb2.Struct
    embedding: _containers.RepeatedScalarFieldContainer[float]
    chunk_id: str
    chunk_metadata: ChunkMetadata
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., embedding: _Optional[_Iterable[float]] = ..., chunk_id: _Optional[str] = ..., chunk_metadata: _Optional[_Union[ChunkMetadata, _Mapping]] = ...) -> None: ...

class RrfRanker(_message.Message):
    __slots__ = ("impact_factor",)
    IMPACT_FACTOR_FIELD_NUMBER: _ClassVar[int]
    impact_factor: float
    def __init__(self, impact_factor: _Optional[float] = ...) -> None: ...

class WeightedRanker(_message.Message):
    __slots__ = ("alpha",)
    ALPHA_FIELD_NUMBER: _ClassVar[int]
    alpha: float
    def __init__(self, alpha: _Optional[float] = ...) -> None: ...

class Ranker(_message.Message):
    __slots__ = ("rrf", "weighted")
    RRF_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    rrf: RrfRanker
    weighted: WeightedRanker
    def __init__(self, rrf: _Optional[_Union[RrfRanker, _Mapping]] = ..., weighted: _Optional[_Union[WeightedRanker, _Mapping]] = ...) -> None: ...

class ComparisonFilter(_message.Message):
    __slots__ = ("key", "op", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    op: FilterOperator
    value: _struct_pb2.Value
    def __init__(self, key: _Optional[str] = ..., op: _Optional[_Union[FilterOperator, str]] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class CompoundFilter(_message.Message):
    __slots__ = ("op", "filters")
    OP_FIELD_NUMBER: _ClassVar[int]
    FILTERS_FIELD_NUMBER: _ClassVar[int]
    op: CompoundOperator
    filters: _containers.RepeatedCompositeFieldContainer[MetadataFilter]
    def __init__(self, op: _Optional[_Union[CompoundOperator, str]] = ..., filters: _Optional[_Iterable[_Union[MetadataFilter, _Mapping]]] = ...) -> None: ...

class MetadataFilter(_message.Message):
    __slots__ = ("comparison", "compound")
    COMPARISON_FIELD_NUMBER: _ClassVar[int]
    COMPOUND_FIELD_NUMBER: _ClassVar[int]
    comparison: ComparisonFilter
    compound: CompoundFilter
    def __init__(self, comparison: _Optional[_Union[ComparisonFilter, _Mapping]] = ..., compound: _Optional[_Union[CompoundFilter, _Mapping]] = ...) -> None: ...

class QueryParams(_message.Message):
    __slots__ = ("max_chunks", "mode", "score_threshold", "ranker", "filter")
    MAX_CHUNKS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SCORE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    RANKER_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    max_chunks: int
    mode: SearchMode
    score_threshold: float
    ranker: Ranker
    filter: MetadataFilter
    def __init__(self, max_chunks: _Optional[int] = ..., mode: _Optional[_Union[SearchMode, str]] = ..., score_threshold: _Optional[float] = ..., ranker: _Optional[_Union[Ranker, _Mapping]] = ..., filter: _Optional[_Union[MetadataFilter, _Mapping]] = ...) -> None: ...
