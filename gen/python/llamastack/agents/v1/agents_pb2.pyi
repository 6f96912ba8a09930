import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llamastack.common.v1 import content_pb2 as _content_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from llamastack.common.v1 import resource_pb2 as _resource_pb2
from llamastack.common.v1 import sampling_pb2 as _sampling_pb2
from llamastack.common.v1 import tool_pb2 as _tool_pb2
from llamastack.inference.v1 import inference_pb2 as _inference_pb2
from llamastack.safety.v1 import safety_service_pb2 as _safety_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StepType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STEP_TYPE_UNSPECIFIED: _ClassVar[StepType]
    STEP_TYPE_INFERENCE: _ClassVar[StepType]
    STEP_TYPE_TOOL_EXECUTION: _ClassVar[StepType]
    STEP_TYPE_SHIELD_CALL: _ClassVar[StepType]
    STEP_TYPE_MEMORY_RETRIEVAL: _ClassVar[StepType]

class TurnStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TURN_STATUS_UNSPECIFIED: _ClassVar[TurnStatus]
    TURN_STATUS_IN_PROGRESS: _ClassVar[TurnStatus]
    TURN_STATUS_AWAITING_INPUT: _ClassVar[TurnStatus]
    TURN_STATUS_COMPLETED: _ClassVar[TurnStatus]
    TURN_STATUS_FAILED: _ClassVar[TurnStatus]
    TURN_STATUS_CANCELLED: _ClassVar[TurnStatus]
STEP_TYPE_UNSPECIFIED: StepType
STEP_TYPE_INFERENCE: StepType
STEP_TYPE_TOOL_EXECUTION: StepType
STEP_TYPE_SHIELD_CALL: StepType
STEP_TYPE_MEMORY_RETRIEVAL: StepType
TURN_STATUS_UNSPECIFIED: TurnStatus
TURN_STATUS_IN_PROGRESS: TurnStatus
TURN_STATUS_AWAITING_INPUT: TurnStatus
TURN_STATUS_COMPLETED: TurnStatus
TURN_STATUS_FAILED: TurnStatus
TURN_STATUS_CANCELLED: TurnStatus

class AgentToolGroup(_message.Message):
    __slots__ = ("name", "args")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    args: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., args: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AgentConfig(_message.Message):
    __slots__ = ("model", "instructions", "name", "sampling_params", "input_shields", "output_shields", "toolgroups", "client_tools", "tool_config", "max_infer_iters", "enable_session_persistence", "response_format")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    INPUT_SHIELDS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SHIELDS_FIELD_NUMBER: _ClassVar[int]
    TOOLGROUPS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    MAX_INFER_ITERS_FIELD_NUMBER: _ClassVar[int]
    ENABLE_SESSION_PERSISTENCE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    model: str
    instructions: str
    name: str
    sampling_params: _sampling_pb2.SamplingParams
    input_shields: _containers.RepeatedScalarFieldContainer[str]
    output_shields: _containers.RepeatedScalarFieldContainer[str]
    toolgroups: _containers.RepeatedCompositeFieldContainer[AgentToolGroup]
    client_tools: _containers.RepeatedCompositeFieldContainer[_tool_pb2.ToolDef]
    tool_config: _tool_pb2.ToolConfig
    max_infer_iters: int
    enable_session_persistence: bool
    response_format: _sampling_pb2.ResponseFormat
    def __init__(self, model: _Optional[str] = ..., instructions: _Optional[str] = ..., name: _Optional[str] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., input_shields: _Optional[_Iterable[str]] = ..., output_shields: _Optional[_Iterable[str]] = ..., toolgroups: _Optional[_Iterable[_Union[AgentToolGroup, _Mapping]]] = ..., client_tools: _Optional[_Iterable[_Union[_tool_pb2.ToolDef, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ..., max_infer_iters: _Optional[int] = ..., enable_session_persistence: _Optional[bool] = ..., response_format: _Optional[_Union[_sampling_pb2.ResponseFormat, _Mapping]] = ...) -> None: ...

class Agent(_message.Message):
    __slots__ = ("agent_id", "agent_config", "created_at", "owner")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_CONFIG_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    OWNER_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    agent_config: AgentConfig
    created_at: _timestamp_pb2.Timestamp
    owner: _resource_pb2.Owner
    def __init__(self, agent_id: _Optional[str] = ..., agent_config: _Optional[_Union[AgentConfig, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., owner: _Optional[_Union[_resource_pb2.Owner, _Mapping]] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("content", "url", "mime_type")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    url: _content_pb2.Url
    mime_type: str
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., url: _Optional[_Union[_content_pb2.Url, _Mapping]] = ..., mime_type: _Optional[str] = ...) -> None: ...

class ToolResponse(_message.Message):
    __slots__ = ("call_id", "tool_name", "content", "metadata")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    tool_name: str
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    metadata: _struct_pb2.Struct
    def __init__(self, call_id: _Optional[str] = ..., tool_name: _Optional[str] = ..., content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Attachment(_message.Message):
    __slots__ = ("content", "mime_type")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    content: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    mime_type: str
    def __init__(self, content: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ..., mime_type: _Optional[str] = ...) -> None: ...

class InferenceStep(_message.Message):
    __slots__ = ("model_response",)
    MODEL_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    model_response: _message_pb2.Message
    def __init__(self, model_response: _Optional[_Union[_message_pb2.Message, _Mapping]] = ...) -> None: ...

class ToolExecutionStep(_message.Message):
    __slots__ = ("tool_calls", "tool_responses")
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_RESPONSES_FIELD_NUMBER: _ClassVar[int]
    tool_calls: _containers.RepeatedCompositeFieldContainer[_message_pb2.ToolCall]
    tool_responses: _containers.RepeatedCompositeFieldContainer[ToolResponse]
    def __init__(self, tool_calls: _Optional[_Iterable[_Union[_message_pb2.ToolCall, _Mapping]]] = ..., tool_responses: _Optional[_Iterable[_Union[ToolResponse, _Mapping]]] = ...) -> None: ...

class ShieldCallStep(_message.Message):
    __slots__ = ("violation",)
    VIOLATION_FIELD_NUMBER: _ClassVar[int]
    violation: _safety_service_pb2.SafetyViolation
    def __init__(self, violation: _Optional[_Union[_safety_service_pb2.SafetyViolation, _Mapping]] = ...) -> None: ...

class MemoryRetrievalStep(_message.Message):
    __slots__ = ("vector_db_ids", "inserted_context")
    VECTOR_DB_IDS_FIELD_NUMBER: _ClassVar[int]
    INSERTED_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    vector_db_ids: _containers.RepeatedScalarFieldContainer[str]
    inserted_context: _containers.RepeatedCompositeFieldContainer[_content_pb2.ContentItem]
    def __init__(self, vector_db_ids: _Optional[_Iterable[str]] = ..., inserted_context: _Optional[_Iterable[_Union[_content_pb2.ContentItem, _Mapping]]] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("turn_id", "step_id", "started_at", "completed_at", "inference", "tool_execution", "shield_call", "memory_retrieval")
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    INFERENCE_FIELD_NUMBER: _ClassVar[int]
    TOOL_EXECUTION_FIELD_NUMBER: _ClassVar[int]
    SHIELD_CALL_FIELD_NUMBER: _ClassVar[int]
    MEMORY_RETRIEVAL_FIELD_NUMBER: _ClassVar[int]
    turn_id: str
    step_id: str
    started_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    inference: InferenceStep
    tool_execution: ToolExecutionStep
    shield_call: ShieldCallStep
    memory_retrieval: MemoryRetrievalStep
    def __init__(self, turn_id: _Optional[str] = ..., step_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., inference: _Optional[_Union[InferenceStep, _Mapping]] = ..., tool_execution: _Optional[_Union[ToolExecutionStep, _Mapping]] = ..., shield_call: _Optional[_Union[ShieldCallStep, _Mapping]] = ..., memory_retrieval: _Optional[_Union[MemoryRetrievalStep, _Mapping]] = ...) -> None: ...

class Turn(_message.Message):
    __slots__ = ("turn_id", "session_id", "input_messages", "steps", "output_message", "output_attachments", "started_at", "completed_at", "status", "error")
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    INPUT_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    turn_id: str
    session_id: str
    input_messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    output_message: _message_pb2.Message
    output_attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    started_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    status: TurnStatus
    error: str
    def __init__(self, turn_id: _Optional[str] = ..., session_id: _Optional[str] = ..., input_messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ..., output_message: _Optional[_Union[_message_pb2.Message, _Mapping]] = ..., output_attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[TurnStatus, str]] = ..., error: _Optional[str] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ("session_id", "session_name", "turns", "started_at", "agent_id", "vector_db_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_NAME_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    VECTOR_DB_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    session_name: str
    turns: _containers.RepeatedCompositeFieldContainer[Turn]
    started_at: _timestamp_pb2.Timestamp
    agent_id: str
    vector_db_id: str
    def __init__(self, session_id: _Optional[str] = ..., session_name: _Optional[str] = ..., turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_id: _Optional[str] = ..., vector_db_id: _Optional[str] = ...) -> None: ...

class TurnStartPayload(_message.Message):
    __slots__ = ("turn_id",)
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    turn_id: str
    def __init__(self, turn_id: _Optional[str] = ...) -> None: ...

class StepStartPayload(_message.Message):
    __slots__ = ("step_type", "step_id", "metadata")
    STEP_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    step_type: StepType
    step_id: str
    metadata: _struct_pb2.Struct
    def __init__(self, step_type: _Optional[_Union[StepType, str]] = ..., step_id: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class StepProgressPayload(_message.Message):
    __slots__ = ("step_type", "step_id", "delta")
    STEP_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    step_type: StepType
    step_id: str
    delta: _inference_pb2.ContentDelta
    def __init__(self, step_type: _Optional[_Union[StepType, str]] = ..., step_id: _Optional[str] = ..., delta: _Optional[_Union[_inference_pb2.ContentDelta, _Mapping]] = ...) -> None: ...

class StepCompletePayload(_message.Message):
    __slots__ = ("step_type", "step_id", "step_details")
    STEP_TYPE_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_DETAILS_FIELD_NUMBER: _ClassVar[int]
    step_type: StepType
    step_id: str
    step_details: Step
    def __init__(self, step_type: _Optional[_Union[StepType, str]] = ..., step_id: _Optional[str] = ..., step_details: _Optional[_Union[Step, _Mapping]] = ...) -> None: ...

class TurnCompletePayload(_message.Message):
    __slots__ = ("turn",)
    TURN_FIELD_NUMBER: _ClassVar[int]
    turn: Turn
    def __init__(self, turn: _Optional[_Union[Turn, _Mapping]] = ...) -> None: ...

class TurnAwaitingInputPayload(_message.Message):
    __slots__ = ("turn",)
    TURN_FIELD_NUMBER: _ClassVar[int]
    turn: Turn
    def __init__(self, turn: _Optional[_Union[Turn, _Mapping]] = ...) -> None: ...

class AgentTurnResponseEvent(_message.Message):
    __slots__ = ("turn_start", "step_start", "step_progress", "step_complete", "turn_complete", "turn_awaiting_input")
    TURN_START_FIELD_NUMBER: _ClassVar[int]
    STEP_START_FIELD_NUMBER: _ClassVar[int]
    STEP_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    STEP_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    TURN_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    TURN_AWAITING_INPUT_FIELD_NUMBER: _ClassVar[int]
    turn_start: TurnStartPayload
    step_start: StepStartPayload
    step_progress: StepProgressPayload
    step_complete: StepCompletePayload
    turn_complete: TurnCompletePayload
    turn_awaiting_input: TurnAwaitingInputPayload
    def __init__(self, turn_start: _Optional[_Union[TurnStartPayload, _Mapping]] = ..., step_start: _Optional[_Union[StepStartPayload, _Mapping]] = ..., step_progress: _Optional[_Union[StepProgressPayload, _Mapping]] = ..., step_complete: _Optional[_Union[StepCompletePayload, _Mapping]] = ..., turn_complete: _Optional[_Union[TurnCompletePayload, _Mapping]] = ..., turn_awaiting_input: _Optional[_Union[TurnAwaitingInputPayload, _Mapping]] = ...) -> None: ...
