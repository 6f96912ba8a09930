from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AggregationFunction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGGREGATION_FUNCTION_UNSPECIFIED: _ClassVar[AggregationFunction]
    AGGREGATION_FUNCTION_AVERAGE: _ClassVar[AggregationFunction]
    AGGREGATION_FUNCTION_WEIGHTED_AVERAGE: _ClassVar[AggregationFunction]
    AGGREGATION_FUNCTION_MEDIAN: _ClassVar[AggregationFunction]
    AGGREGATION_FUNCTION_CATEGORICAL_COUNT: _ClassVar[AggregationFunction]
    AGGREGATION_FUNCTION_ACCURACY: _ClassVar[AggregationFunction]

class ParamType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARAM_TYPE_UNSPECIFIED: _ClassVar[ParamType]
    PARAM_TYPE_STRING: _ClassVar[ParamType]
    PARAM_TYPE_NUMBER: _ClassVar[ParamType]
    PARAM_TYPE_BOOLEAN: _ClassVar[ParamType]
    PARAM_TYPE_ARRAY: _ClassVar[ParamType]
    PARAM_TYPE_OBJECT: _ClassVar[ParamType]
    PARAM_TYPE_JSON: _ClassVar[ParamType]
    PARAM_TYPE_UNION: _ClassVar[ParamType]
    PARAM_TYPE_CHAT_COMPLETION_INPUT: _ClassVar[ParamType]
    PARAM_TYPE_COMPLETION_INPUT: _ClassVar[ParamType]
    PARAM_TYPE_AGENT_TURN_INPUT: _ClassVar[ParamType]
    PARAM_TYPE_DIALOG: _ClassVar[ParamType]
AGGREGATION_FUNCTION_UNSPECIFIED: AggregationFunction
AGGREGATION_FUNCTION_AVERAGE: AggregationFunction
AGGREGATION_FUNCTION_WEIGHTED_AVERAGE: AggregationFunction
AGGREGATION_FUNCTION_MEDIAN: AggregationFunction
AGGREGATION_FUNCTION_CATEGORICAL_COUNT: AggregationFunction
AGGREGATION_FUNCTION_ACCURACY: AggregationFunction
PARAM_TYPE_UNSPECIFIED: ParamType
PARAM_TYPE_STRING: ParamType
PARAM_TYPE_NUMBER: ParamType
PARAM_TYPE_BOOLEAN: ParamType
PARAM_TYPE_ARRAY: ParamType
PARAM_TYPE_OBJECT: ParamType
PARAM_TYPE_JSON: ParamType
PARAM_TYPE_UNION: ParamType
PARAM_TYPE_CHAT_COMPLETION_INPUT: ParamType
PARAM_TYPE_COMPLETION_INPUT: ParamType
PARAM_TYPE_AGENT_TURN_INPUT: ParamType
PARAM_TYPE_DIALOG: ParamType

class LlmAsJudgeScoringParams(_message.Message):
    __slots__ = ("judge_model", "prompt_template", "judge_score_regexes", "aggregation_functions")
    JUDGE_MODEL_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    JUDGE_SCORE_REGEXES_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    judge_model: str
    prompt_template: str
    judge_score_regexes: _containers.RepeatedScalarFieldContainer[str]
    aggregation_functions: _containers.RepeatedScalarFieldContainer[AggregationFunction]
    def __init__(self, judge_model: _Optional[str] = ..., prompt_template: _Optional[str] = ..., judge_score_regexes: _Optional[_Iterable[str]] = ..., aggregation_functions: _Optional[_Iterable[_Union[AggregationFunction, str]]] = ...) -> None: ...

class RegexParserScoringParams(_message.Message):
    __slots__ = ("parsing_regexes", "aggregation_functions")
    PARSING_REGEXES_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    parsing_regexes: _containers.RepeatedScalarFieldContainer[str]
    aggregation_functions: _containers.RepeatedScalarFieldContainer[AggregationFunction]
    def __init__(self, parsing_regexes: _Optional[_Iterable[str]] = ..., aggregation_functions: _Optional[_Iterable[_Union[AggregationFunction, str]]] = ...) -> None: ...

class BasicScoringParams(_message.Message):
    __slots__ = ("aggregation_functions",)
    AGGREGATION_FUNCTIONS_FIELD_NUMBER: _ClassVar[int]
    aggregation_functions: _containers.RepeatedScalarFieldContainer[AggregationFunction]
    def __init__(self, aggregation_functions: _Optional[_Iterable[_Union[AggregationFunction, str]]] = ...) -> None: ...

class ScoringFnParams(_message.Message):
    __slots__ = ("llm_as_judge", "regex_parser", "basic")
    LLM_AS_JUDGE_FIELD_NUMBER: _ClassVar[int]
    REGEX_PARSER_FIELD_NUMBER: _ClassVar[int]
    BASIC_FIELD_NUMBER: _ClassVar[int]
    llm_as_judge: LlmAsJudgeScoringParams
    regex_parser: RegexParserScoringParams
    basic: BasicScoringParams
    def __init__(self, llm_as_judge: _Optional[_Union[LlmAsJudgeScoringParams, _Mapping]] = ..., regex_parser: _Optional[_Union[RegexParserScoringParams, _Mapping]] = ..., basic: _Optional[_Union[BasicScoringParams, _Mapping]] = ...) -> None: ...
