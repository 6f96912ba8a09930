"""gRPC channels to other mesh processes: one per peer, fast reconnect, big messages."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

__all__ = ["CHANNEL_OPTIONS", "SERVER_OPTIONS", "insecure_channel"]

MAX_MESSAGE_BYTES = 64 * 1024 * 1024

#: A restarted peer is reachable again within about a second, however long it was down.
CHANNEL_OPTIONS: list[tuple[str, int | str]] = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.enable_retries", 0),
]

#: grpcio shares a busy port silently unless SO_REUSEPORT is off (DESIGN.md §4).
SERVER_OPTIONS: list[tuple[str, int | str]] = [
    ("grpc.so_reuseport", 0),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.http2.max_ping_strikes", 0),
]


def insecure_channel(
    address: str, interceptors: Sequence[grpc.aio.ClientInterceptor] = ()
) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(
        address, options=CHANNEL_OPTIONS, interceptors=list(interceptors)
    )
