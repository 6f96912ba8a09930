"""Reading a RAG document into text: inline text, `data:` URIs, files under the configured
directory, http(s) when allowed (size-limited), PDF through pypdf, HTML stripped to text."""

from __future__ import annotations

import base64
import io
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import httpx

from services.common.errors import InvalidArgument, UpstreamUnavailable
from services.tool_runtime.providers.rag.config import RagRuntimeConfig
from services.tool_runtime.types import RagDocument

__all__ = ["read_document"]


async def read_document(doc: RagDocument, config: RagRuntimeConfig, where: str) -> str:
    if doc.has_image:
        raise InvalidArgument(
            f"{where}.content has an image; the RAG tool stores text (give text or a URL of a "
            "text, HTML or PDF document)",
            field=f"{where}.content",
        )
    if not doc.url:
        return doc.text
    data, mime = await _fetch(doc.url, config, where)
    if len(data) > config.max_document_bytes:
        raise InvalidArgument(
            f"{where} is {len(data)} bytes; documents are at most {config.max_document_bytes}",
            field=f"{where}.url",
        )
    return _to_text(data, doc.mime_type or mime, where)


async def _fetch(url: str, config: RagRuntimeConfig, where: str) -> tuple[bytes, str]:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme == "data":
        return _data_uri(url, where)
    if scheme == "file":
        return _file(url, config, where), ""
    if scheme in ("http", "https"):
        return await _http(url, config, where)
    raise InvalidArgument(
        f"{where}.url: scheme {scheme or '(none)'!r} is not supported; use data:, file:// "
        "(under the provider's files_dir) or http(s) (when the provider allows fetching)",
        field=f"{where}.url",
    )


def _data_uri(url: str, where: str) -> tuple[bytes, str]:
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise InvalidArgument(f"{where}.url is a data: URI without a comma", field=f"{where}.url")
    parts = header.split(";")
    mime = parts[0] or "text/plain"
    try:
        if "base64" in parts[1:]:
            return base64.b64decode(payload, validate=True), mime
        return urllib.parse.unquote_to_bytes(payload), mime
    except ValueError as exc:
        raise InvalidArgument(f"{where}.url: bad base64 ({exc})", field=f"{where}.url") from None


def _file(url: str, config: RagRuntimeConfig, where: str) -> bytes:
    if not config.files_dir:
        raise InvalidArgument(
            f"{where}.url: file:// documents are off (the provider has no files_dir); send "
            "the content inline or as a data: URI",
            field=f"{where}.url",
        )
    root = Path(config.files_dir).expanduser().resolve()
    path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
    # An absolute path inside files_dir, or a path relative to it (`file:///notes.md`).
    target = path.resolve()
    if not target.is_relative_to(root):
        target = (root / str(path).lstrip("/")).resolve()
    if not target.is_relative_to(root):
        raise InvalidArgument(
            f"{where}.url: {path} is outside the provider's files_dir", field=f"{where}.url"
        )
    if not target.is_file():
        raise InvalidArgument(f"{where}.url: no file {target}", field=f"{where}.url")
    return target.read_bytes()


async def _http(url: str, config: RagRuntimeConfig, where: str) -> tuple[bytes, str]:
    fetch = config.http_fetch
    host = urllib.parse.urlsplit(url).hostname or ""
    if not fetch.enabled:
        raise InvalidArgument(
            f"{where}.url: fetching http(s) URLs is off for this provider (enable "
            "http_fetch in its config); send the content inline or as a data: URI",
            field=f"{where}.url",
        )
    if fetch.allowed_hosts and host not in fetch.allowed_hosts:
        raise InvalidArgument(
            f"{where}.url: host {host!r} is not in the provider's http_fetch.allowed_hosts",
            field=f"{where}.url",
        )
    try:
        async with (
            httpx.AsyncClient(timeout=fetch.timeout_seconds, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise InvalidArgument(
                    f"{where}.url: GET {url} answered HTTP {response.status_code}",
                    field=f"{where}.url",
                )
            body = bytearray()
            async for part in response.aiter_bytes():
                body += part
                if len(body) > fetch.max_bytes:
                    raise InvalidArgument(
                        f"{where}.url: {url} is larger than http_fetch.max_bytes "
                        f"({fetch.max_bytes})",
                        field=f"{where}.url",
                    )
            mime = response.headers.get("content-type", "").split(";")[0].strip()
            return bytes(body), mime
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"{where}.url: cannot fetch {url}: {exc}") from None


def _to_text(data: bytes, mime: str, where: str) -> str:
    if mime == "application/pdf" or data.startswith(b"%PDF"):
        return _pdf(data, where)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgument(
            f"{where} is not UTF-8 text (mime type {mime or 'unknown'}); the RAG tool reads "
            "text, HTML, Markdown and PDF",
            field=f"{where}.mime_type",
        ) from None
    if mime == "text/html" or (
        not mime and text.lstrip()[:15].lower().startswith("<!doctype html")
    ):
        return _html(text)
    return text


def _pdf(data: bytes, where: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError) as exc:
        raise InvalidArgument(f"{where} is not a readable PDF: {exc}", field=where) from None


class _Text(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def _html(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    return "".join(parser.parts)
