"""Where a dataset's rows come from: a file under the root (`file://`), a `data:` URI, or rows
given inline. Paths are resolved (symlinks followed) and must stay under the root."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import grpc

from llamastack.common.v1 import errors_pb2
from services.common.errors import InvalidArgument, LlamaStackError
from services.datasetio.providers.localfs.formats import format_of_media_type, format_of_path

__all__ = ["DataUri", "OutsideRoot", "check_size", "decode_data_uri", "resolve_file"]

SCHEMES = "file:// (a path under the provider's root), data: (inline file contents) or rows"


class OutsideRoot(LlamaStackError):
    """A path that leads out of the datasets root (directly, through `..` or a symlink)."""

    code = grpc.StatusCode.PERMISSION_DENIED
    reason = errors_pb2.ERROR_REASON_INVALID_ARGUMENT


@dataclass(frozen=True)
class DataUri:
    data: bytes
    fmt: str


def resolve_file(uri: str, root: Path) -> tuple[Path, str]:
    """The real path of a `file:` URI under `root` (which is already resolved) and its format."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        raise InvalidArgument(f"{uri[:80]!r}: datasets come from {SCHEMES}", field="source.uri")
    if parts.netloc not in ("", "localhost"):
        raise InvalidArgument(
            f"{uri[:80]!r} names host {parts.netloc!r}; use file:///absolute/path or "
            "file:relative/path (relative to the provider's root)",
            field="source.uri",
        )
    raw = unquote(parts.path)
    if not raw:
        raise InvalidArgument(f"{uri[:80]!r} names no file", field="source.uri")
    path = Path(raw) if raw.startswith("/") else root / raw
    real = Path(os.path.realpath(path))
    if real != root and not real.is_relative_to(root):
        raise OutsideRoot(
            f"{uri[:120]!r} resolves to {real}, outside the datasets root {root}; put the "
            "file under the root (symlinks may not lead out of it)",
            field="source.uri",
        )
    if not real.exists():
        raise InvalidArgument(f"{uri[:120]!r}: no such file under {root}", field="source.uri")
    if not real.is_file():
        raise InvalidArgument(f"{uri[:120]!r} is not a regular file", field="source.uri")
    return real, format_of_path(real)


def check_size(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise InvalidArgument(
            f"{what} is {size} bytes; this provider reads datasets of at most {limit} bytes "
            "(config max_file_bytes)"
        )


def decode_data_uri(uri: str, limit: int) -> DataUri:
    """`data:<media type>[;base64],<data>` (RFC 2397)."""
    head, sep, payload = uri.removeprefix("data:").partition(",")
    if not sep:
        raise InvalidArgument("data: URI has no ',' before its data", field="source.uri")
    params = [p.strip() for p in head.split(";")]
    media_type, is_base64 = params[0], "base64" in params[1:]
    check_size(len(payload) * 3 // 4 if is_base64 else len(payload), limit, "the data: URI")
    try:
        data = base64.b64decode(payload, validate=True) if is_base64 else unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise InvalidArgument(f"data: URI is not valid base64: {exc}", field="source.uri") from None
    return DataUri(data, format_of_media_type(media_type))
