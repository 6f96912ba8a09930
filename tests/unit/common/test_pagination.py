from __future__ import annotations

import pytest

from services.common import pagination
from services.common.errors import InvalidArgument


def test_pages_cover_everything_in_order():
    items = [f"k{i:02d}" for i in range(7)]
    seen, token = [], ""
    while True:
        page, token = pagination.paginate(items[::-1], str, 3, token)
        seen += page
        if not token:
            break
    assert seen == items


def test_limits_and_bad_tokens():
    assert pagination.page_size(0) == pagination.DEFAULT_PAGE_SIZE
    assert pagination.page_size(10**6) == pagination.MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument):
        pagination.page_size(-1)
    with pytest.raises(InvalidArgument, match="not valid"):
        pagination.decode("%%%")
    token = pagination.encode("k", fingerprint="group-a")
    assert pagination.decode(token, "group-a") == "k"
    with pytest.raises(InvalidArgument, match="different query"):
        pagination.decode(token, "group-b")
