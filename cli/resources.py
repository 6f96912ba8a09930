"""`llamastack <kind> list|get|register|unregister` for every kind in `cli.kinds.KINDS`:
one generic implementation, commands generated per kind (typer reads their signatures)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    all_items,
    connect,
    out,
    print_json,
    print_table,
    to_dict,
)
from cli.kinds import KINDS, Kind, build_register

__all__ = ["add_resource_commands"]

PAGE_SIZE = 1000


#: Enum values shown short in tables: MODEL_TYPE_LLM -> llm.
_ENUM_PREFIXES = ("MODEL_TYPE_", "DATASET_PURPOSE_")


def _path(data: dict, dotted: str) -> str:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    text = str(value)
    for prefix in _ENUM_PREFIXES:
        if text.startswith(prefix):
            return text.removeprefix(prefix).lower().replace("_", "-")
    return text


def _list(kind: Kind, gateway: str, timeout: float) -> list[Any]:
    with connect(gateway) as channel:
        rpc = getattr(kind.stub(channel), f"List{kind.rpc}s")
        return list(all_items(rpc, kind.request("List", {"page_size": PAGE_SIZE}), timeout))


def _param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _common() -> list[inspect.Parameter]:
    return [
        _param("gateway", GatewayOpt, DEFAULT_GATEWAY),
        _param("as_json", JsonOpt, False),
        _param("timeout", TimeoutOpt, 30.0),
    ]


def _with_signature(
    fn: Callable[..., None], params: list[inspect.Parameter], doc: str
) -> Callable[..., None]:
    fn.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    fn.__doc__ = doc
    return fn


def _id_argument(kind: Kind, optional: bool = False) -> inspect.Parameter:
    ann = Annotated[
        str | None if optional else str,
        typer.Argument(help=f"The {kind.singular} id.", show_default=False),
    ]
    return inspect.Parameter(
        kind.id_field,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=None if optional else inspect.Parameter.empty,
        annotation=ann,
    )


def add_resource_commands(app: typer.Typer) -> None:
    for kind in KINDS:
        group = typer.Typer(
            help=f"List, get, register and unregister {kind.command}.", no_args_is_help=True
        )
        _add_kind(group, kind)
        app.add_typer(group, name=kind.command)


def _add_kind(group: typer.Typer, kind: Kind) -> None:
    def list_cmd(*, gateway: str, as_json: bool, timeout: float) -> None:
        items = _list(kind, gateway, timeout)
        if as_json:
            print_json([to_dict(i) for i in items])
            return
        rows = []
        for item in items:
            data = to_dict(item)
            rows.append(
                [
                    data.get("identifier", ""),
                    data.get("provider_id", ""),
                    data.get("provider_resource_id", ""),
                ]
                + [_path(data, p) for _, p in kind.columns]
            )
        headers = ["IDENTIFIER", "PROVIDER", "PROVIDER RESOURCE ID", *(h for h, _ in kind.columns)]
        print_table(headers, rows, f"no {kind.command} registered")

    def get_cmd(*, gateway: str, as_json: bool, timeout: float, **values: Any) -> None:
        with connect(gateway) as channel:
            rpc = getattr(kind.stub(channel), f"Get{kind.rpc}")
            resp = rpc(kind.request("Get", {kind.id_field: values[kind.id_field]}), timeout=timeout)
        print_json(getattr(resp, kind.response_field))

    def register_cmd(*, gateway: str, as_json: bool, timeout: float, **values: Any) -> None:
        request = kind.request("Register", build_register(kind, values))
        with connect(gateway) as channel:
            resp = getattr(kind.stub(channel), f"Register{kind.rpc}")(request, timeout=timeout)
        resource = getattr(resp, kind.response_field)
        if as_json:
            print_json(resource)
        else:
            out.print(
                f"registered {kind.singular} [bold]{resource.identifier}[/] "
                f"(provider {resource.provider_id}, provider id {resource.provider_resource_id})"
            )

    def unregister_cmd(*, gateway: str, as_json: bool, timeout: float, **values: Any) -> None:
        ident = values[kind.id_field]
        with connect(gateway) as channel:
            rpc = getattr(kind.stub(channel), f"Unregister{kind.rpc}")
            rpc(kind.request("Unregister", {kind.id_field: ident}), timeout=timeout)
        if as_json:
            print_json({"unregistered": ident})
        else:
            out.print(f"unregistered {kind.singular} [bold]{ident}[/]")

    def wrap(impl: Callable[..., None]) -> Callable[..., None]:
        def command(**kwargs: Any) -> None:
            impl(**kwargs)

        return command

    register_params = [
        _id_argument(kind, kind.id_optional),
        _param(
            "provider_id",
            Annotated[
                str | None,
                typer.Option(
                    "--provider-id", help="The provider (needed when several can serve it)."
                ),
            ],
            None,
        ),
    ]
    if kind.provider_resource_field:
        flag = "--" + kind.provider_resource_field.replace("_", "-")
        register_params.append(
            _param(
                kind.provider_resource_field,
                Annotated[
                    str | None, typer.Option(flag, help="The provider's own id (default: the id).")
                ],
                None,
            )
        )
    for opt in kind.extra:
        value_type = list[str] | None if opt.type == "list" else str | None
        help_text = opt.help + (" (required)" if opt.required else "")
        register_params.append(
            _param(
                opt.field,
                Annotated[value_type, typer.Option(opt.flag, help=help_text, show_default=False)],
                None,
            )
        )

    s = kind.singular
    group.command("list")(
        _with_signature(wrap(list_cmd), _common(), f"List registered {kind.command}.")
    )
    group.command("get")(
        _with_signature(wrap(get_cmd), [_id_argument(kind), *_common()], f"Show one {s} (JSON).")
    )
    group.command("register")(
        _with_signature(wrap(register_cmd), [*register_params, *_common()], f"Register a {s}.")
    )
    group.command("unregister")(
        _with_signature(
            wrap(unregister_cmd), [_id_argument(kind), *_common()], f"Unregister a {s}."
        )
    )
