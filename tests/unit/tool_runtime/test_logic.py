"""Tool runtime logic without processes: argument checks, parameters from schemas, chunking,
context formatting, query configs, document decoding."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys

import pytest

from services.common.errors import InvalidArgument
from services.common.model_files import resolve_path
from services.tool_runtime.providers.rag.chunking import Chunker
from services.tool_runtime.providers.rag.config import RagRuntimeConfig
from services.tool_runtime.providers.rag.context import build_context, check_template
from services.tool_runtime.providers.rag.documents import read_document
from services.tool_runtime.providers.rag.mesh import Found
from services.tool_runtime.providers.rag.provider import query_config
from services.tool_runtime.schema import check_arguments, parameters_of
from services.tool_runtime.types import RagDocument

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "description": "Where"},
        "days": {"type": "integer", "default": 3},
        "units": {"type": ["string", "null"], "enum": ["metric", "imperial", None]},
    },
    "required": ["city"],
}


def test_arguments_are_checked_naming_the_field():
    check_arguments(SCHEMA, {"city": "Paris", "days": 2}, "weather")
    with pytest.raises(InvalidArgument) as err:
        check_arguments(SCHEMA, {"days": 2}, "weather")
    assert err.value.message.startswith("kwargs.city") and "city: string" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        check_arguments(SCHEMA, {"city": "Paris", "units": "kelvin"}, "weather")
    assert err.value.message.startswith("kwargs.units")


def test_parameters_from_a_schema():
    params = {p["name"]: p for p in parameters_of(SCHEMA)}
    assert params["city"] == {"name": "city", "parameter_type": "string", "description": "Where",
                              "required": True}  # fmt: skip
    assert params["days"]["default"] == 3 and not params["days"]["required"]
    assert params["units"]["parameter_type"] == "string"


@pytest.fixture(scope="module")
def chunker():
    return Chunker(resolve_path(RagRuntimeConfig().tokenizer))


def test_chunks_overlap_and_keep_the_original_text(chunker):
    text = "  ".join(f"Word{i} is Here." for i in range(60))
    pieces = chunker.split(text, 20, 5)
    assert all(p.end - p.start <= 20 for p in pieces)
    assert all(b.start == a.start + 15 for a, b in itertools.pairwise(pieces))
    assert all(p.text in text for p in pieces)  # spans of the document, never re-decoded
    assert pieces[-1].text.endswith("Word59 is Here.")
    assert chunker.split("", 20, 5) == []


def test_context_layout_budget_and_templates(chunker):
    found = [Found("db", 0.9, "c1", "Alpha text.", {"document_id": "a"}),
             Found("db", 0.5, "c2", "Beta text.", {"document_id": "b"})]  # fmt: skip
    items, meta = build_context(
        "q?", found, "{index}: {chunk.content} {{x}}\n", 1000, chunker.count
    )
    assert items[1] == "1: Alpha text. {x}\n" and items[0].startswith(
        "knowledge_search tool found 2"
    )
    assert meta["document_ids"] == ["a", "b"] and meta["scores"] == [0.9, 0.5]
    items, meta = build_context("q?", found, "{index}: {chunk.content}\n", 5, chunker.count)
    assert meta["chunk_ids"] == ["c1"]
    items, meta = build_context("q?", [], "{index}: {chunk.content}\n", 5, chunker.count)
    assert "no relevant chunks" in items[0] and meta["chunks"] == []
    with pytest.raises(InvalidArgument, match=r"chunk\.__class__"):
        check_template("{index} {chunk.content} {chunk.__class__}")
    with pytest.raises(InvalidArgument, match="must contain"):
        check_template("{metadata}")


def test_query_config_defaults_and_checks():
    c = query_config({})
    assert (c.max_chunks, c.max_tokens_in_context, c.mode) == (5, 4096, "vector")
    c = query_config({"mode": "SEARCH_MODE_HYBRID", "ranker": {"rrf": {"impact_factor": 10}},
                      "query_generator_config": {"default": {"separator": "|"}}})  # fmt: skip
    assert c.mode == "hybrid" and c.ranker == {"rrf": {"impact_factor": 10}} and c.separator == "|"
    with pytest.raises(InvalidArgument, match="max_chunks"):
        query_config({"max_chunks": 5000})


def test_documents_decode():
    config = RagRuntimeConfig()
    read = lambda uri, mime="": asyncio.run(  # noqa: E731
        read_document(RagDocument("d", url=uri, mime_type=mime), config, "documents[0]")
    )
    assert read("data:,plain%20text") == "plain text"
    assert read("data:text/plain;base64,aGVsbG8=") == "hello"
    assert read("data:text/html,<p>a</p><script>x</script><p>b</p>").split() == ["a", "b"]
    with pytest.raises(InvalidArgument, match="bad base64"):
        read("data:text/plain;base64,!!!")
    with pytest.raises(InvalidArgument, match="files_dir"):
        read("file:///etc/hostname")


def test_importing_the_services_loads_no_provider_library():
    code = (
        "import sys, services.vector_io.__main__, services.tool_runtime.__main__\n"
        "heavy = [m for m in ('qdrant_edge', 'qdrant_client', 'sqlite_vec', 'pysqlite3', 'mcp',"
        " 'jsonschema', 'pypdf', 'tokenizers', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
