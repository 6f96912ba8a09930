from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.vector_io.v1 import vector_io_pb2 as _vector_io_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RagDocument(_message.Message):
    __slots__ = ("document_id", "content", "url", "mime_type", "metadata")
    DOCUMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    document_id: str
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    url: _content_pb2.Url
    mime_type: str
    metadata: _struct_pb2.Struct
    def __init__(self, document_id: _Optional[str] = ..., content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., url: _Optional[_Union[_content_pb2.Url, _Mapping]] = ..., mime_type: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class DefaultRagQueryGeneratorConfig(_message.Message):
    __slots__ = ("separator",)
    SEPARATOR_FIELD_NUMBER: _ClassVar[int]
    separator: str
    def __init__(self, separator: _Optional[str] = ...) -> None: ...

class LlmRagQueryGeneratorConfig(_message.Message):
    __slots__ = ("model", "template")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    model: str
    template: str
    def __init__(self, model: _Optional[str] = ..., template: _Optional[str] = ...) -> None: ...

class RagQueryGeneratorConfig(_message.Message):
    __slots__ = ("default", "llm")
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    LLM_FIELD_NUMBER: _ClassVar[int]
    default: DefaultRagQueryGeneratorConfig
    llm: LlmRagQueryGeneratorConfig
    def __init__(self, default: _Optional[_Union[DefaultRagQueryGeneratorConfig, _Mapping]] = ..., llm: _Optional[_Union[LlmRagQueryGeneratorConfig, _Mapping]] = ...) -> None: ...

class RagQueryConfig(_message.Message):
    __slots__ = ("query_generator_config", "max_tokens_in_context", "max_chunks", "chunk_template", "mode", "ranker")
    QUERY_GENERATOR_CONFIG_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_IN_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    MAX_CHUNKS_FIELD_NUMBER: _ClassVar[int]
    CHUNK_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    RANKER_FIELD_NUMBER: _ClassVar[int]
    query_generator_config: RagQueryGeneratorConfig
    max_tokens_in_context: int
    max_chunks: int
    chunk_template: str
    mode: _vector_io_pb2.SearchMode
    ranker: _vector_io_pb2.Ranker
    def __init__(self, query_generator_config: _Optional[_Union[RagQueryGeneratorConfig, _Mapping]] = ..., max_tokens_in_context: _Optional[int] = ..., max_chunks: _Optional[int] = ..., chunk_template: _Optional[str] = ..., mode: _Optional[_Union[_vector_io_pb2.SearchMode, str]] = ..., ranker: _Optional[_Union[_vector_io_pb2.Ranker, _Mapping]] = ...) -> None: ...
