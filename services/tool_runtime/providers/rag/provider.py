"""`inline::rag-runtime` (the `builtin::rag` tool group): insert documents into a vector DB
(read, chunk by tokens with overlap, store through the gateway in batches, then drop the
document's stale chunks) and retrieve context from vector DBs; the `knowledge_search` tool."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from services.common.errors import InvalidArgument
from services.common.gateway_client import GatewayClient
from services.common.model_files import resolve_path
from services.common.settings import Settings
from services.tool_runtime.provider import Call, ToolGroupEntry, ToolRuntimeProvider
from services.tool_runtime.providers.rag.chunking import Chunker
from services.tool_runtime.providers.rag.config import RagRuntimeConfig
from services.tool_runtime.providers.rag.context import build_context, check_template
from services.tool_runtime.providers.rag.documents import read_document
from services.tool_runtime.providers.rag.mesh import Mesh
from services.tool_runtime.types import (
    InsertProgress,
    InsertResult,
    RagDocument,
    RagQueryConfig,
    RagQueryResult,
    ToolGroupInfo,
    ToolResult,
    ToolSpec,
)

__all__ = ["KNOWLEDGE_SEARCH", "RagRuntimeProvider", "query_config"]

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 512
MAX_CHUNK_SIZE = 8192
#: Tokens the embedding model adds around a text ([CLS] ... [SEP]).
SPECIAL_TOKENS = 2
MAX_VECTOR_DBS = 16

KNOWLEDGE_SEARCH = ToolSpec(
    name="knowledge_search",
    description=(
        "Search the knowledge base (the group's vector databases) for information relevant "
        "to a query."
    ),
    input_schema={
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "What to search for."},
            "vector_db_ids": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Vector databases to search (default: the tool group's).",
            },
            "query_config": {
                "type": "object",
                "description": "RAGQueryConfig (default: the tool group's).",
            },
        },
        "required": ["query"],
    },
)


def query_config(data: Mapping[str, Any]) -> RagQueryConfig:
    """A RAGQueryConfig from its proto3 JSON (snake_case) form, defaults filled, checked."""
    gen = data.get("query_generator_config") or {}
    llm = gen.get("llm") or {}
    mode = str(data.get("mode") or "SEARCH_MODE_VECTOR").removeprefix("SEARCH_MODE_").lower()
    if mode in ("unspecified", ""):
        mode = "vector"
    if mode not in ("vector", "keyword", "hybrid"):
        raise InvalidArgument(
            f"query_config.mode {data.get('mode')!r} is not vector, keyword or hybrid",
            field="query_config.mode",
        )
    config = RagQueryConfig(
        max_chunks=int(data.get("max_chunks") or 5),
        max_tokens_in_context=int(data.get("max_tokens_in_context") or 4096),
        chunk_template=data.get("chunk_template") or RagQueryConfig.chunk_template,
        mode=mode,
        ranker=dict(data.get("ranker") or {}),
        query_model=llm.get("model", ""),
        query_template=llm.get("template", ""),
        separator=(gen.get("default") or {}).get("separator") or " ",
    )
    if not 1 <= config.max_chunks <= 1000:
        raise InvalidArgument(
            "query_config.max_chunks must be between 1 and 1000", field="query_config.max_chunks"
        )
    if config.max_tokens_in_context < 1:
        raise InvalidArgument(
            "query_config.max_tokens_in_context must be positive",
            field="query_config.max_tokens_in_context",
        )
    check_template(config.chunk_template)
    return config


class RagRuntimeProvider(ToolRuntimeProvider):
    provider_type: ClassVar[str] = "inline::rag-runtime"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = RagRuntimeConfig.model_validate(dict(config))
        self.mesh = Mesh(GatewayClient(Settings().gateway_addr))
        self.chunker: Chunker | None = None

    async def initialize(self) -> None:
        path = resolve_path(self.config.tokenizer)
        self.chunker = await asyncio.to_thread(Chunker, path)

    # -- the tool group -------------------------------------------------------------------

    async def group_tools(self, info: ToolGroupInfo) -> list[ToolSpec]:
        if info.mcp_endpoint:
            raise InvalidArgument(
                f"{self.label} runs the built-in RAG tool; an mcp_endpoint belongs to a "
                "remote::model-context-protocol tool group",
                field="mcp_endpoint",
            )
        ids = info.args.get("vector_db_ids")
        if ids is not None and not _strings(ids):
            raise InvalidArgument("args.vector_db_ids must be a list of strings", field="args")
        if "query_config" in info.args:
            query_config(info.args["query_config"] or {})
        return [KNOWLEDGE_SEARCH]

    def arguments(
        self, group: ToolGroupEntry, tool: ToolSpec, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        defaults = {
            k: v for k, v in group.info.args.items() if k in ("vector_db_ids", "query_config")
        }
        return {**defaults, **kwargs}

    async def invoke(
        self, group: ToolGroupEntry, tool: ToolSpec, arguments: dict[str, Any], call: Call
    ) -> ToolResult:
        ids = arguments.get("vector_db_ids") or []
        if not ids:
            raise InvalidArgument(
                "kwargs.vector_db_ids is required: pass the vector databases to search, or "
                f"register the {group.info.group_id} tool group with args.vector_db_ids",
                field="kwargs.vector_db_ids",
            )
        config = arguments.get("query_config") or {}
        result = await self.query(arguments["query"], list(ids), config, call)
        return ToolResult(content=result.content, metadata=result.metadata)

    # -- insert ---------------------------------------------------------------------------

    async def insert(
        self,
        documents: list[RagDocument],
        vector_db_id: str,
        chunk_size: int,
        overlap: int | None,
        call: Call,
    ) -> AsyncIterator[InsertProgress | InsertResult]:
        assert self.chunker is not None
        started = time.monotonic()
        if len(documents) > self.config.max_documents:
            raise InvalidArgument(
                f"{len(documents)} documents; at most {self.config.max_documents} per insert",
                field="documents",
            )
        size, overlap = await self._sizes(vector_db_id, chunk_size, overlap, call)
        progress = InsertProgress(documents_total=len(documents))
        yield progress
        pending: list[tuple[str, dict[str, Any]]] = []  # (document id, chunk)
        seen: set[str] = set()
        for i, doc in enumerate(documents):
            where = f"documents[{i}]"
            if not doc.document_id:
                raise InvalidArgument(
                    f"{where}.document_id is required", field=f"{where}.document_id"
                )
            if doc.document_id in seen:
                raise InvalidArgument(
                    f"{where}.document_id {doc.document_id!r} appears twice", field="documents"
                )
            seen.add(doc.document_id)
            text = await read_document(doc, self.config, where)
            pieces = await asyncio.to_thread(self.chunker.split, text, size, overlap)
            for p in pieces:
                pending.append((doc.document_id, self._chunk(doc, p, len(pieces))))
            progress.documents_read = i + 1
            yield progress
        progress.chunks_total = len(pending)
        yield progress
        kept: dict[str, list[str]] = {d.document_id: [] for d in documents}
        batch = self.config.insert_batch_size
        for start in range(0, len(pending), batch):
            part = pending[start : start + batch]
            ids = await self.mesh.insert(vector_db_id, [c for _, c in part], call.timeout)
            for (doc_id, _), chunk_id in zip(part, ids, strict=True):
                kept[doc_id].append(chunk_id)
            progress.chunks_stored += len(part)
            log.info(
                "rag insert into %s: %d/%d chunks stored",
                vector_db_id, progress.chunks_stored, progress.chunks_total,
            )  # fmt: skip
            yield progress
        for doc_id, ids in kept.items():  # a re-inserted document replaces its old chunks
            await self.mesh.drop_stale(vector_db_id, doc_id, ids, call.timeout)
        elapsed = time.monotonic() - started
        log.info(
            "rag insert into %s: %d documents, %d chunks in %.1fs (%.0f chunks/s)",
            vector_db_id, len(documents), len(pending), elapsed, len(pending) / max(elapsed, 1e-9),
        )  # fmt: skip
        yield InsertResult(len(pending), len(documents), size, overlap)

    async def _sizes(
        self, vector_db_id: str, chunk_size: int, overlap: int | None, call: Call
    ) -> tuple[int, int]:
        size = chunk_size or DEFAULT_CHUNK_SIZE
        if not 1 <= size <= MAX_CHUNK_SIZE:
            raise InvalidArgument(
                f"chunk_size_in_tokens must be between 1 and {MAX_CHUNK_SIZE}",
                field="chunk_size_in_tokens",
            )
        window = await self.mesh.embedding_window(vector_db_id, call.timeout)
        if window is not None and size > window - SPECIAL_TOKENS:
            size = max(1, window - SPECIAL_TOKENS)
        if overlap is not None and overlap < 0:
            raise InvalidArgument(
                "chunk_overlap_in_tokens must not be negative", field="chunk_overlap_in_tokens"
            )
        if overlap is None or overlap >= size:
            overlap = size // 4
        return size, overlap

    def _chunk(self, doc: RagDocument, piece: Any, of: int) -> dict[str, Any]:
        assert self.chunker is not None
        return {
            "text": piece.text,
            "metadata": {**doc.metadata, "document_id": doc.document_id},
            "chunk_metadata": {
                "document_id": doc.document_id,
                "source": doc.url[:1024] if doc.url and not doc.url.startswith("data:") else "",
                "chunk_window": f"{piece.start}-{piece.end}",
                "chunk_tokenizer": self.chunker.name,
                "content_token_count": piece.end - piece.start,
            },
        }

    # -- query ----------------------------------------------------------------------------

    async def query(
        self, text: str, vector_db_ids: list[str], config_json: Mapping[str, Any], call: Call
    ) -> RagQueryResult:
        assert self.chunker is not None
        config = query_config(config_json)
        if not vector_db_ids or len(vector_db_ids) > MAX_VECTOR_DBS:
            raise InvalidArgument(
                f"give between 1 and {MAX_VECTOR_DBS} vector_db_ids", field="vector_db_ids"
            )
        if not text.strip():
            raise InvalidArgument("the query content has no text", field="content")
        query = text
        if config.query_model:
            template = config.query_template or (
                "Write a short search query for this request. Answer with the query only.\n\n"
                "{content}"
            )
            query = await self.mesh.write_query(
                config.query_model, template.replace("{content}", text), call.timeout
            )
        results = await asyncio.gather(
            *(
                self.mesh.query(
                    db, query, config.max_chunks, config.mode, config.ranker, call.timeout
                )
                for db in vector_db_ids
            )
        )
        found = sorted((f for r in results for f in r), key=lambda f: -f.score)
        found = found[: config.max_chunks]
        items, metadata = build_context(
            query, found, config.chunk_template, config.max_tokens_in_context, self.chunker.count
        )
        return RagQueryResult([{"text": t} for t in items], metadata)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
