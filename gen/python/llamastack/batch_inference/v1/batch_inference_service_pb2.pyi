from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from llamastack.agents.v1 import agents_pb2 as _agents_pb2
from llamastack.common.v1 import job_pb2 as _job_pb2
from llamastack.common.v1 import sampling_pb2 as _sampling_pb2
from llamastack.common.v1 import tool_pb2 as _tool_pb2
from llamastack.inference.v1 import inference_pb2 as _inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as _inference_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StartBatchChatCompletionRequest(_message.Message):
    __slots__ = ("model_id", "messages_batch", "dataset_id", "sampling_params", "tools", "tool_config", "response_format", "logprobs", "result_dataset_id")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_BATCH_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    RESULT_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    messages_batch: _containers.RepeatedCompositeFieldContainer[_inference_pb2.MessageList]
    dataset_id: str
    sampling_params: _sampling_pb2.SamplingParams
    tools: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolDefinition]
    tool_config: _tool_pb2.ToolConfig
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    result_dataset_id: str
    def __init__(self, model_id: _Optional[str] = ..., messages_batch: _Optional[_Iterable[_Union[_inference_pb2.MessageList, _Mapping]]] = ..., dataset_id: _Optional[str] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., tools: _Optional[_Iterable[_Union[_tool_pb2.ToolDefinition, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ..., result_dataset_id: _Optional[str] = ...) -> None: ...

class StartBatchChatCompletionResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class StartBatchCompletionRequest(_message.Message):
    __slots__ = ("model_id", "content_batch", "dataset_id", "sampling_params", "response_format", "logprobs", "result_dataset_id")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_BATCH_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    RESULT_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    content_batch: _containers.RepeatedCompositeFieldContainer[_inference_pb2.ContentList]
    dataset_id: str
    sampling_params: _sampling_pb2.SamplingParams
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    result_dataset_id: str
    def __init__(self, model_id: _Optional[str] = ..., content_batch: _Optional[_Iterable[_Union[_inference_pb2.ContentList, _Mapping]]] = ..., dataset_id: _Optional[str] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ..., result_dataset_id: _Optional[str] = ...) -> None: ...

class StartBatchCompletionResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class StartBatchAgentTurnsRequest(_message.Message):
    __slots__ = ("agent_id", "agent_config", "turns_batch", "dataset_id", "result_dataset_id")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_CONFIG_FIELD_NUMBER: _ClassVar[int]
    TURNS_BATCH_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    agent_config: _agents_pb2.AgentConfig
    turns_batch: _containers.RepeatedCompositeFieldContainer[_inference_pb2.MessageList]
    dataset_id: str
    result_dataset_id: str
    def __init__(self, agent_id: _Optional[str] = ..., agent_config: _Optional[_Union[_agents_pb2.AgentConfig, _Mapping]] = ..., turns_batch: _Optional[_Iterable[_Union[_inference_pb2.MessageList, _Mapping]]] = ..., dataset_id: _Optional[str] = ..., result_dataset_id: _Optional[str] = ...) -> None: ...

class StartBatchAgentTurnsResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

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
    data: _containers.RepeatedCompositeFieldContainer[_job_pb2.Job]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_job_pb2.Job, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class CancelJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _job_pb2.Job
    def __init__(self, job: _Optional[_Union[_job_pb2.Job, _Mapping]] = ...) -> None: ...

class BatchItemResult(_message.Message):
    __slots__ = ("index", "chat_completion", "completion", "turn", "error")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    CHAT_COMPLETION_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    index: int
    chat_completion: _inference_service_pb2.ChatCompletionResponse
    completion: _inference_service_pb2.CompletionResponse
    turn: _agents_pb2.Turn
    error: str
    def __init__(self, index: _Optional[int] = ..., chat_completion: _Optional[_Union[_inference_service_pb2.ChatCompletionResponse, _Mapping]] = ..., completion: _Optional[_Union[_inference_service_pb2.CompletionResponse, _Mapping]] = ..., turn: _Optional[_Union[_agents_pb2.Turn, _Mapping]] = ..., error: _Optional[str] = ...) -> None: ...

class ListJobResultsRequest(_message.Message):
    __slots__ = ("job_id", "page_size", "page_token")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    page_size: int
    page_token: str
    def __init__(self, job_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListJobResultsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[BatchItemResult]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[BatchItemResult, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
