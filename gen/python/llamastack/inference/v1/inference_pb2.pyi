from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from llamastack.common.v1 import sampling_pb2 as _sampling_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChatCompletionEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHAT_COMPLETION_EVENT_TYPE_UNSPECIFIED: _ClassVar[ChatCompletionEventType]
    CHAT_COMPLETION_EVENT_TYPE_START: _ClassVar[ChatCompletionEventType]
    CHAT_COMPLETION_EVENT_TYPE_PROGRESS: _ClassVar[ChatCompletionEventType]
    CHAT_COMPLETION_EVENT_TYPE_COMPLETE: _ClassVar[ChatCompletionEventType]

class ToolCallParseStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOOL_CALL_PARSE_STATUS_UNSPECIFIED: _ClassVar[ToolCallParseStatus]
    TOOL_CALL_PARSE_STATUS_STARTED: _ClassVar[ToolCallParseStatus]
    TOOL_CALL_PARSE_STATUS_IN_PROGRESS: _ClassVar[ToolCallParseStatus]
    TOOL_CALL_PARSE_STATUS_FAILED: _ClassVar[ToolCallParseStatus]
    TOOL_CALL_PARSE_STATUS_SUCCEEDED: _ClassVar[ToolCallParseStatus]

class TextTruncation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEXT_TRUNCATION_UNSPECIFIED: _ClassVar[TextTruncation]
    TEXT_TRUNCATION_NONE: _ClassVar[TextTruncation]
    TEXT_TRUNCATION_START: _ClassVar[TextTruncation]
    TEXT_TRUNCATION_END: _ClassVar[TextTruncation]

class EmbeddingTaskType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMBEDDING_TASK_TYPE_UNSPECIFIED: _ClassVar[EmbeddingTaskType]
    EMBEDDING_TASK_TYPE_QUERY: _ClassVar[EmbeddingTaskType]
    EMBEDDING_TASK_TYPE_DOCUMENT: _ClassVar[EmbeddingTaskType]
CHAT_COMPLETION_EVENT_TYPE_UNSPECIFIED: ChatCompletionEventType
CHAT_COMPLETION_EVENT_TYPE_START: ChatCompletionEventType
CHAT_COMPLETION_EVENT_TYPE_PROGRESS: ChatCompletionEventType
CHAT_COMPLETION_EVENT_TYPE_COMPLETE: ChatCompletionEventType
TOOL_CALL_PARSE_STATUS_UNSPECIFIED: ToolCallParseStatus
TOOL_CALL_PARSE_STATUS_STARTED: ToolCallParseStatus
TOOL_CALL_PARSE_STATUS_IN_PROGRESS: ToolCallParseStatus
TOOL_CALL_PARSE_STATUS_FAILED: ToolCallParseStatus
TOOL_CALL_PARSE_STATUS_SUCCEEDED: ToolCallParseStatus
TEXT_TRUNCATION_UNSPECIFIED: TextTruncation
TEXT_TRUNCATION_NONE: TextTruncation
TEXT_TRUNCATION_START: TextTruncation
TEXT_TRUNCATION_END: TextTruncation
EMBEDDING_TASK_TYPE_UNSPECIFIED: EmbeddingTaskType
EMBEDDING_TASK_TYPE_QUERY: EmbeddingTaskType
EMBEDDING_TASK_TYPE_DOCUMENT: EmbeddingTaskType

class ToolCallDelta(_message.Message):
    __slots__ = ("text", "parsed", "parse_status")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PARSED_FIELD_NUMBER: _ClassVar[int]
    PARSE_STATUS_FIELD_NUMBER: _ClassVar[int]
    text: str
    parsed: _message_pb2.ToolCall
    parse_status: ToolCallParseStatus
    def __init__(self, text: _Optional[str] = ..., parsed: _Optional[_Union[_message_pb2.ToolCall, _Mapping]] = ..., parse_status: _Optional[_Union[ToolCallParseStatus, str]] = ...) -> None: ...

class ContentDelta(_message.Message):
    __slots__ = ("text", "image", "tool_call")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALL_FIELD_NUMBER: _ClassVar[int]
    text: str
    image: _content_pb2.ImageContent
    tool_call: ToolCallDelta
    def __init__(self, text: _Optional[str] = ..., image: _Optional[_Union[_content_pb2.ImageContent, _Mapping]] = ..., tool_call: _Optional[_Union[ToolCallDelta, _Mapping]] = ...) -> None: ...

class ChatCompletionResponseEvent(_message.Message):
    __slots__ = ("event_type", "delta", "logprobs", "stop_reason")
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    LOGPROBS_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    event_type: ChatCompletionEventType
    delta: ContentDelta
    logprobs: _containers.RepeatedCompositeFieldContainer[_sampling_pb2.TokenLogProbs]
    stop_reason: _message_pb2.StopReason
    def __init__(self, event_type: _Optional[_Union[ChatCompletionEventType, str]] = ..., delta: _Optional[_Union[ContentDelta, _Mapping]] = ..., logprobs: _Optional[_Iterable[_Union[_sampling_pb2.TokenLogProbs, _Mapping]]] = ..., stop_reason: _Optional[_Union[_message_pb2.StopReason, str]] = ...) -> None: ...

class Embedding(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, values: _Optional[_Iterable[float]] = ...) -> None: ...

class MessageList(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    def __init__(self, messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ...) -> None: ...

class ContentList(_message.Message):
    __slots__ = ("content",)
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ...) -> None: ...
