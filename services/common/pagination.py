"""Opaque page tokens and cursor pagination (AIP-158): default 50 items, at most 1000.

A token holds the sort key of the last item returned plus a fingerprint of the query, so
pages stay stable when items are added or removed, and a token cannot be replayed against
a different query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from services.common.errors import InvalidArgument

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "decode", "encode", "page_size", "paginate"]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
T = TypeVar("T")


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument(f"page_size must be >= 0 (got {requested})", field="page_size")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode(after: str, fingerprint: str = "") -> str:
    raw = json.dumps({"a": after, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, fingerprint: str = "") -> str:
    """The key after which the page starts ('' for the first page)."""
    if not token:
        return ""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after, fp = data["a"], data["f"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidArgument(
            "page_token is not valid; pass the next_page_token of a previous response",
            field="page_token",
        ) from None
    if fp != fingerprint:
        raise InvalidArgument(
            "page_token belongs to a different query; keep the other parameters unchanged "
            "between pages",
            field="page_token",
        )
    return str(after)


def paginate(
    items: Sequence[T],
    key: Callable[[T], str],
    requested_size: int,
    token: str,
    fingerprint: str = "",
) -> tuple[list[T], str]:
    """One page of `items` (sorted here by `key`) and the next page's token ('' at the end)."""
    size = page_size(requested_size)
    after = decode(token, fingerprint)
    ordered = sorted(items, key=key)
    start = [x for x in ordered if not after or key(x) > after]
    page = start[:size]
    more = len(start) > size
    return page, encode(key(page[-1]), fingerprint) if more and page else ""
