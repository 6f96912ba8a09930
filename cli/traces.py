"""`llamastack traces list|show`: traces stored by the telemetry service (through the gateway).

llamastack traces list                      newest first: id, root span, duration, spans
llamastack traces list --filter route=/v1/chat --limit 50 --offset 50
llamastack traces show <trace id>           the span tree with durations
"""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer
from google.protobuf import json_format, struct_pb2
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    bad_input,
    connect,
    out,
    print_json,
    print_table,
    to_dict,
)
from llamastack.telemetry.v1 import telemetry_pb2 as tpb
from llamastack.telemetry.v1 import telemetry_service_pb2 as pb
from llamastack.telemetry.v1 import telemetry_service_pb2_grpc as pb_grpc

__all__ = ["format_duration", "span_tree", "traces_app"]

traces_app = typer.Typer(help="Traces recorded by the telemetry service.", no_args_is_help=True)

#: Attributes `show` prints after a span's name (when the span has them).
_HIGHLIGHTS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.response.finish_reasons",
    "http.status_code",
    "http.url",
)


def format_duration(start: int, end: int) -> str:
    """Nanoseconds between two instants, as `850 µs`, `12.3 ms` or `1.25 s` (`open` if the
    span has not ended)."""
    if not end:
        return "open"
    ns = max(0, end - start)
    if ns < 1_000_000:
        return f"{ns / 1000:.0f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.1f} ms"
    return f"{ns / 1e9:.2f} s"


def _ns(ts) -> int:
    return ts.seconds * 10**9 + ts.nanos


def _when(ts) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts.seconds))


def _status(value: int) -> str:
    return {tpb.SPAN_STATUS_OK: "OK", tpb.SPAN_STATUS_ERROR: "ERROR"}.get(value, "-")


def _value(value: object) -> str:
    """32.0 -> 32 (JSON numbers are floats), lists comma-joined."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_value(v) for v in value)
    return str(value)


def _short(name: str) -> str:
    """`llamastack.inference.v1.InferenceService/ChatCompletion` ->
    `InferenceService/ChatCompletion`."""
    service, sep, method = name.partition("/")
    return f"{service.rsplit('.', 1)[-1]}/{method}" if sep and "." in service else name


def _filter(text: str) -> tpb.QueryCondition:
    for symbol, op in (
        ("!=", tpb.QUERY_CONDITION_OP_NE),
        (">", tpb.QUERY_CONDITION_OP_GT),
        ("<", tpb.QUERY_CONDITION_OP_LT),
        ("=", tpb.QUERY_CONDITION_OP_EQ),
    ):
        key, sep, value = text.partition(symbol)
        if sep and key:
            v = struct_pb2.Value()
            try:
                v.number_value = float(value)
            except ValueError:
                v.string_value = value
            return tpb.QueryCondition(key=key.strip(), op=op, value=v)
    bad_input(f"--filter {text!r}: write KEY=VALUE, KEY!=VALUE, KEY>NUMBER or KEY<NUMBER")


@traces_app.command("list")
def traces_list(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Traces to show.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    filters: Annotated[
        list[str] | None,
        typer.Option("--filter", help="Root span attribute: KEY=VALUE, KEY!=V, KEY>N, KEY<N."),
    ] = None,
    oldest_first: Annotated[bool, typer.Option(help="Oldest first.")] = False,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """List traces, newest first."""
    request = pb.QueryTracesRequest(
        attribute_filters=[_filter(f) for f in filters or []],
        limit=limit,
        offset=offset,
        order_by=["start_time" if oldest_first else "-start_time"],
    )
    with connect(gateway) as channel:
        resp = pb_grpc.TelemetryServiceStub(channel).QueryTraces(request, timeout=timeout)
    if as_json:
        print_json(resp)
        return
    rows = [
        [
            t.trace_id,
            _when(t.start_time),
            format_duration(_ns(t.start_time), _ns(t.end_time) if t.HasField("end_time") else 0),
            str(t.span_count),
            _status(t.status),
            f"{t.root_service_name}: {t.root_span_name}"
            if t.root_service_name
            else t.root_span_name,
        ]
        for t in resp.data
    ]
    print_table(["TRACE ID", "STARTED", "DURATION", "SPANS", "STATUS", "ROOT"], rows, "no traces")
    if resp.has_more:
        out.print(f"[dim]more: --offset {offset + len(resp.data)}[/]")


def span_tree(trace: tpb.Trace, spans: list[tpb.Span]) -> Tree:
    """The spans of a trace as a rich Tree, children in start order, with durations."""
    children: dict[str, list[tpb.Span]] = {}
    ids = {s.span_id for s in spans}
    roots = []
    for s in sorted(spans, key=lambda s: _ns(s.start_time)):
        if s.parent_span_id in ids:
            children.setdefault(s.parent_span_id, []).append(s)
        else:
            roots.append(s)
    duration = format_duration(
        _ns(trace.start_time), _ns(trace.end_time) if trace.HasField("end_time") else 0
    )
    tree = Tree(
        f"[bold]trace {trace.trace_id}[/]  {duration}  {trace.span_count} spans  "
        f"{_status(trace.status)}"
    )

    def label(s: tpb.Span) -> str:
        kind = tpb.SpanKind.Name(s.kind).removeprefix("SPAN_KIND_").lower()
        end = _ns(s.end_time) if s.HasField("end_time") else 0
        text = (
            f"[cyan]{escape(s.service_name or '?')}[/] {escape(_short(s.name))} [dim]({kind})[/]  "
            f"[bold]{format_duration(_ns(s.start_time), end)}[/]"
        )
        attrs = json_format.MessageToDict(s.attributes)
        extra = [f"{k.rsplit('.', 1)[-1]}={_value(attrs[k])}" for k in _HIGHLIGHTS if k in attrs]
        if extra:
            text += f"  [dim]{escape(' '.join(map(str, extra)))}[/]"
        if s.status == tpb.SPAN_STATUS_ERROR:
            text += f"  [red]ERROR {escape(s.status_message)}[/]"
        return text

    def add(node: Tree, span: tpb.Span) -> None:
        branch = node.add(label(span))
        for child in children.get(span.span_id, []):
            add(branch, child)

    for root in roots:
        add(tree, root)
    return tree


@traces_app.command("show")
def traces_show(
    trace_id: Annotated[str, typer.Argument(help="The trace id.", show_default=False)],
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """Show a trace as a tree of spans with their durations."""
    with connect(gateway) as channel:
        stub = pb_grpc.TelemetryServiceStub(channel)
        trace = stub.GetTrace(pb.GetTraceRequest(trace_id=trace_id), timeout=timeout).trace
        tree = stub.GetSpanTree(pb.GetSpanTreeRequest(span_id=trace.root_span_id), timeout=timeout)
    spans = list(tree.data.values())
    if as_json:
        print_json({"trace": to_dict(trace), "spans": [to_dict(s) for s in spans]})
        return
    # Never cut the tree: on a pipe it is as wide as it needs.
    console = out if sys.stdout.isatty() else Console(highlight=False, width=1 << 12)
    console.print(span_tree(trace, spans))
    missing = trace.span_count - len(spans)
    if missing > 0:
        out.print(f"[dim]{missing} more span(s) of this trace are not below its root[/]")
