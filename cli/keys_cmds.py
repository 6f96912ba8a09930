"""`llamastack keys create|list|get|revoke|hash`: the gateway's API keys (ApiKeyService).

Managing keys needs an admin key in `LLS_API_KEY` once auth is on; the first one is the
bootstrap key whose hash the run config holds (`llamastack keys hash` makes a pair).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from google.protobuf import duration_pb2

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    all_items,
    bad_input,
    connect,
    out,
    print_json,
    print_table,
    to_dict,
)
from llamastack.admin.v1 import api_key_service_pb2 as pb
from llamastack.admin.v1 import api_key_service_pb2_grpc as pb_grpc

__all__ = ["keys_app", "parse_ttl"]

keys_app = typer.Typer(
    help="API keys of the gateway (server.auth); needs an admin key in LLS_API_KEY.",
    no_args_is_help=True,
)

_TTL = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_ttl(text: str) -> int:
    """`90s`, `15m`, `12h`, `30d` -> seconds."""
    m = _TTL.match(text.strip())
    if not m or int(m.group(1)) <= 0:
        bad_input(f"--ttl {text!r}: use a positive number with s, m, h or d (e.g. 30d)")
    return int(m.group(1)) * _UNITS[m.group(2)]


def _attributes(
    roles: list[str], teams: list[str], projects: list[str], attrs: list[str]
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"roles": roles, "teams": teams, "projects": projects}
    for item in attrs:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            bad_input(f"--attr {item!r}: use name=value (e.g. namespaces=prod)")
        out.setdefault(name, []).append(value)
    return {k: v for k, v in out.items() if v}


def _when(ts) -> str:
    if not ts.seconds and not ts.nanos:
        return "never"
    return datetime.fromtimestamp(ts.seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


RoleOpt = Annotated[list[str], typer.Option("--role", help="A role (repeatable).")]
TeamOpt = Annotated[list[str], typer.Option("--team", help="A team (repeatable).")]
ProjectOpt = Annotated[list[str], typer.Option("--project", help="A project (repeatable).")]
AttrOpt = Annotated[
    list[str], typer.Option("--attr", help="Another attribute, name=value (repeatable).")
]
TtlOpt = Annotated[str, typer.Option("--ttl", help="Lifetime, e.g. 30d, 12h (default: none).")]
RpmOpt = Annotated[int, typer.Option("--rpm", min=0, help="Requests per minute with this key.")]
TpdOpt = Annotated[
    int, typer.Option("--tokens-per-day", min=0, help="Tokens per day with this key.")
]


@keys_app.command("create")
def keys_create(
    principal: Annotated[str, typer.Argument(help="Who calls with the key.", show_default=False)],
    role: RoleOpt = [],  # noqa: B006
    team: TeamOpt = [],  # noqa: B006
    project: ProjectOpt = [],  # noqa: B006
    attr: AttrOpt = [],  # noqa: B006
    ttl: TtlOpt = "",
    rpm: RpmOpt = 0,
    tokens_per_day: TpdOpt = 0,
    description: Annotated[str, typer.Option("--description", help="A note.")] = "",
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Create a key; its secret is printed once."""
    request = pb.CreateApiKeyRequest(principal=principal, description=description)
    for name, values in _attributes(role, team, project, attr).items():
        request.attributes[name].values.extend(values)
    if ttl:
        request.ttl.CopyFrom(duration_pb2.Duration(seconds=parse_ttl(ttl)))
    if rpm:
        request.limits.requests_per_minute = rpm
    if tokens_per_day:
        request.limits.tokens_per_day = tokens_per_day
    with connect(gateway) as channel:
        resp = pb_grpc.ApiKeyServiceStub(channel).CreateApiKey(request, timeout=timeout)
    if as_json:
        print_json(resp)
        return
    out.print(f"created key [bold]{resp.api_key.key_id}[/] for {principal}")
    out.print("the key (shown once; send it as `Authorization: Bearer <key>`):", style="dim")
    sys.stdout.write(resp.secret + "\n")


@keys_app.command("list")
def keys_list(
    principal: Annotated[str, typer.Option("--principal", help="Only this principal's.")] = "",
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """List keys (never their secrets)."""
    with connect(gateway) as channel:
        stub = pb_grpc.ApiKeyServiceStub(channel)
        req = pb.ListApiKeysRequest(page_size=1000, principal=principal)
        items = list(all_items(stub.ListApiKeys, req, timeout))
    if as_json:
        print_json([to_dict(k) for k in items])
        return
    rows = [
        [
            k.key_id,
            k.principal,
            " ".join(f"{n}={','.join(v.values)}" for n, v in sorted(k.attributes.items())),
            _when(k.expire_time),
            k.description,
        ]
        for k in items
    ]
    print_table(["KEY ID", "PRINCIPAL", "ATTRIBUTES", "EXPIRES", "DESCRIPTION"], rows, "no keys")


@keys_app.command("get")
def keys_get(
    key_id: Annotated[str, typer.Argument(help="The key id.", show_default=False)],
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Show one key (JSON)."""
    with connect(gateway) as channel:
        resp = pb_grpc.ApiKeyServiceStub(channel).GetApiKey(
            pb.GetApiKeyRequest(key_id=key_id), timeout=timeout
        )
    print_json(resp.api_key)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id.", show_default=False)],
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 10.0,
) -> None:
    """Revoke a key (every gateway refuses it within a second)."""
    with connect(gateway) as channel:
        pb_grpc.ApiKeyServiceStub(channel).RevokeApiKey(
            pb.RevokeApiKeyRequest(key_id=key_id), timeout=timeout
        )
    out.print(f"revoked key {key_id}")


@keys_app.command("hash")
def keys_hash(
    key: Annotated[
        str, typer.Option("--key", help="Hash this key instead of making one ('-': stdin).")
    ] = "",
) -> None:
    """Make a bootstrap admin key and print it with its SHA-256 (offline).

    Put the hash in the run config (`server.auth.api_keys.bootstrap_admin_sha256`, e.g. via
    LLS_ADMIN_KEY_SHA256) and keep the key secret: it is how the first admin calls the stack.
    """
    if key == "-":
        key = sys.stdin.readline().strip()
    made = not key
    key = key or f"lls_bootstrap_{secrets.token_urlsafe(32)}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    if made:
        out.print("key (keep it secret):", style="dim")
        sys.stdout.write(key + "\n")
    out.print("sha256 (for the run config):", style="dim")
    sys.stdout.write(digest + "\n")
