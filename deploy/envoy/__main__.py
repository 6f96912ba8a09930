"""`python -m deploy.envoy`: render the Envoy config (and optionally run Envoy) outside the local
launcher, e.g. in a container or a Helm init step.

    python -m deploy.envoy --run-config run.yaml --gateway gateway:50051 -o /etc/envoy/envoy.yaml
    python -m deploy.envoy --run-config run.yaml --gateway gateway:50051 --exec

The REST port, listen host, CORS and body limit come from the run config's `server:` section;
flags override them. Tracing follows its `telemetry:` section and the `OTEL_*` variables.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from deploy.envoy import config as envoy_config
from deploy.envoy.tls import listener_tls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.envoy", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--run-config", type=Path, help="run.yaml whose `server:` section to use")
    parser.add_argument(
        "--gateway",
        default=os.environ.get("LLS_GATEWAY_ADDR", "localhost:50051"),
        help="host:port of the gateway (default: $LLS_GATEWAY_ADDR or localhost:50051)",
    )
    parser.add_argument("--port", type=int, help="REST port (default: server.port, 8321)")
    parser.add_argument("--host", help="listen address (default: server.host, 0.0.0.0)")
    parser.add_argument("--admin-port", type=int, default=9901, help="admin port on 127.0.0.1")
    parser.add_argument(
        "--descriptor",
        type=Path,
        default=envoy_config.default_descriptor_path(),
        help="descriptor set built by `make proto`",
    )
    parser.add_argument("-o", "--output", type=Path, help="write the YAML here (default: stdout)")
    parser.add_argument("--exec", action="store_true", help="then replace this process by Envoy")
    parser.add_argument("--log-level", default="warn", help="Envoy's log level (with --exec)")
    args = parser.parse_args(argv)

    from services.common.config import ConfigError, RunConfig, load_run_config
    from services.common.telemetry.config import envoy_tracing

    try:
        run = load_run_config(args.run_config) if args.run_config else RunConfig()
        server = run.server
        text = envoy_config.render_config(
            listen_port=args.port if args.port is not None else server.port,
            admin_port=args.admin_port,
            gateway_address=args.gateway,
            descriptor_path=args.descriptor,
            services=envoy_config.public_services(),
            cors=server.cors,
            max_request_bytes=server.max_request_bytes,
            listen_host=args.host or server.host,
            tracing=envoy_tracing(run, os.environ),
            tls=listener_tls(server),
        )
    except (ConfigError, ValueError, OSError) as exc:
        sys.exit(f"python -m deploy.envoy: {exc}")

    output = args.output
    if output is None and args.exec:
        output = Path(tempfile.mkdtemp(prefix="llamastack-envoy-")) / "envoy.yaml"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text)
    if args.exec:
        argv = envoy_config.envoy_command(output, log_level=args.log_level)
        os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
