"""The acceptance path over REST (a real Envoy) and through the `llamastack` CLI, against the
same mesh: vector DBs, the RAG tool in all three modes, MCP tools, errors as HTTP codes."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.integration.vector_tools.mesh import EMBED
from tests.integration.vector_tools.pdf import pdf_with_text

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def rest(vt_envoy):
    with httpx.Client(base_url=vt_envoy.base_url, timeout=120) as client:
        yield client


@pytest.mark.parametrize("provider", ["qdrant", "sqlite-vec", "qdrant-remote"])
def test_rag_over_rest(rest, provider):
    db = f"rest-{provider}"
    r = rest.post("/v1/vector-dbs", json={"vector_db_id": db, "embedding_model": EMBED,
                                           "provider_id": provider})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["embedding_dimension"] == 384
    docs = [
        {"document_id": "moon", "content": [{"text": "The Moon orbits the Earth every 27 days."}]},
        {
            "document_id": "mars",
            "content": [{"text": "Mars has two small moons, Phobos and Deimos."}],
        },
        {"document_id": "bread", "content": [{"text": "Sourdough bread rises slowly overnight."}]},
        {"document_id": "chess", "content": [{"text": "In chess the knight moves in an L shape."}]},
    ]
    r = rest.post("/v1/tool-runtime/rag-tool/insert", json={"documents": docs, "vector_db_id": db})
    assert r.status_code == 200 and r.json()["chunk_count"] == 4, r.text
    for mode in ("SEARCH_MODE_VECTOR", "SEARCH_MODE_KEYWORD", "SEARCH_MODE_HYBRID"):
        r = rest.post("/v1/vector-io/query", json={
            "vector_db_id": db, "query": [{"text": "What are the moons of Mars called?"}],
            "params": {"max_chunks": 1, "mode": mode}})  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["chunks"][0]["metadata"]["document_id"] == "mars", (mode, r.text)
    r = rest.post("/v1/tool-runtime/rag-tool/query", json={
        "content": [{"text": "How long is a lunar orbit?"}], "vector_db_ids": [db],
        "query_config": {"max_chunks": 1, "mode": "SEARCH_MODE_HYBRID",
                         "ranker": {"weighted": {"alpha": 0.7}}}})  # fmt: skip
    assert r.status_code == 200 and r.json()["metadata"]["document_ids"] == ["moon"], r.text
    r = rest.post("/v1/vector-io/delete", json={"vector_db_id": db, "document_ids": ["moon"]})
    assert r.status_code == 200 and r.json()["deleted_count"] == 1, r.text
    assert rest.delete(f"/v1/vector-dbs/{db}").status_code == 200
    gone = rest.post("/v1/vector-io/query", json={"vector_db_id": db, "query": [{"text": "x"}]})
    assert gone.status_code == 404 and db in gone.json()["message"]


def test_rest_errors_and_streamed_progress(rest):
    r = rest.post("/v1/vector-dbs", json={"vector_db_id": "rest-errors", "embedding_model": EMBED})
    assert r.status_code == 200, r.text
    try:
        empty = rest.post("/v1/vector-io/query", json={"vector_db_id": "rest-errors"})
        assert empty.status_code == 400 and "query is empty" in empty.json()["message"]
        body = {"vector_db_id": "rest-errors", "documents": [
            {"document_id": "d", "content": [{"text": "Rivers flow to the sea."}]}]}  # fmt: skip
        with rest.stream("POST", "/v1/tool-runtime/rag-tool/insert:stream", json=body) as r:
            events = [json.loads(line[5:]) for line in r.iter_lines() if line.startswith("data:")]
        assert "progress" in events[0] and events[-1]["done"]["chunk_count"] == 1
    finally:
        rest.delete("/v1/vector-dbs/rest-errors")


def test_tools_over_rest(rest, mcp_server):
    r = rest.post("/v1/toolgroups", json={"toolgroup_id": "mcp::rest", "provider_id": "mcp",
        "mcp_endpoint": {"uri": mcp_server.url}, "args": {"timeout_seconds": 1}})  # fmt: skip
    assert r.status_code == 200, r.text
    try:
        listed = rest.get("/v1/tool-runtime/list-tools", params={"tool_group_id": "mcp::rest"})
        assert {t["name"] for t in listed.json()["data"]} >= {"add", "hang"}
        r = rest.post(
            "/v1/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": 4, "b": 5}}
        )
        assert r.status_code == 200 and r.json()["content"] == [{"text": "9"}], r.text
        bad = rest.post("/v1/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": 4}})
        assert bad.status_code == 400 and bad.json()["message"].startswith("kwargs.b")
        slow = rest.post("/v1/tool-runtime/invoke", json={"tool_name": "hang", "kwargs": {}})
        assert slow.status_code == 504 and "hang" in slow.json()["message"], slow.text
        tool = rest.get("/v1/tools/add")
        assert tool.status_code == 200 and tool.json()["input_schema"]["required"] == ["a", "b"]
    finally:
        rest.delete("/v1/toolgroups/mcp::rest")


def test_cli(vt_gateway, tmp_path):
    runner = CliRunner()
    env = {"LLS_GATEWAY_ADDR": vt_gateway.address}

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, (args, result.output)
        return result.output

    run("vector-dbs", "register", "cli-docs", "--embedding-model", EMBED)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tea.md").write_text("Green tea is steeped at 80 degrees for two minutes.")
    (docs / "coffee.pdf").write_bytes(
        pdf_with_text("Espresso is brewed under nine bars of pressure.")
    )
    summary = json.loads(run("rag", "insert", "cli-docs", str(docs), "--json"))
    assert summary["documents"] == 2 and summary["chunks"] == 2
    context = run("rag", "query", "How is espresso made?", "-v", "cli-docs", "-k", "1")
    assert "Espresso" in context and "BEGIN of knowledge_search" in context
    table = run("vector-io", "query", "cli-docs", "green tea temperature", "--mode", "hybrid")
    assert "tea.md" in table.splitlines()[1]
    assert "deleted 1 chunks" in run("vector-io", "delete", "cli-docs", "--document-id", "tea.md")
    assert "knowledge_search" in run("tools", "list", "builtin::rag")
    out = run("tools", "invoke", "knowledge_search", "--args",
              '{"query": "espresso pressure", "vector_db_ids": ["cli-docs"]}')  # fmt: skip
    assert "nine bars" in out
    assert "INVALID_ARGUMENT" in run("vector-io", "query", "cli-docs", "", code=1)
    run("vector-dbs", "unregister", "cli-docs")
