from google.api import field_behavior_pb2 as _field_behavior_pb2
from llamastack.provider.v1 import provider_pb2 as _provider_pb2
from llamastack.registry.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DescribeProvidersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeProvidersResponse(_message.Message):
    __slots__ = ("api", "providers", "services", "instance_id")
    API_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    api: str
    providers: _containers.RepeatedCompositeFieldContainer[_provider_pb2.ProviderInfo]
    services: _containers.RepeatedScalarFieldContainer[str]
    instance_id: str
    def __init__(self, api: _Optional[str] = ..., providers: _Optional[_Iterable[_Union[_provider_pb2.ProviderInfo, _Mapping]]] = ..., services: _Optional[_Iterable[str]] = ..., instance_id: _Optional[str] = ...) -> None: ...

class AnyResource(_message.Message):
    __slots__ = ("model", "shield", "tool_group", "dataset", "vector_db", "scoring_function", "benchmark")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SHIELD_FIELD_NUMBER: _ClassVar[int]
    TOOL_GROUP_FIELD_NUMBER: _ClassVar[int]
    DATASET_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_FIELD_NUMBER: _ClassVar[int]
    SCORING_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    model: _resources_pb2.Model
    shield: _resources_pb2.Shield
    tool_group: _resources_pb2.ToolGroup
    dataset: _resources_pb2.Dataset
    vector_db: _resources_pb2.VectorDb
    scoring_function: _resources_pb2.ScoringFunction
    benchmark: _resources_pb2.Benchmark
    def __init__(self, model: _Optional[_Union[_resources_pb2.Model, _Mapping]] = ..., shield: _Optional[_Union[_resources_pb2.Shield, _Mapping]] = ..., tool_group: _Optional[_Union[_resources_pb2.ToolGroup, _Mapping]] = ..., dataset: _Optional[_Union[_resources_pb2.Dataset, _Mapping]] = ..., vector_db: _Optional[_Union[_resources_pb2.VectorDb, _Mapping]] = ..., scoring_function: _Optional[_Union[_resources_pb2.ScoringFunction, _Mapping]] = ..., benchmark: _Optional[_Union[_resources_pb2.Benchmark, _Mapping]] = ...) -> None: ...

class RegisterResourceRequest(_message.Message):
    __slots__ = ("resource",)
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    resource: AnyResource
    def __init__(self, resource: _Optional[_Union[AnyResource, _Mapping]] = ...) -> None: ...

class RegisterResourceResponse(_message.Message):
    __slots__ = ("resource", "tools")
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    resource: AnyResource
    tools: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Tool]
    def __init__(self, resource: _Optional[_Union[AnyResource, _Mapping]] = ..., tools: _Optional[_Iterable[_Union[_resources_pb2.Tool, _Mapping]]] = ...) -> None: ...

class UnregisterResourceRequest(_message.Message):
    __slots__ = ("resource",)
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    resource: AnyResource
    def __init__(self, resource: _Optional[_Union[AnyResource, _Mapping]] = ...) -> None: ...

class UnregisterResourceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProviderModelsRequest(_message.Message):
    __slots__ = ("provider_id", "page_size", "page_token")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    page_size: int
    page_token: str
    def __init__(self, provider_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListProviderModelsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Model]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.Model, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
