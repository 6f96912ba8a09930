"""`python -m bench.bare_proxy UPSTREAM`: the cheapest possible Python gRPC hop, as a yardstick.

A grpc.aio server (uvloop, like the gateway) that forwards ChatCompletion and
StreamChatCompletion bytes to one upstream address with the provider metadata the paced
service needs: no registry, no routing, no metadata handling, no error mapping. What the
gateway costs above this is what its own logic costs; what this costs is the floor of a
Python gRPC proxy on the machine. Writes its port to LLS_PORT_FILE.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import grpc
import uvloop

SERVICE = "llamastack.inference.v1.InferenceService"
METADATA = (("x-llamastack-provider-id", "paced"),)


async def main(upstream: str) -> None:
    channel = grpc.aio.insecure_channel(upstream)
    unary = channel.unary_unary(f"/{SERVICE}/ChatCompletion")
    stream = channel.unary_stream(f"/{SERVICE}/StreamChatCompletion")

    async def chat(data: bytes, context) -> bytes:
        return await unary(data, metadata=METADATA)

    async def chat_stream(data: bytes, context):
        async for chunk in stream(data, metadata=METADATA):
            yield chunk

    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers([
        grpc.method_handlers_generic_handler(SERVICE, {
            "ChatCompletion": grpc.unary_unary_rpc_method_handler(chat),
            "StreamChatCompletion": grpc.unary_stream_rpc_method_handler(chat_stream),
        })
    ])  # fmt: skip
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    Path(os.environ["LLS_PORT_FILE"]).write_text(str(port))  # noqa: ASYNC240 (once, at start)
    await server.wait_for_termination()


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1]))
