"""`llamastack run <distribution>`: load the run.yaml, start the stack, print where it is.

Refuses to start a second launcher on the same state directory and distribution (a pid file
in `<state dir>/<image_name>/run/`), and checks fixed ports are free before spawning anything,
so a clash is reported as such instead of as a child's stack trace.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import grpc
from rich.console import Console
from rich.markup import escape

from deploy.local.spec import LaunchOptions, Plan, build_plan, port_in_use
from deploy.local.supervisor import Supervisor
from deploy.local.ui import make_view
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc, resources_pb2
from services.common.config import ConfigError, RunConfig, load_run_config
from services.common.settings import DEFAULT_PORTS

__all__ = ["LaunchError", "endpoints_text", "launch", "load_config"]


class LaunchError(Exception):
    """The stack cannot be started; the message says what to change."""


def load_config(options: LaunchOptions) -> RunConfig:
    try:
        return load_run_config(options.run_config, {**os.environ, **options.env})
    except ConfigError as exc:
        raise LaunchError(str(exc)) from exc


def launch(options: LaunchOptions, console: Console | None = None) -> int:
    """Run the stack in the foreground until Ctrl-C/SIGTERM; returns the exit code."""
    console = console or Console(soft_wrap=True, highlight=False)
    config = load_config(options)
    try:
        plan = build_plan(config, options)
    except ImportError as exc:  # deploy.envoy missing or broken
        raise LaunchError(f"cannot set up Envoy ({exc}); run with --no-envoy to skip REST") from exc
    plan.logs_dir.mkdir(parents=True, exist_ok=True)
    plan.run_dir.mkdir(parents=True, exist_ok=True)
    with _single_launcher(plan.run_dir):
        _check_ports(plan)
        console.print(
            f"Starting [bold]{escape(plan.name)}[/] from {escape(str(plan.run_config))}: "
            f"{', '.join(p.name for p in plan.processes)} "
            f"(logs in {escape(str(plan.logs_dir))})",
            highlight=False,
        )
        view = make_view(console)

        def on_ready(sup: Supervisor) -> None:
            model = _registered_llm(plan.spec("gateway").address) or _first_llm(plan.config)
            console.print(endpoints_text(plan, sup.ready_after or 0.0, model), highlight=False)

        return Supervisor(plan, options, view, on_ready=on_ready).run()


def endpoints_text(plan: Plan, seconds: float, model: str | None = None) -> str:
    """The banner printed once everything is SERVING (rich markup)."""
    gateway = plan.spec("gateway")
    gw = f"localhost:{gateway.port}"
    flag = "" if gateway.port == DEFAULT_PORTS["gateway"] else f" --gateway {gw}"
    lines = [
        f"\n[bold green]Llama Stack Mesh '{escape(plan.name)}' is ready[/] in {seconds:.1f}s\n",
        f"  gRPC gateway   [bold]{gw}[/]   (every API; reflection on)",
    ]
    envoy = next((p for p in plan.processes if p.kind == "envoy"), None)
    rest = f"http://localhost:{envoy.port}" if envoy else None
    if rest:
        lines.append(
            f"  REST (Envoy)   [bold]{rest}[/]   (admin http://127.0.0.1:{envoy.admin_port})"
        )
    for spec in plan.processes:
        if spec.kind == "grpc" and spec.name != "gateway":
            lines.append(f"  {spec.name:<14} 127.0.0.1:{spec.port}")
    lines.append(f"  logs           {escape(str(plan.logs_dir))}")
    lines += ["", "Try:", f"  llamastack health{flag}", f"  llamastack models list{flag}"]
    if model:
        lines.append(f'  llamastack chat "Hello!" --model {escape(model)} --stream{flag}')
    if rest:
        lines.append(f"  curl -s {rest}/v1/models")
        if model:
            body = (
                f'{{"model_id": "{model}", "messages": '
                '[{"role": "ROLE_USER", "content": [{"text": "Hello!"}]}]}'
            )
            lines.append(
                f"  curl -s {rest}/v1/inference/chat-completion "
                f"-H 'content-type: application/json' -d '{escape(body)}'"
            )
    lines.append(f"  grpcurl -plaintext {gw} list")
    lines.append("\nPress Ctrl-C to stop.")
    return "\n".join(lines)


def _registered_llm(gateway: str) -> str | None:
    """The first LLM the gateway has registered (its identifier may differ from run.yaml's)."""
    try:
        with grpc.insecure_channel(gateway) as channel:
            stub = model_service_pb2_grpc.ModelServiceStub(channel)
            resp = stub.ListModels(model_service_pb2.ListModelsRequest(page_size=100), timeout=2)
    except grpc.RpcError:
        return None
    return next(
        (m.identifier for m in resp.data if m.model_type == resources_pb2.MODEL_TYPE_LLM), None
    )


def _first_llm(config: RunConfig) -> str | None:
    for model in config.resources("models"):
        if str(model.get("model_type", "llm")).lower() in ("llm", "model_type_llm"):
            return str(model.get("model_id"))
    return None


def _check_ports(plan: Plan) -> None:
    taken = []
    for spec in plan.processes:
        for what, port in ((spec.name, spec.port), (f"{spec.name} admin", spec.admin_port)):
            if port and port_in_use(port):
                taken.append(f"{what} port {port}")
    if taken:
        raise LaunchError(
            f"{', '.join(taken)} already in use (is another stack running?). "
            "Stop it, pick other ports with --env (e.g. --env LLS_GATEWAY_PORT=50151), "
            "or use --ports auto"
        )


@contextlib.contextmanager
def _single_launcher(run_dir: Path) -> Iterator[None]:
    pid_file = run_dir / "launcher.pid"
    try:
        other = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        other = 0
    if other and other != os.getpid() and _alive(other):
        raise LaunchError(
            f"another launcher (pid {other}) is running this distribution with state dir "
            f"{run_dir.parent.parent}; stop it or pass another --state-dir"
        )
    pid_file.write_text(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if pid_file.read_text().strip() == str(os.getpid()):
                pid_file.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
