from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.common.v1 import resource_pb2 as _resource_pb2
from llamastack.common.v1 import scoring_pb2 as _scoring_pb2
from llamastack.common.v1 import tool_pb2 as _tool_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MODEL_TYPE_UNSPECIFIED: _ClassVar[ModelType]
    MODEL_TYPE_LLM: _ClassVar[ModelType]
    MODEL_TYPE_EMBEDDING: _ClassVar[ModelType]

class DatasetPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DATASET_PURPOSE_UNSPECIFIED: _ClassVar[DatasetPurpose]
    DATASET_PURPOSE_POST_TRAINING_MESSAGES: _ClassVar[DatasetPurpose]
    DATASET_PURPOSE_EVAL_QUESTION_ANSWER: _ClassVar[DatasetPurpose]
    DATASET_PURPOSE_EVAL_MESSAGES_ANSWER: _ClassVar[DatasetPurpose]
MODEL_TYPE_UNSPECIFIED: ModelType
MODEL_TYPE_LLM: ModelType
MODEL_TYPE_EMBEDDING: ModelType
DATASET_PURPOSE_UNSPECIFIED: DatasetPurpose
DATASET_PURPOSE_POST_TRAINING_MESSAGES: DatasetPurpose
DATASET_PURPOSE_EVAL_QUESTION_ANSWER: DatasetPurpose
DATASET_PURPOSE_EVAL_MESSAGES_ANSWER: DatasetPurpose

class Model(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "model_type", "metadata", "id", "object", "created", "owned_by")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    MODEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    OWNED_BY_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    model_type: ModelType
    metadata: _struct_pb2.Struct
    id: str
    object: str
    created: int
    owned_by: str
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., model_type: _Optional[_Union[ModelType, str]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., id: _Optional[str] = ..., object: _Optional[str] = ..., created: _Optional[int] = ..., owned_by: _Optional[str] = ...) -> None: ...

class Shield(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "params")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    params: _struct_pb2.Struct
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., params: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ToolGroup(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "mcp_endpoint", "args")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    MCP_ENDPOINT_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    mcp_endpoint: _content_pb2.Url
    args: _struct_pb2.Struct
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., mcp_endpoint: _Optional[_Union[_content_pb2.Url, _Mapping]] = ..., args: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Tool(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "toolgroup_id", "description", "parameters", "metadata", "input_schema")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    TOOLGROUP_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    INPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    toolgroup_id: str
    description: str
    parameters: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolParameter]
    metadata: _struct_pb2.Struct
    input_schema: _struct_pb2.Struct
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., toolgroup_id: _Optional[str] = ..., description: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[_tool_pb2.ToolParameter, _Mapping]]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., input_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class UriDataSource(_message.Message):
    __slots__ = ("uri",)
    URI_FIELD_NUMBER: _ClassVar[int]
    uri: str
    def __init__(self, uri: _Optional[str] = ...) -> None: ...

class RowsDataSource(_message.Message):
    __slots__ = ("rows",)
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    def __init__(self, rows: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ...) -> None: ...

class DataSource(_message.Message):
    __slots__ = ("uri", "rows")
    URI_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    uri: UriDataSource
    rows: RowsDataSource
    def __init__(self, uri: _Optional[_Union[UriDataSource, _Mapping]] = ..., rows: _Optional[_Union[RowsDataSource, _Mapping]] = ...) -> None: ...

class Dataset(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "purpose", "source", "metadata")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    purpose: DatasetPurpose
    source: DataSource
    metadata: _struct_pb2.Struct
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., purpose: _Optional[_Union[DatasetPurpose, str]] = ..., source: _Optional[_Union[DataSource, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class VectorDb(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "embedding_model", "embedding_dimension", "vector_db_name")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_MODEL_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_NAME_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    embedding_model: str
    embedding_dimension: int
    vector_db_name: str
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., embedding_model: _Optional[str] = ..., embedding_dimension: _Optional[int] = ..., vector_db_name: _Optional[str] = ...) -> None: ...

class ScoringFunction(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "description", "metadata", "return_type", "params")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    RETURN_TYPE_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    description: str
    metadata: _struct_pb2.Struct
    return_type: _scoring_pb2.ParamType
    params: _scoring_pb2.ScoringFnParams
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., description: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., return_type: _Optional[_Union[_scoring_pb2.ParamType, str]] = ..., params: _Optional[_Union[_scoring_pb2.ScoringFnParams, _Mapping]] = ...) -> None: ...

class Benchmark(_message.Message):
    __slots__ = ("identifier", "provider_id", "provider_resource_id", "owner", "dataset_id", "scoring_functions", "metadata")
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    SCORING_FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    provider_id: str
    provider_resource_id: str
    owner: _resource_pb2.Owner
    dataset_id: str
    scoring_functions: _containers.RepeatedScalarFieldContainer[str]
    metadata: _struct_pb2.Struct
    def __init__(self, identifier: _Optional[str] = ..., provider_id: _Optional[str] = ..., provider_resource_id: _Optional[str] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ..., dataset_id: _Optional[str] = ..., scoring_functions: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
