"""The telemetry service over gRPC: the Llama Stack TelemetryService (thin: convert, call the
logic, convert back) and the standard OTLP collector services (TraceService, MetricsService)
on the same port."""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.collector.metrics.v1 import (
    metrics_service_pb2,
    metrics_service_pb2_grpc,
)
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as pb_grpc
from services.common.gateway_client import GatewayClient
from services.common.providers import ProviderHost, provider_id_of
from services.common.settings import Settings
from services.telemetry import convert
from services.telemetry.otlp import DeltaTracker, points_from_otlp, spans_from_otlp
from services.telemetry.service import TelemetryLogic

__all__ = ["servicers"]


def servicers(host: ProviderHost[Any]) -> list[tuple[Any, Any]]:
    settings = Settings()
    logic = TelemetryLogic(host, GatewayClient(settings.gateway_addr))
    return [
        (pb_grpc.add_TelemetryServiceServicer_to_server, TelemetryServicer(logic, settings)),
        (trace_service_pb2_grpc.add_TraceServiceServicer_to_server, OtlpTraces(logic)),
        (metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server, OtlpMetrics(logic)),
    ]


class OtlpTraces(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, logic: TelemetryLogic) -> None:
        self._logic = logic

    async def Export(self, request, context):
        spans = spans_from_otlp(request, self._logic.expires())
        if spans:
            await self._logic.store().add_spans(spans)
        return trace_service_pb2.ExportTraceServiceResponse()


class OtlpMetrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, logic: TelemetryLogic) -> None:
        self._logic = logic
        self._tracker = DeltaTracker()

    async def Export(self, request, context):
        points = points_from_otlp(request, self._tracker)
        if points:
            await self._logic.store().add_points(points)
        return metrics_service_pb2.ExportMetricsServiceResponse()


class TelemetryServicer(pb_grpc.TelemetryServiceServicer):
    def __init__(self, logic: TelemetryLogic, settings: Settings) -> None:
        self._logic = logic
        self._timeout = settings.default_timeout_s

    async def LogEvent(self, request, context):
        event = convert.log_event(request.event)
        await self._logic.log_event(provider_id_of(context), event, request.ttl_seconds)
        return pb.LogEventResponse()

    async def QueryTraces(self, request, context):
        traces, more = await self._logic.query_traces(
            convert.conditions(request.attribute_filters),
            request.limit,
            request.offset,
            list(request.order_by),
        )
        return pb.QueryTracesResponse(data=[convert.trace(t) for t in traces], has_more=more)

    async def GetTrace(self, request, context):
        return pb.GetTraceResponse(
            trace=convert.trace(await self._logic.get_trace(request.trace_id))
        )

    async def GetSpan(self, request, context):
        found = await self._logic.get_span(request.trace_id, request.span_id)
        return pb.GetSpanResponse(span=convert.span(found))

    async def GetSpanTree(self, request, context):
        spans = await self._logic.span_tree(
            request.span_id,
            list(request.attributes_to_return),
            request.max_depth if request.HasField("max_depth") else None,
        )
        return pb.GetSpanTreeResponse(data={s.span_id: convert.span(s) for s in spans})

    async def QuerySpans(self, request, context):
        spans = await self._logic.query_spans(
            convert.conditions(request.attribute_filters),
            list(request.attributes_to_return),
            request.max_depth if request.HasField("max_depth") else None,
            request.limit,
        )
        return pb.QuerySpansResponse(data=[convert.span(s, events=False) for s in spans])

    async def SaveSpansToDataset(self, request, context):
        remaining = context.time_remaining()
        saved = await self._logic.save_spans(
            convert.conditions(request.attribute_filters),
            list(request.attributes_to_save),
            request.dataset_id,
            request.max_depth if request.HasField("max_depth") else None,
            request.limit,
            remaining if remaining is not None else self._timeout,
        )
        return pb.SaveSpansToDatasetResponse(rows_saved=saved)

    async def QueryMetrics(self, request, context):
        series = await self._logic.query_metrics(
            request.metric_name,
            convert.time_ns(request.start_time),
            convert.time_ns(request.end_time) if request.HasField("end_time") else None,
            request.granularity,
            request.query_type == convert.tpb.METRIC_QUERY_TYPE_INSTANT,
            convert.matchers(request.label_matchers),
        )
        return convert.series(request.metric_name, series)
