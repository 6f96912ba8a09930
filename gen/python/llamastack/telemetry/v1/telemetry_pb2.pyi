import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LogSeverity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOG_SEVERITY_UNSPECIFIED: _ClassVar[LogSeverity]
    LOG_SEVERITY_VERBOSE: _ClassVar[LogSeverity]
    LOG_SEVERITY_DEBUG: _ClassVar[LogSeverity]
    LOG_SEVERITY_INFO: _ClassVar[LogSeverity]
    LOG_SEVERITY_WARN: _ClassVar[LogSeverity]
    LOG_SEVERITY_ERROR: _ClassVar[LogSeverity]
    LOG_SEVERITY_CRITICAL: _ClassVar[LogSeverity]

class SpanStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPAN_STATUS_UNSPECIFIED: _ClassVar[SpanStatus]
    SPAN_STATUS_OK: _ClassVar[SpanStatus]
    SPAN_STATUS_ERROR: _ClassVar[SpanStatus]

class SpanKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPAN_KIND_UNSPECIFIED: _ClassVar[SpanKind]
    SPAN_KIND_INTERNAL: _ClassVar[SpanKind]
    SPAN_KIND_SERVER: _ClassVar[SpanKind]
    SPAN_KIND_CLIENT: _ClassVar[SpanKind]
    SPAN_KIND_PRODUCER: _ClassVar[SpanKind]
    SPAN_KIND_CONSUMER: _ClassVar[SpanKind]

class QueryConditionOp(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUERY_CONDITION_OP_UNSPECIFIED: _ClassVar[QueryConditionOp]
    QUERY_CONDITION_OP_EQ: _ClassVar[QueryConditionOp]
    QUERY_CONDITION_OP_NE: _ClassVar[QueryConditionOp]
    QUERY_CONDITION_OP_GT: _ClassVar[QueryConditionOp]
    QUERY_CONDITION_OP_LT: _ClassVar[QueryConditionOp]

class MetricQueryType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRIC_QUERY_TYPE_UNSPECIFIED: _ClassVar[MetricQueryType]
    METRIC_QUERY_TYPE_RANGE: _ClassVar[MetricQueryType]
    METRIC_QUERY_TYPE_INSTANT: _ClassVar[MetricQueryType]

class MetricLabelOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    METRIC_LABEL_OPERATOR_UNSPECIFIED: _ClassVar[MetricLabelOperator]
    METRIC_LABEL_OPERATOR_EQUALS: _ClassVar[MetricLabelOperator]
    METRIC_LABEL_OPERATOR_NOT_EQUALS: _ClassVar[MetricLabelOperator]
    METRIC_LABEL_OPERATOR_REGEX_MATCH: _ClassVar[MetricLabelOperator]
    METRIC_LABEL_OPERATOR_REGEX_NOT_MATCH: _ClassVar[MetricLabelOperator]
LOG_SEVERITY_UNSPECIFIED: LogSeverity
LOG_SEVERITY_VERBOSE: LogSeverity
LOG_SEVERITY_DEBUG: LogSeverity
LOG_SEVERITY_INFO: LogSeverity
LOG_SEVERITY_WARN: LogSeverity
LOG_SEVERITY_ERROR: LogSeverity
LOG_SEVERITY_CRITICAL: LogSeverity
SPAN_STATUS_UNSPECIFIED: SpanStatus
SPAN_STATUS_OK: SpanStatus
SPAN_STATUS_ERROR: SpanStatus
SPAN_KIND_UNSPECIFIED: SpanKind
SPAN_KIND_INTERNAL: SpanKind
SPAN_KIND_SERVER: SpanKind
SPAN_KIND_CLIENT: SpanKind
SPAN_KIND_PRODUCER: SpanKind
SPAN_KIND_CONSUMER: SpanKind
QUERY_CONDITION_OP_UNSPECIFIED: QueryConditionOp
QUERY_CONDITION_OP_EQ: QueryConditionOp
QUERY_CONDITION_OP_NE: QueryConditionOp
QUERY_CONDITION_OP_GT: QueryConditionOp
QUERY_CONDITION_OP_LT: QueryConditionOp
METRIC_QUERY_TYPE_UNSPECIFIED: MetricQueryType
METRIC_QUERY_TYPE_RANGE: MetricQueryType
METRIC_QUERY_TYPE_INSTANT: MetricQueryType
METRIC_LABEL_OPERATOR_UNSPECIFIED: MetricLabelOperator
METRIC_LABEL_OPERATOR_EQUALS: MetricLabelOperator
METRIC_LABEL_OPERATOR_NOT_EQUALS: MetricLabelOperator
METRIC_LABEL_OPERATOR_REGEX_MATCH: MetricLabelOperator
METRIC_LABEL_OPERATOR_REGEX_NOT_MATCH: MetricLabelOperator

class UnstructuredLogEvent(_message.Message):
    __slots__ = ("message", "severity")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    message: str
    severity: LogSeverity
    def __init__(self, message: _Optional[str] = ..., severity: _Optional[_Union[LogSeverity, str]] = ...) -> None: ...

class MetricEvent(_message.Message):
    __slots__ = ("metric", "value", "unit")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    metric: str
    value: float
    unit: str
    def __init__(self, metric: _Optional[str] = ..., value: _Optional[float] = ..., unit: _Optional[str] = ...) -> None: ...

class SpanStartPayload(_message.Message):
    __slots__ = ("name", "parent_span_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARENT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    parent_span_id: str
    def __init__(self, name: _Optional[str] = ..., parent_span_id: _Optional[str] = ...) -> None: ...

class SpanEndPayload(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: SpanStatus
    def __init__(self, status: _Optional[_Union[SpanStatus, str]] = ...) -> None: ...

class StructuredLogEvent(_message.Message):
    __slots__ = ("span_start", "span_end")
    SPAN_START_FIELD_NUMBER: _ClassVar[int]
    SPAN_END_FIELD_NUMBER: _ClassVar[int]
    span_start: SpanStartPayload
    span_end: SpanEndPayload
    def __init__(self, span_start: _Optional[_Union[SpanStartPayload, _Mapping]] = ..., span_end: _Optional[_Union[SpanEndPayload, _Mapping]] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("trace_id", "span_id", "timestamp", "attributes", "unstructured_log", "metric", "structured_log")
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    UNSTRUCTURED_LOG_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    STRUCTURED_LOG_FIELD_NUMBER: _ClassVar[int]
    trace_id: str
    span_id: str
    timestamp: _timestamp_pb2.Timestamp
    attributes: _struct_pb2.Struct
    unstructured_log: UnstructuredLogEvent
    metric: MetricEvent
    structured_log: StructuredLogEvent
    def __init__(self, trace_id: _Optional[str] = ..., span_id: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., unstructured_log: _Optional[_Union[UnstructuredLogEvent, _Mapping]] = ..., metric: _Optional[_Union[MetricEvent, _Mapping]] = ..., structured_log: _Optional[_Union[StructuredLogEvent, _Mapping]] = ...) -> None: ...

class Trace(_message.Message):
    __slots__ = ("trace_id", "root_span_id", "start_time", "end_time", "root_span_name", "span_count", "status", "root_service_name")
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ROOT_SPAN_NAME_FIELD_NUMBER: _ClassVar[int]
    SPAN_COUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ROOT_SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    trace_id: str
    root_span_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    root_span_name: str
    span_count: int
    status: SpanStatus
    root_service_name: str
    def __init__(self, trace_id: _Optional[str] = ..., root_span_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., root_span_name: _Optional[str] = ..., span_count: _Optional[int] = ..., status: _Optional[_Union[SpanStatus, str]] = ..., root_service_name: _Optional[str] = ...) -> None: ...

class SpanEvent(_message.Message):
    __slots__ = ("name", "timestamp", "attributes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    timestamp: _timestamp_pb2.Timestamp
    attributes: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class Span(_message.Message):
    __slots__ = ("span_id", "trace_id", "parent_span_id", "name", "start_time", "end_time", "attributes", "status", "service_name", "kind", "status_message", "events")
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    PARENT_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    span_id: str
    trace_id: str
    parent_span_id: str
    name: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    attributes: _struct_pb2.Struct
    status: SpanStatus
    service_name: str
    kind: SpanKind
    status_message: str
    events: _containers.RepeatedCompositeFieldContainer[SpanEvent]
    def __init__(self, span_id: _Optional[str] = ..., trace_id: _Optional[str] = ..., parent_span_id: _Optional[str] = ..., name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., attributes: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., status: _Optional[_Union[SpanStatus, str]] = ..., service_name: _Optional[str] = ..., kind: _Optional[_Union[SpanKind, str]] = ..., status_message: _Optional[str] = ..., events: _Optional[_Iterable[_Union[SpanEvent, _Mapping]]] = ...) -> None: ...

class QueryCondition(_message.Message):
    __slots__ = ("key", "op", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    op: QueryConditionOp
    value: _struct_pb2.Value
    def __init__(self, key: _Optional[str] = ..., op: _Optional[_Union[QueryConditionOp, str]] = ..., value: _Optional[_Union[_struct_pb2.Value, _Mapping]] = ...) -> None: ...

class MetricLabelMatcher(_message.Message):
    __slots__ = ("name", "value", "operator")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    operator: MetricLabelOperator
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ..., operator: _Optional[_Union[MetricLabelOperator, str]] = ...) -> None: ...

class MetricLabel(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class MetricDataPoint(_message.Message):
    __slots__ = ("timestamp", "value", "unit")
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    timestamp: _timestamp_pb2.Timestamp
    value: float
    unit: str
    def __init__(self, timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., value: _Optional[float] = ..., unit: _Optional[str] = ...) -> None: ...

class MetricSeries(_message.Message):
    __slots__ = ("metric", "labels", "values")
    METRIC_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    metric: str
    labels: _containers.RepeatedCompositeFieldContainer[MetricLabel]
    values: _containers.RepeatedCompositeFieldContainer[MetricDataPoint]
    def __init__(self, metric: _Optional[str] = ..., labels: _Optional[_Iterable[_Union[MetricLabel, _Mapping]]] = ..., values: _Optional[_Iterable[_Union[MetricDataPoint, _Mapping]]] = ...) -> None: ...
