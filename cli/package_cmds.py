"""`llamastack package ...`: Helm values, a compose file and Envoy's config for a run.yaml, so
users start their deployment from their own distribution; `sync` keeps the repository's
generated packaging files (chart values, schema, Envoy config, docker-compose.yml) current.

    llamastack package values local                       Helm values (values-local.yaml)
    llamastack package values my/run.yaml -o my-values.yaml
    llamastack package compose my/run.yaml -o docker-compose.yml
    llamastack package envoy-config local --gateway gateway:50051
    llamastack package sync [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.client import bad_input, err, out
from deploy.local.spec import resolve_distribution
from services.common.config import ConfigError

__all__ = ["package_app"]

package_app = typer.Typer(
    help="Helm values, docker compose and Envoy config for a distribution's run.yaml.",
    no_args_is_help=True,
)

DistributionArg = Annotated[
    str,
    typer.Argument(help="A distribution name (deploy/distributions/<name>) or a run.yaml path."),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
]


def _topology(distribution: str):
    from deploy.packaging.model import load_topology

    try:
        return load_topology(resolve_distribution(distribution))
    except FileNotFoundError as exc:
        bad_input(str(exc))
    except ConfigError as exc:
        bad_input(str(exc))


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text)
    except OSError as exc:
        bad_input(f"cannot write {output}: {exc.strerror}")
    err.print(f"wrote {output}")


@package_app.command("values")
def values(distribution: DistributionArg = "local", output: OutputOpt = None) -> None:
    """Print Helm values for the chart (helm/llamastack) from a run.yaml."""
    from deploy.packaging.helm_values import render_helm_values
    from deploy.packaging.sync import chart_envoy_config

    topo = _topology(distribution)
    _emit(render_helm_values(topo, chart_envoy_config=chart_envoy_config()), output)


@package_app.command("compose")
def compose(
    distributions: Annotated[
        list[str] | None,
        typer.Argument(help="Distribution names or run.yaml paths; one profile each."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(help="Profile name (one distribution only; default: its image_name)."),
    ] = None,
    output: OutputOpt = None,
) -> None:
    """Print a docker-compose.yml (built from the repository's Dockerfile) for run.yaml files."""
    from deploy.packaging.compose import render_compose
    from deploy.packaging.sync import COMPOSE_HEADER, COMPOSE_PROFILES, compose_targets

    names = distributions or ["local"]
    if profile and len(names) != 1:
        bad_input("--profile names the profile of a single distribution")
    topologies = [_topology(n) for n in names]
    profiles = dict(COMPOSE_PROFILES)
    if profile:
        profiles[topologies[0].name] = profile
    base = (output.parent if output else Path.cwd()).resolve()
    header = COMPOSE_HEADER if not distributions else _header(topologies, profiles)
    _emit(render_compose(compose_targets(topologies, base, profiles), header=header), output)


def _header(topologies, profiles: dict[str, str]) -> str:
    lines = ["# Llama Stack Mesh under docker compose, by `llamastack package compose`."]
    for topo in topologies:
        name = profiles.get(topo.name, topo.name)
        needs = " ".join(f"{v}=..." for v in topo.required_env)
        lines.append(
            f"#   {needs + ' ' if needs else ''}docker compose --profile {name} up --build"
        )
    return "\n".join(lines) + "\n"


@package_app.command("envoy-config")
def envoy_config(
    distribution: DistributionArg = "local",
    gateway: Annotated[
        str, typer.Option(help="host:port of the gateway, as Envoy will resolve it.")
    ] = "localhost:50051",
    output: OutputOpt = None,
) -> None:
    """Print Envoy's config for containers (REST transcoding plus the :9902 probe listener)."""
    from deploy.packaging.envoy import render_container_config

    topo = _topology(distribution)
    try:
        _emit(render_container_config(topo.server, gateway), output)
    except ValueError as exc:
        bad_input(str(exc))


@package_app.command("sync")
def sync(
    check: Annotated[
        bool, typer.Option("--check", help="Only report files that are out of date (exit 1).")
    ] = False,
) -> None:
    """Regenerate the repository's packaging files from the run.yaml files and protos."""
    from deploy.local.spec import REPO
    from deploy.packaging.sync import stale_files, write_files

    if check:
        stale = stale_files()
        for path in stale:
            err.print(f"out of date: {path.relative_to(REPO)}")
        if stale:
            err.print("run `llamastack package sync` and commit the result")
            raise typer.Exit(1)
        out.print("packaging files are up to date")
        return
    written = write_files()
    for path in written:
        out.print(f"wrote {path.relative_to(REPO)}")
    if not written:
        out.print("packaging files are up to date")
