"""`llamastack run <distribution>`: the local launcher (deploy/local) from the command line."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.client import bad_input, err
from deploy.local.launcher import LaunchError, launch
from deploy.local.spec import LaunchOptions, resolve_distribution

__all__ = ["parse_env", "run"]

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Ports(StrEnum):
    fixed = "fixed"
    auto = "auto"


def parse_env(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` pairs (as Llama Stack's `--env`); the value may be empty or contain `=`."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not _KEY.match(key):
            bad_input(f"--env {pair!r}: expected KEY=VALUE with KEY a variable name")
        env[key] = value
    return env


def run(
    distribution: Annotated[
        str,
        typer.Argument(
            help="A distribution name (deploy/distributions/<name>/run.yaml) or a run.yaml path."
        ),
    ] = "local",
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env",
            "-e",
            help="KEY=VALUE for ${env.KEY} in the run.yaml and every process (repeatable).",
        ),
    ] = None,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            envvar="LLS_STATE_DIR",
            help="Registry, logs and run files go under <state-dir>/<image_name>/ "
            "(default: ~/.llamastack-mesh).",
        ),
    ] = None,
    ports: Annotated[
        Ports,
        typer.Option(
            "--ports", help="fixed: the run.yaml's ports; auto: free ports chosen by the system."
        ),
    ] = Ports.fixed,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", envvar="LLAMA_STACK_PORT", min=0, max=65535, help="REST (Envoy) port."
        ),
    ] = None,
    no_envoy: Annotated[
        bool, typer.Option("--no-envoy", help="Start no Envoy (gRPC only, no REST).")
    ] = False,
    log_level: Annotated[
        str, typer.Option("--log-level", help="Log level of every process.")
    ] = "INFO",
    startup_timeout: Annotated[
        float,
        typer.Option("--startup-timeout", min=1, help="Seconds each process gets to become ready."),
    ] = 300.0,
    max_restarts: Annotated[
        int,
        typer.Option(
            "--max-restarts",
            min=0,
            help="Restarts of a crashed process per 5 minutes before giving up.",
        ),
    ] = 5,
    liveness_timeout: Annotated[
        float,
        typer.Option(
            "--liveness-timeout",
            min=0,
            help="Seconds a ready process may fail its liveness check before it is killed "
            "and restarted (0: never).",
        ),
    ] = 30.0,
) -> None:
    """Start a distribution: API services, gateway and Envoy as supervised processes."""
    try:
        run_config = resolve_distribution(distribution)
    except FileNotFoundError as exc:
        bad_input(str(exc))
    options = LaunchOptions(
        run_config=run_config,
        state_dir=(state_dir or Path.home() / ".llamastack-mesh").expanduser().resolve(),
        env=parse_env(env or []),
        ports=ports.value,
        envoy=not no_envoy,
        rest_port=port,
        log_level=log_level,
        startup_timeout=startup_timeout,
        max_restarts=max_restarts,
        liveness_timeout=liveness_timeout,
    )
    try:
        code = launch(options)
    except KeyboardInterrupt:  # before the supervisor took over the signals: nothing runs yet
        raise typer.Exit(130) from None
    except LaunchError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)
