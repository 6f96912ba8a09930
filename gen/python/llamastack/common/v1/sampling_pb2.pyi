from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GreedySampling(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TopPSampling(_message.Message):
    __slots__ = ("temperature", "top_p")
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    temperature: float
    top_p: float
    def __init__(self, temperature: _Optional[float] = ..., top_p: _Optional[float] = ...) -> None: ...

class TopKSampling(_message.Message):
    __slots__ = ("top_k",)
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    top_k: int
    def __init__(self, top_k: _Optional[int] = ...) -> None: ...

class SamplingParams(_message.Message):
    __slots__ = ("greedy", "top_p", "top_k", "max_tokens", "repetition_penalty", "stop")
    GREEDY_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REPETITION_PENALTY_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    greedy: GreedySampling
    top_p: TopPSampling
    top_k: TopKSampling
    max_tokens: int
    repetition_penalty: float
    stop: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, greedy: _Optional[_Union[GreedySampling, _Mapping]] = ..., top_p: _Optional[_Union[TopPSampling, _Mapping]] = ..., top_k: _Optional[_Union[TopKSampling, _Mapping]] = ..., max_tokens: _Optional[int] = ..., repetition_penalty: _Optional[float] = ..., stop: _Optional[_Iterable[str]] = ...) -> None: ...

class GrammarResponseFormat(_message.Message):
    __slots__ = ("bnf",)
    BNF_FIELD_NUMBER: _ClassVar[int]
    bnf: str
    def __init__(self, bnf: _Optional[str] = ...) -> None: ...

class ResponseFormat(_message.Message):
    __slots__ = ("json_schema", "grammar")
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    GRAMMAR_FIELD_NUMBER: _ClassVar[int]
    json_schema: _struct_pb2.Struct
    grammar: GrammarResponseFormat
    def __init__(self, json_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., grammar: _Optional[_Union[GrammarResponseFormat, _Mapping]] = ...) -> None: ...

class LogProbConfig(_message.Message):
    __slots__ = ("top_k",)
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    top_k: int
    def __init__(self, top_k: _Optional[int] = ...) -> None: ...

class TokenLogProbs(_message.Message):
    __slots__ = ("logprobs_by_token",)
    class LogprobsByTokenEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    LOGPROBS_BY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    logprobs_by_token: _containers.ScalarMap[str, float]
    def __init__(self, logprobs_by_token: _Optional[_Mapping[str, float]] = ...) -> None: ...

class Metric(_message.Message):
    __slots__ = ("metric", "value", "unit")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    metric: str
    value: float
    unit: str
    def __init__(self, metric: _Optional[str] = ..., value: _Optional[float] = ..., unit: _Optional[str] = ...) -> None: ...
