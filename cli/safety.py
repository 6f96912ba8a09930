"""`llamastack shields run SHIELD TEXT`: run a shield on a text through the gateway
(SafetyService.RunShield, as agents and the moderation endpoint call it).

Prints `pass`, or the violation's level, its user message and its metadata. Exit status:
0 when the shield lets the text through (no violation, or INFO/WARN), 3 when it blocks it
(an ERROR violation), 1 when the call failed, 2 on bad input. TEXT `-` reads stdin.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from google.protobuf import json_format
from rich.markup import escape

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    bad_input,
    connect,
    out,
    print_json,
    to_dict,
)
from cli.kinds import load_json
from llamastack.safety.v1 import safety_service_pb2, safety_service_pb2_grpc

__all__ = ["BLOCKED_EXIT", "add_shield_commands", "run_shield"]

#: Exit status when the shield blocks the text.
BLOCKED_EXIT = 3
_ROLES = ("user", "assistant", "system", "tool")
_LEVELS = {
    safety_service_pb2.VIOLATION_LEVEL_INFO: ("info", "cyan"),
    safety_service_pb2.VIOLATION_LEVEL_WARN: ("warn", "yellow"),
    safety_service_pb2.VIOLATION_LEVEL_ERROR: ("blocked", "red"),
}


def run_shield(
    shield_id: Annotated[str, typer.Argument(help="The shield id.", show_default=False)],
    text: Annotated[
        str, typer.Argument(help="The text to check ('-': read stdin).", show_default=False)
    ],
    role: Annotated[
        str, typer.Option("--role", "-r", help=f"Who wrote the text: {', '.join(_ROLES)}.")
    ] = "user",
    params: Annotated[
        str | None,
        typer.Option("--params", help="Run params as a JSON object (file, @file or JSON)."),
    ] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Deadline, in seconds.")
    ] = 120.0,
) -> None:
    """Run a shield on a text: prints pass or the violation (exit 3 when blocked)."""
    if role not in _ROLES:
        bad_input(f"--role must be one of {', '.join(_ROLES)}, not {role!r}")
    body = sys.stdin.read() if text == "-" else text
    fields: dict = {
        "shield_id": shield_id,
        "messages": [{"role": f"ROLE_{role.upper()}", "content": [{"text": body}]}],
    }
    if params is not None:
        loaded = load_json(params, "--params")
        if not isinstance(loaded, dict):
            bad_input("--params must be a JSON object")
        fields["params"] = loaded
    request = json_format.ParseDict(fields, safety_service_pb2.RunShieldRequest())
    with connect(gateway) as channel:
        stub = safety_service_pb2_grpc.SafetyServiceStub(channel)
        resp = stub.RunShield(request, timeout=timeout)
    violation = resp.violation if resp.HasField("violation") else None
    if as_json:
        print_json(resp)
    elif violation is None:
        out.print("[green]pass[/]")
    else:
        word, style = _LEVELS.get(violation.violation_level, ("violation", "red"))
        out.print(f"[{style}]{word}[/]  {escape(violation.user_message)}")
        metadata = _plain(to_dict(violation).get("metadata", {}))
        if metadata:
            out.print(json.dumps(metadata, ensure_ascii=False, sort_keys=True), markup=False)
    if violation is not None and violation.violation_level == (
        safety_service_pb2.VIOLATION_LEVEL_ERROR
    ):
        raise typer.Exit(BLOCKED_EXIT)


def _plain(value: Any) -> Any:
    """Struct numbers are doubles: show whole ones as integers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def add_shield_commands(app: typer.Typer) -> None:
    """Adds `run` to the `shields` group the resource commands made."""
    for info in app.registered_groups:
        if info.name == "shields" and info.typer_instance is not None:
            info.typer_instance.command("run")(run_shield)
            return
    raise RuntimeError("the shields command group is missing: add resource commands first")
