from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ToolChoice(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOOL_CHOICE_UNSPECIFIED: _ClassVar[ToolChoice]
    TOOL_CHOICE_AUTO: _ClassVar[ToolChoice]
    TOOL_CHOICE_REQUIRED: _ClassVar[ToolChoice]
    TOOL_CHOICE_NONE: _ClassVar[ToolChoice]

class ToolPromptFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TOOL_PROMPT_FORMAT_UNSPECIFIED: _ClassVar[ToolPromptFormat]
    TOOL_PROMPT_FORMAT_JSON: _ClassVar[ToolPromptFormat]
    TOOL_PROMPT_FORMAT_FUNCTION_TAG: _ClassVar[ToolPromptFormat]
    TOOL_PROMPT_FORMAT_PYTHON_LIST: _ClassVar[ToolPromptFormat]

class SystemMessageBehavior(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SYSTEM_MESSAGE_BEHAVIOR_UNSPECIFIED: _ClassVar[SystemMessageBehavior]
    SYSTEM_MESSAGE_BEHAVIOR_APPEND: _ClassVar[SystemMessageBehavior]
    SYSTEM_MESSAGE_BEHAVIOR_REPLACE: _ClassVar[SystemMessageBehavior]
TOOL_CHOICE_UNSPECIFIED: ToolChoice
TOOL_CHOICE_AUTO: ToolChoice
TOOL_CHOICE_REQUIRED: ToolChoice
TOOL_CHOICE_NONE: ToolChoice
TOOL_PROMPT_FORMAT_UNSPECIFIED: ToolPromptFormat
TOOL_PROMPT_FORMAT_JSON: ToolPromptFormat
TOOL_PROMPT_FORMAT_FUNCTION_TAG: ToolPromptFormat
TOOL_PROMPT_FORMAT_PYTHON_LIST: ToolPromptFormat
SYSTEM_MESSAGE_BEHAVIOR_UNSPECIFIED: SystemMessageBehavior
SYSTEM_MESSAGE_BEHAVIOR_APPEND: SystemMessageBehavior
SYSTEM_MESSAGE_BEHAVIOR_REPLACE: SystemMessageBehavior

class ToolParamDefinition(_message.Message):
    __slots__ = ("param_type", "description", "required", "default")
    PARAM_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    param_type: str
    description: str
    required: bool
    default: _struct_pb2.Value
    def __init__(self, param_type: _Optional[str] = ..., description: _Optional[str] = ..., required: _Optional[bool] = ..., default: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class ToolDefinition(_message.Message):
    __slots__ = ("tool_name", "description", "parameters", "input_schema")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ToolParamDefinition
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ToolParamDefinition, _Mapping]] = ...) -> None: ...
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    INPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    tool_name: str
    description: str
    parameters: _containers.MessageMap[str, ToolParamDefinition]
    input_schema: _struct_pb2.Struct
    def __init__(self, tool_name: _Optional[str] = ..., description: _Optional[str] = ..., parameters: _Optional[_Mapping[str, ToolParamDefinition]] = ..., input_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ToolParameter(_message.Message):
    __slots__ = ("name", "parameter_type", "description", "required", "default")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMETER_TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    name: str
    parameter_type: str
    description: str
    required: bool
    default: _struct_pb2.Value
    def __init__(self, name: _Optional[str] = ..., parameter_type: _Optional[str] = ..., description: _Optional[str] = ..., required: _Optional[bool] = ..., default: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class ToolDef(_message.Message):
    __slots__ = ("name", "description", "parameters", "metadata", "input_schema")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    INPUT_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    parameters: _containers.RepeatedCompositeFieldContainer[ToolParameter]
    metadata: _struct_pb2.Struct
    input_schema: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[ToolParameter, _Mapping]]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., input_schema: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ToolConfig(_message.Message):
    __slots__ = ("tool_choice", "tool_name", "tool_prompt_format", "system_message_behavior")
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    TOOL_NAME_FIELD_NUMBER: _ClassVar[int]
    TOOL_PROMPT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_MESSAGE_BEHAVIOR_FIELD_NUMBER: _ClassVar[int]
    tool_choice: ToolChoice
    tool_name: str
    tool_prompt_format: ToolPromptFormat
    system_message_behavior: SystemMessageBehavior
    def __init__(self, tool_choice: _Optional[_Union[ToolChoice, str]] = ..., tool_name: _Optional[str] = ..., tool_prompt_format: _Optional[_Union[ToolPromptFormat, str]] = ..., system_message_behavior: _Optional[_Union[SystemMessageBehavior, str]] = ...) -> None: ...
