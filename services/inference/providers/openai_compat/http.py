"""The OpenAI HTTP API over aiohttp: JSON posts, SSE streams, and upstream failures turned into
errors that name the provider and the URL: unreachable, refused or cut off → UNAVAILABLE; no
answer within `timeout_s` (between two reads of a stream) → DEADLINE_EXCEEDED; a chunk that is
not JSON, or a stream without `[DONE]` → UNAVAILABLE saying so (never a caller's
INVALID_ARGUMENT or a bare INTERNAL).

aiohttp, not httpx: on this path the HTTP client is most of the adapter's cost, and aiohttp
(C parser, one write per request) spends about a quarter of httpx's CPU per call (measured
in bench/RESULTS.md "Hot path"). Request bodies are compact UTF-8 JSON
(`separators=(",", ":")`, `ensure_ascii=False`), byte for byte what the official OpenAI SDK
sends for the same JSON.
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from services.common import telemetry
from services.common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    LlamaStackError,
    NotFound,
    UpstreamUnavailable,
)

__all__ = ["OpenAIHttp", "dumps"]

#: Longest Server-Sent Events line read (a chunk with many logprobs can be long).
MAX_LINE_BYTES = 2 << 20
_JSON_HEADERS = {"Content-Type": "application/json"}


def dumps(body: dict[str, Any]) -> bytes:
    """A request body as the OpenAI SDK writes it."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


class OpenAIHttp:
    """One connection pool per provider; create it on the event loop that uses it."""

    def __init__(
        self,
        provider_id: str,
        url: str,
        token: str | None,
        tls_verify: bool | str,
        timeout_s: float,
        connect_timeout_s: float,
        trace_configs: list[aiohttp.TraceConfig] | None = None,
    ) -> None:
        """`trace_configs`: the session's request hooks (default: the process's telemetry)."""
        self.provider_id, self.url = provider_id, url
        self.connect_timeout_s, self.timeout_s = connect_timeout_s, timeout_s
        #: time.monotonic() of the server's last successful answer (0: none yet).
        self.answered_at = 0.0
        self._base = url + "/"
        self._session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {token}"} if token else None,
            # No total: a long stream is fine while bytes keep coming (sock_read between reads).
            timeout=aiohttp.ClientTimeout(
                total=None, connect=connect_timeout_s, sock_read=timeout_s
            ),
            connector=aiohttp.TCPConnector(limit=0, ssl=_ssl(tls_verify)),
            read_bufsize=MAX_LINE_BYTES // 2,  # a line may fill twice the buffer
            skip_auto_headers=("User-Agent",),
            trace_configs=(
                telemetry.http_trace_configs() if trace_configs is None else trace_configs
            ),
        )

    async def close(self) -> None:
        await self._session.close()

    async def models(self, timeout: float) -> dict[str, dict[str, Any]]:
        """`GET /models` as {id: entry}."""
        async with (
            self._errors("list models", timeout),
            self._session.get(self._base + "models", timeout=_timeout(timeout)) as resp,
        ):
            data = await _json(resp, "list models", self)
        return {m["id"]: m for m in data.get("data", []) if m.get("id")}

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with (
            self._errors(path),
            self._session.post(self._base + path, data=dumps(body), headers=_JSON_HEADERS) as resp,
        ):
            return await _json(resp, path, self)

    async def stream(self, path: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The JSON chunks of a Server-Sent Events answer, which must end with `[DONE]` (a
        body that ends without it was cut off: an error, never a short answer)."""
        async with (
            self._errors(path),
            self._session.post(self._base + path, data=dumps(body), headers=_JSON_HEADERS) as resp,
        ):
            if resp.status >= 400:
                await _json(resp, path, self)  # raises
            self.answered_at = time.monotonic()
            done = False
            async for raw in resp.content:
                if not raw.startswith(b"data:"):
                    continue
                data = raw[5:].strip()
                if data == b"[DONE]":
                    done = True
                    break
                yield self._chunk(data)
            if not done:
                raise UpstreamUnavailable(
                    f"provider {self.provider_id}: {self.url} ended the stream of {path} "
                    "without `data: [DONE]` (the answer was cut off)",
                    providerId=self.provider_id,
                    url=self.url,
                )

    def _chunk(self, data: bytes) -> dict[str, Any]:
        """One `data:` line's JSON object; anything else is the upstream's failure."""
        meta = {"providerId": self.provider_id, "url": self.url}
        try:
            chunk = json.loads(data)
        except ValueError:
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: {self.url} sent a malformed chunk mid-stream "
                f"(not JSON: {data[:100]!r})",
                **meta,
            ) from None
        if not isinstance(chunk, dict):
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: {self.url} sent a chunk that is not a JSON "
                f"object mid-stream: {data[:100]!r}",
                **meta,
            )
        if chunk.get("error"):
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: {self.url} failed mid-stream: "
                f"{_message(chunk['error'])}",
                **meta,
            )
        return chunk

    @asynccontextmanager
    async def _errors(self, what: str, timeout_s: float | None = None) -> AsyncIterator[None]:
        """Transport errors → UNAVAILABLE (or DEADLINE_EXCEEDED) naming the provider and URL;
        `timeout_s`: the call's own deadline, when it is not the provider's `timeout_s`."""
        meta = {"providerId": self.provider_id, "url": self.url}
        try:
            yield
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: cannot reach {self.url} "
                f"({exc or type(exc).__name__})",
                **meta,
            ) from exc
        except TimeoutError as exc:  # aiohttp's read timeouts are TimeoutErrors too
            raise DeadlineExceeded(
                f"provider {self.provider_id}: {self.url} sent nothing for "
                f"{timeout_s or self.timeout_s:g}s during {what} ({type(exc).__name__}; "
                + ("the call's deadline)" if timeout_s else "the provider's timeout_s)"),
                **meta,
            ) from exc
        except json.JSONDecodeError as exc:
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: {self.url} answered {what} with invalid JSON "
                f"({exc})",
                **meta,
            ) from exc
        except (aiohttp.ClientError, ValueError) as exc:  # ValueError: a line over the limit
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: the connection to {self.url} failed during "
                f"{what} ({exc or type(exc).__name__})",
                **meta,
            ) from exc

    def status_error(self, status: int, body: Any, what: str) -> LlamaStackError:
        text = (
            f"provider {self.provider_id}: {self.url} answered {status} to {what}: {_message(body)}"
        )
        meta = {"providerId": self.provider_id, "url": self.url, "status": str(status)}
        if status in (400, 422):
            return InvalidArgument(text, **meta)
        if status == 404:
            return NotFound(text, **meta)
        if status in (401, 403):
            return FailedPrecondition(text + " (check api_token)", **meta)
        return UpstreamUnavailable(text, **meta)


def _ssl(verify: bool | str) -> ssl.SSLContext | bool:
    """aiohttp's `ssl`: True (default checks), False (no checks), or a context with a CA file."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return bool(verify)


def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds, connect=seconds)


async def _json(resp: aiohttp.ClientResponse, what: str, http: OpenAIHttp) -> Any:
    """The answer's JSON; an HTTP error status becomes the matching error."""
    raw = await resp.read()
    if resp.status >= 400:
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw[:500].decode(errors="replace")
        raise http.status_error(resp.status, body, what)
    http.answered_at = time.monotonic()
    return json.loads(raw)


def _message(error: Any) -> str:
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            return str(inner.get("message") or inner.get("detail") or inner)[:500]
        return str(error.get("detail") or inner)[:500]
    return str(error)[:500]
