from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.rpc import status_pb2 as _status_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from llamastack.common.v1 import routing_pb2 as _routing_pb2
from llamastack.common.v1 import sampling_pb2 as _sampling_pb2
from llamastack.common.v1 import tool_pb2 as _tool_pb2
from llamastack.inference.v1 import inference_pb2 as _inference_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChatCompletionRequest(_message.Message):
    __slots__ = ("model_id", "messages", "sampling_params", "tools", "tool_config", "response_format", "logprobs")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    sampling_params: _sampling_pb2.SamplingParams
    tools: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolDefinition]
    tool_config: _tool_pb2.ToolConfig
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    def __init__(self, model_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., tools: _Optional[_Iterable[_Union[_tool_pb2.ToolDefinition, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ...) -> None: ...

class ChatCompletionResponse(_message.Message):
    __slots__ = ("completion_message", "logprobs", "metrics")
    COMPLETION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    completion_message: _message_pb2.Message
    logprobs: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.TokenLogProbs]
    metrics: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.Metric]
    def __init__(self, completion_message: _Optional[_Union[_message_pb2.Message, _Mapping]] = ..., logprobs: _Optional[_Iterable[_Union[_sampling_pb2.TokenLogProbs, _Mapping]]] = ..., metrics: _Optional[_Iterable[_Union[_sampling_pb2.Metric, _Mapping]]] = ...) -> None: ...

class StreamChatCompletionRequest(_message.Message):
    __slots__ = ("model_id", "messages", "sampling_params", "tools", "tool_config", "response_format", "logprobs")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    sampling_params: _sampling_pb2.SamplingParams
    tools: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolDefinition]
    tool_config: _tool_pb2.ToolConfig
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    def __init__(self, model_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., tools: _Optional[_Iterable[_Union[_tool_pb2.ToolDefinition, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ...) -> None: ...

class StreamChatCompletionResponse(_message.Message):
    __slots__ = ("event", "metrics", "error")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    event: _inference_pb2.ChatCompletionResponseEvent
    metrics: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.Metric]
    error: _status_pb2.Status
    def __init__(self, event: _Optional[_Union[_inference_pb2.ChatCompletionResponseEvent, _Mapping]] = ..., metrics: _Optional[_Iterable[_Union[_sampling_pb2.Metric, _Mapping]]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class CompletionRequest(_message.Message):
    __slots__ = ("model_id", "content", "sampling_params", "response_format", "logprobs")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    sampling_params: _sampling_pb2.SamplingParams
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    def __init__(self, model_id: _Optional[str] = ..., content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ...) -> None: ...

class CompletionResponse(_message.Message):
    __slots__ = ("content", "stop_reason", "logprobs", "metrics")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    content: str
    stop_reason: _message_pb2.StopReason
    logprobs: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.TokenLogProbs]
    metrics: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.Metric]
    def __init__(self, content: _Optional[str] = ..., stop_reason: _Optional[_Union[_message_pb2.StopReason, str]] = ..., logprobs: _Optional[_Iterable[_Union[_sampling_pb2.TokenLogProbs, _Mapping]]] = ..., metrics: _Optional[_Iterable[_Union[_sampling_pb2.Metric, _Mapping]]] = ...) -> None: ...

class StreamCompletionRequest(_message.Message):
    __slots__ = ("model_id", "content", "sampling_params", "response_format", "logprobs")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    sampling_params: _sampling_pb2.SamplingParams
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    def __init__(self, model_id: _Optional[str] = ..., content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ...) -> None: ...

class StreamCompletionResponse(_message.Message):
    __slots__ = ("delta", "stop_reason", "logprobs", "metrics", "error")
    DELTA_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    delta: str
    stop_reason: _message_pb2.StopReason
    logprobs: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.TokenLogProbs]
    metrics: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.Metric]
    error: _status_pb2.Status
    def __init__(self, delta: _Optional[str] = ..., stop_reason: _Optional[_Union[_message_pb2.StopReason, str]] = ..., logprobs: _Optional[_Iterable[_Union[_sampling_pb2.TokenLogProbs, _Mapping]]] = ..., metrics: _Optional[_Iterable[_Union[_sampling_pb2.Metric, _Mapping]]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class EmbeddingsRequest(_message.Message):
    __slots__ = ("model_id", "contents", "text_truncation", "output_dimension", "task_type")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENTS_FIELD_NUMBER: _ClassVar[int]
    TEXT_TRUNCATION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_DIMENSION_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    contents: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    text_truncation: _inference_pb2.TextTruncation
    output_dimension: int
    task_type: _inference_pb2.EmbeddingTaskType
    def __init__(self, model_id: _Optional[str] = ..., contents: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., text_truncation: _Optional[_Union[_inference_pb2.TextTruncation, str]] = ..., output_dimension: _Optional[int] = ..., task_type: _Optional[_Union[_inference_pb2.EmbeddingTaskType, str]] = ...) -> None: ...

class EmbeddingsResponse(_message.Message):
    __slots__ = ("embeddings", "metrics")
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    embeddings: _containers.RepeatedCompositeFieldContainer[_inference_pb2.Embedding]
    metrics: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.Metric]
    def __init__(self, embeddings: _Optional[_Iterable[_Union[_inference_pb2.Embedding, _Mapping]]] = ..., metrics: _Optional[_Iterable[_Union[_sampling_pb2.Metric, _Mapping]]] = ...) -> None: ...

class BatchChatCompletionRequest(_message.Message):
    __slots__ = ("model_id", "messages_batch", "sampling_params", "tools", "tool_config", "response_format", "logprobs")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_BATCH_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    messages_batch: _containers.RepeatedCompositeFieldContainer[_inference_pb2.MessageList]
    sampling_params: _sampling_pb2.SamplingParams
    tools: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolDefinition]
    tool_config: _tool_pb2.ToolConfig
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    def __init__(self, model_id: _Optional[str] = ..., messages_batch: _Optional[_Iterable[_Union[_inference_pb2.MessageList, _Mapping]]] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., tools: _Optional[_Iterable[_Union[_tool_pb2.ToolDefinition, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ...) -> None: ...

class BatchChatCompletionResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: _containers.RepeatedCompositeFieldContainer[ChatCompletionResponse]
    def __init__(self, batch: _Optional[_Iterable[_Union[ChatCompletionResponse, _Mapping]]] = ...) -> None: ...

class BatchCompletionRequest(_message.Message):
    __slots__ = ("model_id", "content_batch", "sampling_params", "response_format", "logprobs")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_BATCH_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    content_batch: _containers.RepeatedCompositeFieldContainer[_inference_pb2.ContentList]
    sampling_params: _sampling_pb2.SamplingParams
    response_format: _sampling_pb2.ResponseFormat
    logprobs: _sampling_pb2.LogProbConfig
    def __init__(self, model_id: _Optional[str] = ..., content_batch: _Optional[_Iterable[_Union[_inference_pb2.ContentList, _Mapping]]] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ..., logprobs: _Optional[_Union[_sampling_pb2.LogProbConfig, _Mapping]] = ...) -> None: ...

class BatchCompletionResponse(_message.Message):
    __slots__ = ("batch",)
    BATCH_FIELD_NUMBER: _ClassVar[int]
    batch: _containers.RepeatedCompositeFieldContainer[CompletionResponse]
    def __init__(self, batch: _Optional[_Iterable[_Union[CompletionResponse, _Mapping]]] = ...) -> None: ...
