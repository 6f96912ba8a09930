import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from llamastack.telemetry.v1 import telemetry_pb2 as _telemetry_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LogEventRequest(_message.Message):
    __slots__ = ("event", "ttl_seconds")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    TTL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    event: _telemetry_pb2.Event
    ttl_seconds: int
    def __init__(self, event: _Optional[_Union[_telemetry_pb2.Event, _Mapping]] = ..., ttl_seconds: _Optional[int] = ...) -> None: ...

class LogEventResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueryTracesRequest(_message.Message):
    __slots__ = ("attribute_filters", "limit", "offset", "order_by")
    ATTRIBUTE_FILTERS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    ORDER_BY_FIELD_NUMBER: _ClassVar[int]
    attribute_filters: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.QueryCondition]
    limit: int
    offset: int
    order_by: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, attribute_filters: _Optional[_Iterable[_Union[_telemetry_pb2.QueryCondition, _Mapping]]] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ..., order_by: _Optional[_Iterable[str]] = ...) -> None: ...

class QueryTracesResponse(_message.Message):
    __slots__ = ("data", "has_more")
    DATA_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.Trace]
    has_more: bool
    def __init__(self, data: _Optional[_Iterable[_Union[_telemetry_pb2.Trace, _Mapping]]] = ..., has_more: _Optional[bool] = ...) -> None: ...

class GetTraceRequest(_message.Message):
    __slots__ = ("trace_id",)
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    trace_id: str
    def __init__(self, trace_id: _Optional[str] = ...) -> None: ...

class GetTraceResponse(_message.Message):
    __slots__ = ("trace",)
    TRACE_FIELD_NUMBER: _ClassVar[int]
    trace: _telemetry_pb2.Trace
    def __init__(self, trace: _Optional[_Union[_telemetry_pb2.Trace, _Mapping]] = ...) -> None: ...

class GetSpanRequest(_message.Message):
    __slots__ = ("trace_id", "span_id")
    TRACE_ID_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    trace_id: str
    span_id: str
    def __init__(self, trace_id: _Optional[str] = ..., span_id: _Optional[str] = ...) -> None: ...

class GetSpanResponse(_message.Message):
    __slots__ = ("span",)
    SPAN_FIELD_NUMBER: _ClassVar[int]
    span: _telemetry_pb2.Span
    def __init__(self, span: _Optional[_Union[_telemetry_pb2.Span, _Mapping]] = ...) -> None: ...

class GetSpanTreeRequest(_message.Message):
    __slots__ = ("span_id", "attributes_to_return", "max_depth")
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_TO_RETURN_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    span_id: str
    attributes_to_return: _containers.RepeatedScalarFieldContainer[str]
    max_depth: int
    def __init__(self, span_id: _Optional[str] = ..., attributes_to_return: _Optional[_Iterable[str]] = ..., max_depth: _Optional[int] = ...) -> None: ...

class GetSpanTreeResponse(_message.Message):
    __slots__ = ("data",)
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _telemetry_pb2.Span
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_telemetry_pb2.Span, _Mapping]] = ...) -> None: ...
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.MessageMap[str, _telemetry_pb2.Span]
    def __init__(self, data: _Optional[_Mapping[str, _telemetry_pb2.Span]] = ...) -> None: ...

class QuerySpansRequest(_message.Message):
    __slots__ = ("attribute_filters", "attributes_to_return", "max_depth", "limit")
    ATTRIBUTE_FILTERS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_TO_RETURN_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    attribute_filters: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.QueryCondition]
    attributes_to_return: _containers.RepeatedScalarFieldContainer[str]
    max_depth: int
    limit: int
    def __init__(self, attribute_filters: _Optional[_Iterable[_Union[_telemetry_pb2.QueryCondition, _Mapping]]] = ..., attributes_to_return: _Optional[_Iterable[str]] = ..., max_depth: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class QuerySpansResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.Span]
    def __init__(self, data: _Optional[_Iterable[_Union[_telemetry_pb2.Span, _Mapping]]] = ...) -> None: ...

class SaveSpansToDatasetRequest(_message.Message):
    __slots__ = ("attribute_filters", "attributes_to_save", "dataset_id", "max_depth", "limit")
    ATTRIBUTE_FILTERS_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_TO_SAVE_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    attribute_filters: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.QueryCondition]
    attributes_to_save: _containers.RepeatedScalarFieldContainer[str]
    dataset_id: str
    max_depth: int
    limit: int
    def __init__(self, attribute_filters: _Optional[_Iterable[_Union[_telemetry_pb2.QueryCondition, _Mapping]]] = ..., attributes_to_save: _Optional[_Iterable[str]] = ..., dataset_id: _Optional[str] = ..., max_depth: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class SaveSpansToDatasetResponse(_message.Message):
    __slots__ = ("rows_saved",)
    ROWS_SAVED_FIELD_NUMBER: _ClassVar[int]
    rows_saved: int
    def __init__(self, rows_saved: _Optional[int] = ...) -> None: ...

class QueryMetricsRequest(_message.Message):
    __slots__ = ("metric_name", "start_time", "end_time", "granularity", "query_type", "label_matchers")
    METRIC_NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    QUERY_TYPE_FIELD_NUMBER: _ClassVar[int]
    LABEL_MATCHERS_FIELD_NUMBER: _ClassVar[int]
    metric_name: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    granularity: str
    query_type: _telemetry_pb2.MetricQueryType
    label_matchers: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.MetricLabelMatcher]
    def __init__(self, metric_name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., granularity: _Optional[str] = ..., query_type: _Optional[_Union[_telemetry_pb2.MetricQueryType, str]] = ..., label_matchers: _Optional[_Iterable[_Union[_telemetry_pb2.MetricLabelMatcher, _Mapping]]] = ...) -> None: ...

class QueryMetricsResponse(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _containers.RepeatedCompositeFieldContainer[_telemetry_pb2.MetricSeries]
    def __init__(self, data: _Optional[_Iterable[_Union[_telemetry_pb2.MetricSeries, _Mapping]]] = ...) -> None: ...
