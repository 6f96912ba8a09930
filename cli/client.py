"""What every client command shares: the gateway channel, errors, and output.

Errors: a failed call prints `error: <STATUS_CODE>: <message>` (plus the ErrorInfo reason
when the server sent one, and a hint for UNAVAILABLE) on stderr and exits with status 1;
bad command-line input exits with status 2.
"""

from __future__ import annotations

import json
import os
import sys
from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import grpc
import typer
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = [
    "DEFAULT_GATEWAY",
    "GatewayOpt",
    "JsonOpt",
    "TimeoutOpt",
    "all_items",
    "bad_input",
    "connect",
    "describe_rpc_error",
    "err",
    "out",
    "print_json",
    "print_table",
    "to_dict",
]

DEFAULT_GATEWAY = "localhost:50051"

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

GatewayOpt = Annotated[
    str,
    typer.Option(
        "--gateway",
        "-g",
        envvar="LLS_GATEWAY_ADDR",
        help="Gateway address (host:port).",
        show_default=True,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (proto3 JSON mapping).")]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", min=0.1, help="Deadline of each call, in seconds.")
]


def to_dict(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def all_items(call: Any, request: Message, timeout: float) -> Iterator[Any]:
    """Every item of a paginated List RPC (`page_token` / `next_page_token`), page by page."""
    while True:
        resp = call(request, timeout=timeout)
        yield from resp.data
        if not resp.next_page_token:
            return
        request.page_token = resp.next_page_token


def print_json(value: Message | dict | list) -> None:
    data = to_dict(value) if isinstance(value, Message) else value
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


#: Table cells longer than this are shortened in the middle (`--json` prints full values).
CELL_MAX = 64


def shorten(value: str, limit: int = CELL_MAX) -> str:
    """`value`, or its start and end around an ellipsis when longer than `limit`."""
    if len(value) <= limit:
        return value
    head = (limit - 1) // 2
    return f"{value[:head]}…{value[len(value) - (limit - 1 - head) :]}"


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> None:
    if not rows:
        out.print(f"[dim]{empty}[/]")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*(escape(shorten(cell)) for cell in row))
    # Cells are bounded, so the table is never cut: on a pipe it is as wide as it needs.
    console = out if sys.stdout.isatty() else Console(highlight=False, width=1 << 12)
    console.print(table)


def bad_input(message: str) -> NoReturn:
    err.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(2)


def describe_rpc_error(error: grpc.RpcError, address: str) -> str:
    """`STATUS_CODE: message [reason]`, plus a hint when the gateway is unreachable."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else "") or ""
    text = f"{code.name}: {details}" if details else code.name
    reason = _error_reason(error)
    if reason:
        text += f" [{reason}]"
    if code is grpc.StatusCode.UNAVAILABLE:
        text += (
            f"\n  (cannot reach the gateway at {address}: is the stack running? "
            "Start it with `llamastack run local`, or pass --gateway / set LLS_GATEWAY_ADDR)"
        )
    elif code is grpc.StatusCode.DEADLINE_EXCEEDED:
        text += "\n  (no answer in time; raise --timeout)"
    elif code is grpc.StatusCode.UNAUTHENTICATED:
        text += "\n  (set LLS_API_KEY to an API key of this stack: `llamastack keys create`)"
    return text


def _error_reason(error: grpc.RpcError) -> str:
    try:
        status = rpc_status.from_call(error)  # type: ignore[arg-type]
    except Exception:
        return ""
    if status is None:
        return ""
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


@contextmanager
def connect(address: str) -> Iterator[grpc.Channel]:
    """A channel to the gateway; any gRPC error inside becomes a message and exit 1.
    With `LLS_API_KEY` set, every call carries it (`Authorization: Bearer ...`)."""
    address = address.strip() or DEFAULT_GATEWAY
    channel = grpc.insecure_channel(
        address,
        options=[
            ("grpc.max_receive_message_length", 64 << 20),
            ("grpc.max_send_message_length", 64 << 20),
        ],
    )
    api_key = os.environ.get("LLS_API_KEY", "").strip()
    if api_key:
        channel = grpc.intercept_channel(channel, _Bearer(api_key))
    try:
        yield channel
    except grpc.RpcError as error:
        err.print(f"[red]error:[/] {escape(describe_rpc_error(error, address))}")
        raise typer.Exit(1) from None
    finally:
        channel.close()


class _Bearer(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds `authorization: Bearer <key>` to every call."""

    def __init__(self, key: str) -> None:
        self._md = ("authorization", f"Bearer {key}")

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        return _CallDetails(
            details.method,
            details.timeout,
            [*(details.metadata or ()), self._md],
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)


class _CallDetails(
    namedtuple(
        "_CallDetails",
        ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression"),
    ),
    grpc.ClientCallDetails,
):
    pass
