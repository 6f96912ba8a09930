from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from llamastack.post_training.v1 import post_training_pb2 as _post_training_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SupervisedFineTuneRequest(_message.Message):
    __slots__ = ("job_uuid", "training_config", "hyperparam_search_config", "logger_config", "model", "checkpoint_dir", "algorithm_config")
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    TRAINING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAM_SEARCH_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LOGGER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_DIR_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_CONFIG_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    training_config: _post_training_pb2.TrainingConfig
    hyperparam_search_config: _struct_pb2.Struct
    logger_config: _struct_pb2.Struct
    model: str
    checkpoint_dir: str
    algorithm_config: _post_training_pb2.AlgorithmConfig
    def __init__(self, job_uuid: _Optional[str] = ..., training_config: _Optional[_Union[_post_training_pb2.TrainingConfig, _Mapping]] = ..., hyperparam_search_config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., logger_config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., model: _Optional[str] = ..., checkpoint_dir: _Optional[str] = ..., algorithm_config: _Optional[_Union[_post_training_pb2.AlgorithmConfig, _Mapping]] = ...) -> None: ...

class SupervisedFineTuneResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _post_training_pb2.PostTrainingJob
    def __init__(self, job: _Optional[_Union[_post_training_pb2.PostTrainingJob, _Mapping]] = ...) -> None: ...

class PreferenceOptimizeRequest(_message.Message):
    __slots__ = ("job_uuid", "finetuned_model", "algorithm_config", "training_config", "hyperparam_search_config", "logger_config")
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    FINETUNED_MODEL_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TRAINING_CONFIG_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAM_SEARCH_CONFIG_FIELD_NUMBER: _ClassVar[int]
    LOGGER_CONFIG_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    finetuned_model: str
    algorithm_config: _post_training_pb2.DpoAlignmentConfig
    training_config: _post_training_pb2.TrainingConfig
    hyperparam_search_config: _struct_pb2.Struct
    logger_config: _struct_pb2.Struct
    def __init__(self, job_uuid: _Optional[str] = ..., finetuned_model: _Optional[str] = ..., algorithm_config: _Optional[_Union[_post_training_pb2.DpoAlignmentConfig, _Mapping]] = ..., training_config: _Optional[_Union[_post_training_pb2.TrainingConfig, _Mapping]] = ..., hyperparam_search_config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., logger_config: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class PreferenceOptimizeResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _post_training_pb2.PostTrainingJob
    def __init__(self, job: _Optional[_Union[_post_training_pb2.PostTrainingJob, _Mapping]] = ...) -> None: ...

class ListJobsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListJobsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_post_training_pb2.PostTrainingJob]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_post_training_pb2.PostTrainingJob, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetJobStatusRequest(_message.Message):
    __slots__ = ("job_uuid",)
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    def __init__(self, job_uuid: _Optional[str] = ...) -> None: ...

class GetJobStatusResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _post_training_pb2.PostTrainingJob
    def __init__(self, job: _Optional[_Union[_post_training_pb2.PostTrainingJob, _Mapping]] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("job_uuid",)
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    def __init__(self, job_uuid: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _post_training_pb2.PostTrainingJob
    def __init__(self, job: _Optional[_Union[_post_training_pb2.PostTrainingJob, _Mapping]] = ...) -> None: ...

class GetJobArtifactsRequest(_message.Message):
    __slots__ = ("job_uuid",)
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    def __init__(self, job_uuid: _Optional[str] = ...) -> None: ...

class GetJobArtifactsResponse(_message.Message):
    __slots__ = ("job_uuid", "checkpoints")
    JOB_UUID_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    job_uuid: str
    checkpoints: _containers.RepeatedCompositeFieldContainer[_post_training_pb2.Checkpoint]
    def __init__(self, job_uuid: _Optional[str] = ..., checkpoints: _Optional[_Iterable[_Union[_post_training_pb2.Checkpoint, _Mapping]]] = ...) -> None: ...
