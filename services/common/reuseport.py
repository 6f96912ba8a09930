"""Several processes serving one port (SO_REUSEPORT), opted into explicitly.

Every server turns SO_REUSEPORT off (`channels.SERVER_OPTIONS`): with it on, grpcio binds a
port another process already serves and both get half the connections, silently. A process
that runs workers (the gateway) instead reserves the port once, for the whole group, then
its workers bind it with SO_REUSEPORT:

- `reserve(host, port)` first binds the address without SO_REUSEPORT, so a port any other
  process listens on (with or without SO_REUSEPORT) is refused as "in use"; port 0 gets a
  port the kernel hands to nobody else. It then holds the port with a bound, non-listening
  SO_REUSEPORT socket (it takes no connections) until the group stops, so no other process
  can take it meanwhile;
- workers serve with `SHARED_SERVER_OPTIONS`; the kernel spreads new connections over the
  listening workers.
"""

from __future__ import annotations

import contextlib
import socket

from services.common.channels import SERVER_OPTIONS

__all__ = ["SHARED_SERVER_OPTIONS", "PortInUse", "reserve"]

#: Server options of a worker that shares its port with the others of its group.
SHARED_SERVER_OPTIONS: list[tuple[str, int | str]] = [
    ("grpc.so_reuseport", 1),
    *(o for o in SERVER_OPTIONS if o[0] != "grpc.so_reuseport"),
]


class PortInUse(OSError):
    pass


def _family(host: str) -> tuple[socket.AddressFamily, str]:
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        return (socket.AF_INET6 if host == "::" else socket.AF_INET), host or "0.0.0.0"
    info = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    return info[0][0], info[0][4][0]


def reserve(host: str, port: int) -> socket.socket:
    """A bound SO_REUSEPORT socket holding `host:port` for a group of workers (its port is
    `getsockname()[1]`); close it when the group stops. PortInUse when another process
    serves the port."""
    family, address = _family(host)
    if port:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((address, port))
            except OSError as exc:
                raise PortInUse(f"cannot listen on {host}:{port}: port in use ({exc})") from exc
    held = socket.socket(family, socket.SOCK_STREAM)
    try:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind((address, port))
    except OSError as exc:
        with contextlib.suppress(OSError):
            held.close()
        raise PortInUse(f"cannot listen on {host}:{port}: {exc}") from exc
    return held
