from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.common.v1 import job_pb2 as _job_pb2
from llamastack.common.v1 import routing_pb2 as _routing_pb2
from llamastack.eval.v1 import eval_pb2 as _eval_pb2
from llamastack.scoring.v1 import scoring_service_pb2 as _scoring_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunEvalRequest(_message.Message):
    __slots__ = ("benchmark_id", "benchmark_config")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_CONFIG_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: str
    benchmark_config: _eval_pb2.BenchmarkConfig
    def __init__(self, benchmark_id: _Optional[str] = ..., benchmark_config: _Optional[_Union[_eval_pb2.BenchmarkConfig, _Mapping]] = ...) -> None: ...

class RunEvalResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class GetJobStatusRequest(_message.Message):
    __slots__ = ("benchmark_id", "job_id")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: str
    job_id: str
    def __init__(self, benchmark_id: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class GetJobStatusResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("benchmark_id", "job_id")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: str
    job_id: str
    def __init__(self, benchmark_id: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class GetJobResultRequest(_message.Message):
    __slots__ = ("benchmark_id", "job_id")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: str
    job_id: str
    def __init__(self, benchmark_id: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class GetJobResultResponse(_message.Message):
    __slots__ = ("generations", "scores")
    class ScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _scoring_service_pb2.ScoringResult
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_scoring_service_pb2.ScoringResult, _Mapping]] = ...) -> None: ...
    GENERATIONS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    generations: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    scores: _containers.MessageMap[str, _scoring_service_pb2.ScoringResult]
    def __init__(self, generations: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., scores: _Optional[_Mapping[str, _scoring_service_pb2.ScoringResult]] = ...) -> None: ...

class EvaluateRowsRequest(_message.Message):
    __slots__ = ("benchmark_id", "input_rows", "scoring_functions", "benchmark_config")
    BENCHMARK_ID_FIELD_NUMBER: _ClassVar[int]
    INPUT_ROWS_FIELD_NUMBER: _ClassVar[int]
    SCORING_FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_CONFIG_FIELD_NUMBER: _ClassVar[int]
    benchmark_id: str
    input_rows: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    scoring_functions: _containers.RepeatedScalarFieldContainer[str]
    benchmark_config: _eval_pb2.BenchmarkConfig
    def __init__(self, benchmark_id: _Optional[str] = ..., input_rows: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., scoring_functions: _Optional[_Iterable[str]] = ..., benchmark_config: _Optional[_Union[_eval_pb2.BenchmarkConfig, _Mapping]] = ...) -> None: ...

class EvaluateRowsResponse(_message.Message):
    __slots__ = ("generations", "scores")
    class ScoresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _scoring_service_pb2.ScoringResult
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_scoring_service_pb2.ScoringResult, _Mapping]] = ...) -> None: ...
    GENERATIONS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    generations: _containers.RepeatedCompositeFieldContainer[_struct_pb2.Struct]
    scores: _containers.MessageMap[str, _scoring_service_pb2.ScoringResult]
    def __init__(self, generations: _Optional[_Iterable[_Union[_struct_pb2.Struct, _Mapping]]] = ..., scores: _Optional[_Mapping[str, _scoring_service_pb2.ScoringResult]] = ...) -> None: ...
