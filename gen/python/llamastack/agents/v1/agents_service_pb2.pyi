from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.rpc import status_pb2 as _status_pb2
from llamastack.agents.v1 import agents_pb2 as _agents_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from llamastack.common.v1 import tool_pb2 as _tool_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateAgentRequest(_message.Message):
    __slots__ = ("agent_config",)
    AGENT_CONFIG_FIELD_NUMBER: _ClassVar[int]
    agent_config: _agents_pb2.AgentConfig
    def __init__(self, agent_config: _Optional[_Union[_agents_pb2.AgentConfig, _Mapping]] = ...) -> None: ...

class CreateAgentResponse(_message.Message):
    __slots__ = ("agent_id",)
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    def __init__(self, agent_id: _Optional[str] = ...) -> None: ...

class ListAgentsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAgentsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_agents_pb2.Agent]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_agents_pb2.Agent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetAgentRequest(_message.Message):
    __slots__ = ("agent_id",)
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    def __init__(self, agent_id: _Optional[str] = ...) -> None: ...

class GetAgentResponse(_message.Message):
    __slots__ = ("agent",)
    AGENT_FIELD_NUMBER: _ClassVar[int]
    agent: _agents_pb2.Agent
    def __init__(self, agent: _Optional[_Union[_agents_pb2.Agent, _Mapping]] = ...) -> None: ...

class DeleteAgentRequest(_message.Message):
    __slots__ = ("agent_id",)
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    def __init__(self, agent_id: _Optional[str] = ...) -> None: ...

class DeleteAgentResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("agent_id", "session_name")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_NAME_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_name: str
    def __init__(self, agent_id: _Optional[str] = ..., session_name: _Optional[str] = ...) -> None: ...

class CreateSessionResponse(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("agent_id", "page_size", "page_token")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    page_size: int
    page_token: str
    def __init__(self, agent_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("data", "next_page_token")
    DATA_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_agents_pb2.Session]
    next_page_token: str
    def __init__(self, data: _Optional[_Iterable[_Union[_agents_pb2.Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "turn_ids")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_IDS_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    turn_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., turn_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetSessionResponse(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: _agents_pb2.Session
    def __init__(self, session: _Optional[_Union[_agents_pb2.Session, _Mapping]] = ...) -> None: ...

class DeleteSessionRequest(_message.Message):
    __slots__ = ("agent_id", "session_id")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class DeleteSessionResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateTurnRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "messages", "documents", "toolgroups", "tool_config")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    TOOLGROUPS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    documents: _containers.RepeatedCompositeFieldContainer[_agents_pb2.Document]
    toolgroups: _containers.RepeatedCompositeFieldContainer[_agents_pb2.AgentToolGroup]
    tool_config: _tool_pb2.ToolConfig
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., documents: _Optional[_Iterable[_Union[_agents_pb2.Document, _Mapping]]] = ..., toolgroups: _Optional[_Iterable[_Union[_agents_pb2.AgentToolGroup, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ...) -> None: ...

class CreateTurnResponse(_message.Message):
    __slots__ = ("turn",)
    TURN_FIELD_NUMBER: _ClassVar[int]
    turn: _agents_pb2.Turn
    def __init__(self, turn: _Optional[_Union[_agents_pb2.Turn, _Mapping]] = ...) -> None: ...

class StreamTurnRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "messages", "documents", "toolgroups", "tool_config")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    TOOLGROUPS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CONFIG_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    messages: _containers.RepeatedCompositeFieldContainer[_message_pb2.Message]
    documents: _containers.RepeatedCompositeFieldContainer[_agents_pb2.Document]
    toolgroups: _containers.RepeatedCompositeFieldContainer[_agents_pb2.AgentToolGroup]
    tool_config: _tool_pb2.ToolConfig
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_message_pb2.Message, _Mapping]]] = ..., documents: _Optional[_Iterable[_Union[_agents_pb2.Document, _Mapping]]] = ..., toolgroups: _Optional[_Iterable[_Union[_agents_pb2.AgentToolGroup, _Mapping]]] = ..., tool_config: _Optional[_Union[_tool_pb2.ToolConfig, _Mapping]] = ...) -> None: ...

class StreamTurnResponse(_message.Message):
    __slots__ = ("event", "error")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    event: _agents_pb2.AgentTurnResponseEvent
    error: _status_pb2.Status
    def __init__(self, event: _Optional[_Union[_agents_pb2.AgentTurnResponseEvent, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class ResumeTurnRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "turn_id", "tool_responses")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_RESPONSES_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    turn_id: str
    tool_responses: _containers.RepeatedCompositeFieldContainer[_agents_pb2.ToolResponse]
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., tool_responses: _Optional[_Iterable[_Union[_agents_pb2.ToolResponse, _Mapping]]] = ...) -> None: ...

class ResumeTurnResponse(_message.Message):
    __slots__ = ("turn",)
    TURN_FIELD_NUMBER: _ClassVar[int]
    turn: _agents_pb2.Turn
    def __init__(self, turn: _Optional[_Union[_agents_pb2.Turn, _Mapping]] = ...) -> None: ...

class StreamResumeTurnRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "turn_id", "tool_responses")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    TOOL_RESPONSES_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    turn_id: str
    tool_responses: _containers.RepeatedCompositeFieldContainer[_agents_pb2.ToolResponse]
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., tool_responses: _Optional[_Iterable[_Union[_agents_pb2.ToolResponse, _Mapping]]] = ...) -> None: ...

class StreamResumeTurnResponse(_message.Message):
    __slots__ = ("event", "error")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    event: _agents_pb2.AgentTurnResponseEvent
    error: _status_pb2.Status
    def __init__(self, event: _Optional[_Union[_agents_pb2.AgentTurnResponseEvent, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class GetTurnRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "turn_id")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    turn_id: str
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., turn_id: _Optional[str] = ...) -> None: ...

class GetTurnResponse(_message.Message):
    __slots__ = ("turn",)
    TURN_FIELD_NUMBER: _ClassVar[int]
    turn: _agents_pb2.Turn
    def __init__(self, turn: _Optional[_Union[_agents_pb2.Turn, _Mapping]] = ...) -> None: ...

class GetStepRequest(_message.Message):
    __slots__ = ("agent_id", "session_id", "turn_id", "step_id")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_ID_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    session_id: str
    turn_id: str
    step_id: str
    def __init__(self, agent_id: _Optional[str] = ..., session_id: _Optional[str] = ..., turn_id: _Optional[str] = ..., step_id: _Optional[str] = ...) -> None: ...

class GetStepResponse(_message.Message):
    __slots__ = ("step",)
    STEP_FIELD_NUMBER: _ClassVar[int]
    step: _agents_pb2.Step
    def __init__(self, step: _Optional[_Union[_agents_pb2.Step, _Mapping]] = ...) -> None: ...
