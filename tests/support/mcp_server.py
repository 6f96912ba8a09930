"""`python -m tests.support.mcp_server PORT_FILE [--token T]`: a real MCP server (the `mcp` SDK's
server side) for the tool runtime's tests, serving streamable HTTP at `/mcp` and SSE at
`/sse` on a free port (written to PORT_FILE).

Tools: `add` (two integers), `greet` (a string with a default), `fail` (reports a tool
error), `crash` (raises an unexpected exception), `hang` (sleeps past any test deadline).
With `--token`, every request must carry `Authorization: Bearer <token>` (else HTTP 401).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse

mcp = MCPServer("mesh-test-tools")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.tool()
def greet(name: str, punctuation: str = "!") -> str:
    """Greet someone by name."""
    return f"Hello, {name}{punctuation}"


@mcp.tool()
def fail(reason: str) -> str:
    """Always fails with the given reason."""
    raise ToolError(f"fail was asked to fail: {reason}")


@mcp.tool()
def crash() -> str:
    """Raises an unexpected exception."""
    raise RuntimeError("boom")


@mcp.tool()
async def hang(seconds: float = 120.0) -> str:
    """Sleeps for a long time."""
    await asyncio.sleep(seconds)
    return "woke up"


def app(token: str | None) -> Starlette:
    http = mcp.streamable_http_app()
    sse = mcp.sse_app()
    inner = Starlette(routes=[*http.routes, *sse.routes], lifespan=http.router.lifespan_context)
    if not token:
        return inner

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization") != f"Bearer {token}".encode():
                await PlainTextResponse("unauthorized", status_code=401)(scope, receive, send)
                return
        await inner(scope, receive, send)

    return guarded  # type: ignore[return-value]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file", type=Path)
    parser.add_argument("--token")
    args = parser.parse_args()
    server = uvicorn.Server(
        uvicorn.Config(app(args.token), host="127.0.0.1", port=0, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    args.port_file.write_text(str(port))
    await serving


if __name__ == "__main__":
    asyncio.run(main())
