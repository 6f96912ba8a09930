from llamastack.agents.v1 import agents_pb2 as _agents_pb2
from llamastack.common.v1 import message_pb2 as _message_pb2
from llamastack.common.v1 import sampling_pb2 as _sampling_pb2
from llamastack.common.v1 import scoring_pb2 as _scoring_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ModelCandidate(_message.Message):
    __slots__ = ("model", "sampling_params", "system_message")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    model: str
    sampling_params: _sampling_pb2.SamplingParams
    system_message: _message_pb2.Message
    def __init__(self, model: _Optional[str] = ..., sampling_params: _Optional[_Union[_sampling_pb2.SamplingParams, _Mapping]] = ..., system_message: _Optional[_Union[_message_pb2.Message, _Mapping]] = ...) -> None: ...

class AgentCandidate(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: _agents_pb2.AgentConfig
    def __init__(self, config: _Optional[_Union[_agents_pb2.AgentConfig, _Mapping]] = ...) -> None: ...

class EvalCandidate(_message.Message):
    __slots__ = ("model", "agent")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    model: ModelCandidate
    agent: AgentCandidate
    def __init__(self, model: _Optional[_Union[ModelCandidate, _Mapping]] = ..., agent: _Optional[_Union[AgentCandidate, _Mapping]] = ...) -> None: ...

class BenchmarkConfig(_message.Message):
    __slots__ = ("eval_candidate", "scoring_params", "num_examples")
    class ScoringParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _scoring_pb2.ScoringFnParams
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_scoring_pb2.ScoringFnParams, _Mapping]] = ...) -> None: ...
    EVAL_CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    SCORING_PARAMS_FIELD_NUMBER: _ClassVar[int]
    NUM_EXAMPLES_FIELD_NUMBER: _ClassVar[int]
    eval_candidate: EvalCandidate
    scoring_params: _containers.MessageMap[str, _scoring_pb2.ScoringFnParams]
    num_examples: int
    def __init__(self, eval_candidate: _Optional[_Union[EvalCandidate, _Mapping]] = ..., scoring_params: _Optional[_Mapping[str, _scoring_pb2.ScoringFnParams]] = ..., num_examples: _Optional[int] = ...) -> None: ...
