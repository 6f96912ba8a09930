"""The tool runtime domain, free of protobuf."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "InsertProgress",
    "InsertResult",
    "RagDocument",
    "RagQueryConfig",
    "RagQueryResult",
    "ToolGroupInfo",
    "ToolResult",
    "ToolSpec",
]


@dataclass(frozen=True)
class ToolSpec:
    """A tool of a group: its name and JSON schema (kept as the tool declares it)."""

    name: str
    description: str = ""
    input_schema: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolGroupInfo:
    """A registered tool group as its provider sees it."""

    group_id: str  # the provider's own id
    mcp_endpoint: str = ""
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class ToolResult:
    """What a tool answered: content items (proto3 JSON), or an error the tool reported."""

    content: list[dict[str, Any]] = field(default_factory=list)
    error_message: str = ""
    error_code: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class RagDocument:
    document_id: str
    #: Inline text (already joined from the content items), or "" when `url` is set.
    text: str = ""
    url: str = ""
    mime_type: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Inline content had an image (cannot be chunked into text).
    has_image: bool = False


@dataclass(frozen=True)
class RagQueryConfig:
    max_chunks: int = 5
    max_tokens_in_context: int = 4096
    chunk_template: str = "Result {index}\nContent: {chunk.content}\nMetadata: {metadata}\n"
    mode: str = "vector"  # vector | keyword | hybrid
    #: {"rrf": {"impact_factor": ...}} or {"weighted": {"alpha": ...}} (proto3 JSON), or {}.
    ranker: dict[str, Any] = field(default_factory=dict)
    #: "" (join the text with `separator`) or a model id (an LLM writes the query).
    query_model: str = ""
    query_template: str = ""
    separator: str = " "


@dataclass
class RagQueryResult:
    content: list[dict[str, Any]]
    metadata: dict[str, Any]


@dataclass
class InsertProgress:
    documents_total: int
    documents_read: int = 0
    chunks_total: int = 0
    chunks_stored: int = 0


@dataclass
class InsertResult:
    chunk_count: int
    document_count: int
    chunk_size_in_tokens: int
    chunk_overlap_in_tokens: int
