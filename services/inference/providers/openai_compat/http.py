"""The OpenAI HTTP API over httpx: JSON posts, SSE streams, and upstream failures turned into
errors that name the provider and the URL: unreachable, refused or cut off → UNAVAILABLE; no
answer within `timeout_s` (between two bytes of a stream) → DEADLINE_EXCEEDED; a chunk that is
not JSON → UNAVAILABLE saying so (never a caller's INVALID_ARGUMENT or a bare INTERNAL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.common.errors import (
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    LlamaStackError,
    NotFound,
    UpstreamUnavailable,
)

__all__ = ["OpenAIHttp"]


class OpenAIHttp:
    def __init__(
        self,
        provider_id: str,
        url: str,
        token: str | None,
        tls_verify: bool | str,
        timeout_s: float,
        connect_timeout_s: float,
    ) -> None:
        self.provider_id, self.url = provider_id, url
        self.connect_timeout_s, self.timeout_s = connect_timeout_s, timeout_s
        self._client = httpx.AsyncClient(
            base_url=url + "/",
            headers={"Authorization": f"Bearer {token}"} if token else {},
            verify=tls_verify,
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def models(self, timeout: float) -> dict[str, dict[str, Any]]:
        """`GET /models` as {id: entry}."""
        async with self._errors("list models"):
            resp = await self._client.get("models", timeout=timeout)
            _raise_for_status(resp)
        return {m["id"]: m for m in resp.json().get("data", []) if m.get("id")}

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._errors(path):
            resp = await self._client.post(path, json=body)
            _raise_for_status(resp)
        return resp.json()

    async def stream(self, path: str, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The JSON chunks of a Server-Sent Events answer, which must end with `[DONE]` (a
        body that ends without it was cut off: an error, never a short answer)."""
        async with self._errors(path), self._client.stream("POST", path, json=body) as resp:
            if resp.status_code >= 400:
                await resp.aread()
                _raise_for_status(resp)
            done = False
            async for line in resp.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    done = True
                    break
                try:
                    chunk = json.loads(data)
                except ValueError:
                    raise UpstreamUnavailable(
                        f"provider {self.provider_id}: {self.url} sent a malformed chunk "
                        f"mid-stream (not JSON: {data[:100]!r})",
                        providerId=self.provider_id,
                        url=self.url,
                    ) from None
                if not isinstance(chunk, dict):
                    raise UpstreamUnavailable(
                        f"provider {self.provider_id}: {self.url} sent a chunk that is not a "
                        f"JSON object mid-stream: {data[:100]!r}",
                        providerId=self.provider_id,
                        url=self.url,
                    )
                if chunk.get("error"):
                    raise UpstreamUnavailable(
                        f"provider {self.provider_id}: {self.url} failed mid-stream: "
                        f"{_message(chunk['error'])}"
                    )
                yield chunk
            if not done:
                raise UpstreamUnavailable(
                    f"provider {self.provider_id}: {self.url} ended the stream of {path} "
                    "without `data: [DONE]` (the answer was cut off)",
                    providerId=self.provider_id,
                    url=self.url,
                )

    @asynccontextmanager
    async def _errors(self, what: str) -> AsyncIterator[None]:
        """httpx and HTTP errors → UNAVAILABLE naming the provider and URL, or the caller's."""
        meta = {"providerId": self.provider_id, "url": self.url}
        try:
            yield
        except _HttpStatus as exc:
            raise self._status_error(exc.response, what) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: cannot reach {self.url} "
                f"({exc or type(exc).__name__})",
                **meta,
            ) from exc
        except httpx.TimeoutException as exc:
            raise DeadlineExceeded(
                f"provider {self.provider_id}: {self.url} sent nothing for {self.timeout_s:g}s "
                f"during {what} ({type(exc).__name__}; the provider's timeout_s)",
                **meta,
            ) from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(
                f"provider {self.provider_id}: the connection to {self.url} failed during "
                f"{what} ({exc or type(exc).__name__})",
                **meta,
            ) from exc

    def _status_error(self, resp: httpx.Response, what: str) -> LlamaStackError:
        text = (
            f"provider {self.provider_id}: {self.url} answered {resp.status_code} "
            f"to {what}: {_message(_json_or_text(resp))}"
        )
        meta = {"providerId": self.provider_id, "url": self.url, "status": str(resp.status_code)}
        if resp.status_code in (400, 422):
            return InvalidArgument(text, **meta)
        if resp.status_code == 404:
            return NotFound(text, **meta)
        if resp.status_code in (401, 403):
            return FailedPrecondition(text + " (check api_token)", **meta)
        return UpstreamUnavailable(text, **meta)


class _HttpStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response


def _raise_for_status(resp: httpx.Response) -> None:
    if resp.status_code >= 400:
        raise _HttpStatus(resp)


def _json_or_text(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]


def _message(error: Any) -> str:
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            return str(inner.get("message") or inner.get("detail") or inner)[:500]
        return str(error.get("detail") or inner)[:500]
    return str(error)[:500]
