"""The image's ENTRYPOINT: `<component> [args...]` starts one process of the distribution.

    gateway | <API service name>   exec `python -m <module>`, exactly what `llamastack run` starts
                                   for that name in the run.yaml ($LLS_RUN_CONFIG)
    envoy                          exec Envoy on $LLS_ENVOY_CONFIG when that file exists (the
                                   chart's ConfigMap), else on a config rendered now from the
                                   run.yaml's `server:` section and $LLS_GATEWAY_ADDR (compose)
    envoy-config                   print that rendered config
    probe ...                      deploy.packaging.probe (health checks)
    smoke ...                      deploy.packaging.smoke (`helm test`)

With no argument the component is $LLS_COMPONENT (the Dockerfile's COMPONENT build argument).
The process replaces this one (exec), so it is PID 1 and receives SIGTERM itself.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from deploy.packaging.model import RUN_CONFIG_PATH, load_topology

__all__ = ["command_for", "main"]

HELPERS = ("envoy-config", "probe", "smoke")


def _run_config() -> Path:
    return Path(os.environ.get("LLS_RUN_CONFIG") or RUN_CONFIG_PATH)


def command_for(component: str, run_config: Path) -> tuple[list[str], dict[str, str]]:
    """argv and the variables to add for a gRPC component of the run.yaml."""
    topo = load_topology(run_config)
    try:
        comp = topo.component(component)
    except KeyError as exc:
        raise SystemExit(
            f"llamastack image: {exc.args[0]}; the image also runs {', '.join(HELPERS)}"
        ) from None
    if comp.module is None:
        raise SystemExit(f"llamastack image: {component} is not a Python component")
    return [sys.executable, "-m", comp.module], {"LLS_SERVICE_NAME": comp.name}


def _envoy_config_path() -> Path:
    mounted = os.environ.get("LLS_ENVOY_CONFIG")
    if mounted and Path(mounted).is_file():
        return Path(mounted)
    out = Path(tempfile.mkdtemp(prefix="envoy-")) / "envoy.yaml"
    out.write_text(_render_envoy())
    return out


def _render_envoy() -> str:
    from deploy.packaging.envoy import render_container_config
    from services.common.config import load_run_config
    from services.common.telemetry.config import envoy_tracing

    run = load_run_config(_run_config())
    gateway = os.environ.get("LLS_GATEWAY_ADDR", "localhost:50051")
    return render_container_config(run.server, gateway, tracing=envoy_tracing(run, os.environ))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    component = args.pop(0) if args else os.environ.get("LLS_COMPONENT", "")
    if component in ("", "-h", "--help"):
        print(__doc__)
        sys.exit(0 if component else 2)
    if component == "probe":
        from deploy.packaging import probe

        probe.main(args)
        return
    if component == "smoke":
        from deploy.packaging import smoke

        smoke.main(args)
        return
    if component == "envoy-config":
        sys.stdout.write(_render_envoy())
        return
    if component == "envoy":
        from deploy.envoy.config import envoy_command

        log_level = os.environ.get("LLS_ENVOY_LOG_LEVEL", "warn")
        argv_ = envoy_command(_envoy_config_path(), log_level=log_level) + args
        os.execv(argv_[0], argv_)
    argv_, extra = command_for(component, _run_config())
    env = {**extra, **os.environ}
    sys.stdout.flush()
    os.execve(argv_[0], argv_ + args, env)


if __name__ == "__main__":
    main()
