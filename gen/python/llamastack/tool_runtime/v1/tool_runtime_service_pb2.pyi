from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.common.v1 import routing_pb2 as _routing_pb2
from llamastack.common.v1 import tool_pb2 as _tool_pb2
from llamastack.tool_runtime.v1 import tool_runtime_pb2 as _tool_runtime_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListRuntimeToolsRequest(_message.Message):
    __slots__ = ("tool_group_id", "mcp_endpoint", "page_size", "page_token")
    TOOL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    MCP_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tool_group_id: str
    mcp_endpoint: _content_pb2.Url
    page_size: int
    page_token: str
    def __init__(self, tool_group_id: _Optional[str] = ..., mcp_endpoint: _Optional[_Union[_content_pb2.Url, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRuntimeToolsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolDef]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_tool_pb2.ToolDef, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class InvokeToolRequest(_message.Message):
    __slots__ = ("tool_name", "kwargs")
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    KWARGS_FIELD_NUMBER: _ClassVar[int]
    tool_name: str
    kwargs: _struct_pb2.Struct
    def __init__(self, tool_name: _Optional[str] = ..., kwargs: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class InvokeToolResponse(_message.Message):
    __slots__ = ("content", "error_message", "error_code", "metadata")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    error_message: str
    error_code: int
    metadata: _struct_pb2.Struct
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., error_message: _Optional[str] = ..., error_code: _Optional[int] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class InsertRagDocumentsRequest(_message.Message):
    __slots__ = ("documents", "vector_db_id", "chunk_size_in_tokens", "chunk_overlap_in_tokens")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_IN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CHUNK_OVERLAP_IN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[_tool_runtime_pb2.RagDocument]
    vector_db_id: str
    chunk_size_in_tokens: int
    chunk_overlap_in_tokens: int
    def __init__(self, documents: _Optional[_Iterable[_Union[_tool_runtime_pb2.RagDocument, _Mapping]]] = ..., vector_db_id: _Optional[str] = ..., chunk_size_in_tokens: _Optional[int] = ..., chunk_overlap_in_tokens: _Optional[int] = ...) -> None: ...

class InsertRagDocumentsResponse(_message.Message):
    __slots__ = ("chunk_count", "document_count", "chunk_size_in_tokens", "chunk_overlap_in_tokens")
    CHUNK_COUNT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_IN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CHUNK_OVERLAP_IN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    chunk_count: int
    document_count: int
    chunk_size_in_tokens: int
    chunk_overlap_in_tokens: int
    def __init__(self, chunk_count: _Optional[int] = ..., document_count: _Optional[int] = ..., chunk_size_in_tokens: _Optional[int] = ..., chunk_overlap_in_tokens: _Optional[int] = ...) -> None: ...

class StreamInsertRagDocumentsRequest(_message.Message):
    __slots__ = ("documents", "vector_db_id", "chunk_size_in_tokens", "chunk_overlap_in_tokens")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_SIZE_IN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    CHUNK_OVERLAP_IN_TOKENS_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[_tool_runtime_pb2.RagDocument]
    vector_db_id: str
    chunk_size_in_tokens: int
    chunk_overlap_in_tokens: int
    def __init__(self, documents: _Optional[_Iterable[_Union[_tool_runtime_pb2.RagDocument, _Mapping]]] = ..., vector_db_id: _Optional[str] = ..., chunk_size_in_tokens: _Optional[int] = ..., chunk_overlap_in_tokens: _Optional[int] = ...) -> None: ...

class RagInsertProgress(_message.Message):
    __slots__ = ("documents_total", "documents_read", "chunks_total", "chunks_stored")
    DOCUMENTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_READ_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_STORED_FIELD_NUMBER: _ClassVar[int]
    documents_total: int
    documents_read: int
    chunks_total: int
    chunks_stored: int
    def __init__(self, documents_total: _Optional[int] = ..., documents_read: _Optional[int] = ..., chunks_total: _Optional[int] = ..., chunks_stored: _Optional[int] = ...) -> None: ...

class StreamInsertRagDocumentsResponse(_message.Message):
    __slots__ = ("progress", "done")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    progress: RagInsertProgress
    done: InsertRagDocumentsResponse
    def __init__(self, progress: _Optional[_Union[RagInsertProgress, _Mapping]] = ..., done: _Optional[_Union[InsertRagDocumentsResponse, _Mapping]] = ...) -> None: ...

class QueryRagContextRequest(_message.Message):
    __slots__ = ("content", "vector_db_ids", "query_config")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_IDS_FIELD_NUMBER: _ClassVar[int]
    QUERY_CONFIG_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    vector_db_ids: _containers.RepeatedScalarFieldContainer[str]
    query_config: _tool_runtime_pb2.RagQueryConfig
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., vector_db_ids: _Optional[_Iterable[str]] = ..., query_config: _Optional[_Union[_tool_runtime_pb2.RagQueryConfig, _Mapping]] = ...) -> None: ...

class QueryRagContextResponse(_message.Message):
    __slots__ = ("content", "metadata")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    metadata: _struct_pb2.Struct
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
