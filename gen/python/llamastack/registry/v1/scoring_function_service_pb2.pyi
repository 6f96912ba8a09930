from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from llamastack.common.v1 import scoring_pb2 as _scoring_pb2
from llamastack.registry.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RegisterScoringFunctionRequest(_message.Message):
    __slots__ = ("scoring_fn_id", "description", "return_type", "provider_scoring_fn_id", "provider_id", "params")
    SCORING_FN_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RETURN_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_SCORING_FN_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    scoring_fn_id: str
    description: str
    return_type: _scoring_pb2.ParamType
    provider_scoring_fn_id: str
    provider_id: str
    params: _scoring_pb2.ScoringFnParams
    def __init__(self, scoring_fn_id: _Optional[str] = ..., description: _Optional[str] = ..., return_type: _Optional[_Union[_scoring_pb2.ParamType, str]] = ..., provider_scoring_fn_id: _Optional[str] = ..., provider_id: _Optional[str] = ..., params: _Optional[_Union[_scoring_pb2.ScoringFnParams, _Mapping]] = ...) -> None: ...

class RegisterScoringFunctionResponse(_message.Message):
    __slots__ = ("scoring_function",)
    SCORING_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    scoring_function: _resources_pb2.ScoringFunction
    def __init__(self, scoring_function: _Optional[_Union[_resources_pb2.ScoringFunction, _Mapping]] = ...) -> None: ...

class GetScoringFunctionRequest(_message.Message):
    __slots__ = ("scoring_fn_id",)
    SCORING_FN_ID_FIELD_NUMBER: _ClassVar[int]
    scoring_fn_id: str
    def __init__(self, scoring_fn_id: _Optional[str] = ...) -> None: ...

class GetScoringFunctionResponse(_message.Message):
    __slots__ = ("scoring_function",)
    SCORING_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    scoring_function: _resources_pb2.ScoringFunction
    def __init__(self, scoring_function: _Optional[_Union[_resources_pb2.ScoringFunction, _Mapping]] = ...) -> None: ...

class ListScoringFunctionsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListScoringFunctionsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_resources_pb2.ScoringFunction]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_resources_pb2.ScoringFunction, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnregisterScoringFunctionRequest(_message.Message):
    __slots__ = ("scoring_fn_id",)
    SCORING_FN_ID_FIELD_NUMBER: _ClassVar[int]
    scoring_fn_id: str
    def __init__(self, scoring_fn_id: _Optional[str] = ...) -> None: ...

class UnregisterScoringFunctionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
