"""Turning retrieved chunks into the context a model reads (the reference's layout)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from services.common.errors import InvalidArgument
from services.tool_runtime.providers.rag.mesh import Found

__all__ = ["build_context", "check_template"]

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_FIELDS = frozenset(
    {"index", "chunk.content", "metadata", "chunk.metadata", "chunk.chunk_id",
     "chunk.document_id", "score"}
)  # fmt: skip
HEADER = "knowledge_search tool found {n} chunks:\nBEGIN of knowledge_search tool results.\n"
FOOTER = "END of knowledge_search tool results.\n"
REMINDER = (
    'The above results were retrieved to help answer the user\'s query: "{query}". Use them as '
    "supporting information only in answering this query.\n"
)
NOTHING = 'knowledge_search tool found no relevant chunks for the query: "{query}".\n'


def check_template(template: str) -> None:
    """INVALID_ARGUMENT unless the template has {index} and {chunk.content} and only known
    placeholders (`{{`/`}}` are literal braces)."""
    names = {m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) is not None}
    unknown = sorted(names - _FIELDS)
    if unknown:
        raise InvalidArgument(
            f"query_config.chunk_template uses unknown placeholders {unknown}; known: "
            f"{sorted(_FIELDS)}",
            field="query_config.chunk_template",
        )
    missing = [n for n in ("index", "chunk.content") if n not in names]
    if missing:
        raise InvalidArgument(
            "query_config.chunk_template must contain {index} and {chunk.content}",
            field="query_config.chunk_template",
        )


def _render(template: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values[m.group(1)]

    return _PLACEHOLDER.sub(sub, template)


def build_context(
    query: str,
    found: list[Found],
    template: str,
    max_tokens: int,
    count_tokens: Callable[[str], int],
) -> tuple[list[str], dict[str, Any]]:
    """(text items, metadata {document_ids, chunks, scores, vector_db_ids}); chunks are added
    best first until the next one would pass `max_tokens`."""
    items: list[str] = []
    kept: list[Found] = []
    used = 0
    for i, f in enumerate(found, start=1):
        meta = json.dumps(f.metadata, ensure_ascii=False, sort_keys=True)
        text = _render(
            template,
            {
                "index": str(i), "chunk.content": f.text, "metadata": meta,
                "chunk.metadata": meta, "chunk.chunk_id": f.chunk_id,
                "chunk.document_id": str(f.metadata.get("document_id", "")),
                "score": f"{f.score:.4f}",
            },
        )  # fmt: skip
        tokens = count_tokens(text)
        if kept and used + tokens > max_tokens:
            break
        used += tokens
        items.append(text)
        kept.append(f)
    if not kept:
        return [NOTHING.format(query=query)], _metadata([])
    content = [HEADER.format(n=len(kept)), *items, FOOTER, REMINDER.format(query=query)]
    return content, _metadata(kept)


def _metadata(kept: list[Found]) -> dict[str, Any]:
    return {
        "document_ids": [str(f.metadata.get("document_id", "")) for f in kept],
        "chunks": [f.text for f in kept],
        "scores": [f.score for f in kept],
        "vector_db_ids": [f.vector_db_id for f in kept],
        "chunk_ids": [f.chunk_id for f in kept],
    }
