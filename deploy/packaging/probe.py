"""Health checks for containers (compose health checks, `helm test`), as kubelet does them.

    python -m deploy.packaging.probe grpc 127.0.0.1:50061 --service readiness
    python -m deploy.packaging.probe http http://127.0.0.1:9902/ready

Exit 0 when SERVING / HTTP 200, else 1 with the reason on stderr.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request

from deploy.packaging.model import READINESS

__all__ = ["check_grpc", "check_http", "main"]


def check_grpc(address: str, service: str = READINESS, timeout: float = 3.0) -> str | None:
    """None when `address` reports `service` SERVING, else why not (as kubelet judges it:
    an unknown service name fails)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            resp = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        except grpc.RpcError as exc:
            return f"{address} health {service!r}: {exc.code().name} {exc.details() or ''}".strip()
    if resp.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)
        return f"{address} health {service!r}: {status}"
    return None


def check_http(url: str, timeout: float = 3.0) -> str | None:
    """None when `url` answers 200, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            if resp.status == 200:
                return None
            return f"{url}: HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"{url}: HTTP {exc.code}"
    except OSError as exc:
        return f"{url}: {exc}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.packaging.probe")
    sub = parser.add_subparsers(dest="kind", required=True)
    g = sub.add_parser("grpc", help="gRPC health check")
    g.add_argument("address")
    g.add_argument("--service", default=READINESS)
    g.add_argument("--timeout", type=float, default=3.0)
    h = sub.add_parser("http", help="HTTP GET expecting 200")
    h.add_argument("url")
    h.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    if args.kind == "grpc":
        problem = check_grpc(args.address, args.service, args.timeout)
    else:
        problem = check_http(args.url, args.timeout)
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
