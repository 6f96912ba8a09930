"""`llamastack rag insert|query` (the RAG tool) and `llamastack tools list|invoke` (the tool
runtime), through the gateway. `rag insert` reads files on this machine (text, Markdown, HTML,
PDF; directories recursively) and shows a progress bar while the service chunks, embeds and
stores them."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from google.protobuf import json_format, struct_pb2
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    bad_input,
    connect,
    err,
    out,
    print_json,
    print_table,
)
from cli.kinds import load_json
from cli.vector_cmds import MODES, ranker
from llamastack.common.v1 import content_pb2
from llamastack.tool_runtime.v1 import (
    tool_runtime_pb2,
    tool_runtime_service_pb2,
    tool_runtime_service_pb2_grpc,
)

__all__ = ["rag_app", "tools_app"]

rag_app = typer.Typer(
    help="Insert documents into a vector DB and retrieve context (RAG tool).", no_args_is_help=True
)
tools_app = typer.Typer(
    help="List and invoke tools of registered tool groups.", no_args_is_help=True
)

#: Documents per request, by bytes (the gateway takes 64 MiB messages).
BATCH_BYTES = 8 * 1024 * 1024
_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".pdf", ".json", ".csv"}


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES
            )
        elif path.is_file():
            yield path
        else:
            bad_input(f"{path}: no such file or directory")


def _document(path: Path, root: Path | None) -> tool_runtime_pb2.RagDocument:
    doc_id = str(path.relative_to(root)) if root is not None else path.name
    mime = mimetypes.guess_type(path.name)[0] or "text/plain"
    data = path.read_bytes()
    doc = tool_runtime_pb2.RagDocument(document_id=doc_id, mime_type=mime)
    doc.metadata.update({"source": str(path)})
    if mime == "application/pdf" or mime == "text/html":
        doc.url.uri = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    else:
        try:
            doc.content.add(text=data.decode("utf-8"))
        except UnicodeDecodeError:
            bad_input(f"{path} is not UTF-8 text, HTML or PDF")
    return doc


def _batches(
    docs: list[tool_runtime_pb2.RagDocument],
) -> Iterator[list[tool_runtime_pb2.RagDocument]]:
    batch: list[tool_runtime_pb2.RagDocument] = []
    size = 0
    for doc in docs:
        n = doc.ByteSize()
        if batch and size + n > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(doc)
        size += n
    if batch:
        yield batch


@rag_app.command("insert")
def rag_insert(
    vector_db_id: Annotated[str, typer.Argument(help="The vector DB.")],
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or directories.")] = None,
    urls: Annotated[
        list[str] | None, typer.Option("--url", help="A URL the service reads (repeat).")
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            "--chunk-size",
            min=0,
            help="Tokens per chunk (0: 512), capped to what the embedding model reads.",
        ),
    ] = 0,
    overlap: Annotated[
        int | None, typer.Option("--overlap", min=0, help="Tokens shared by consecutive chunks.")
    ] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 3600.0,
) -> None:
    """Chunk, embed and store documents, with a progress bar."""
    paths = paths or []
    docs = []
    for p in paths:
        root = p if p.is_dir() else None
        docs.extend(_document(f, root) for f in _files([p]))
    for i, url in enumerate(urls or []):
        docs.append(
            tool_runtime_pb2.RagDocument(
                document_id=url if len(url) < 256 else f"url-{i}", url=content_pb2.Url(uri=url)
            )
        )
    if not docs:
        bad_input("give files, directories or --url")
    totals = {"chunks": 0, "documents": 0}
    result = None
    with connect(gateway) as channel:
        stub = tool_runtime_service_pb2_grpc.ToolRuntimeServiceStub(channel)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeElapsedColumn(), console=err, disable=as_json) as bar:
            reading = bar.add_task("reading documents", total=len(docs))
            storing = bar.add_task("embedding + storing chunks", total=None)
            done_docs = stored_before = 0
            for batch in _batches(docs):
                request = tool_runtime_service_pb2.StreamInsertRagDocumentsRequest(
                    documents=batch, vector_db_id=vector_db_id, chunk_size_in_tokens=chunk_size
                )
                if overlap is not None:
                    request.chunk_overlap_in_tokens = overlap
                for event in stub.StreamInsertRagDocuments(request, timeout=timeout):
                    if event.HasField("progress"):
                        p = event.progress
                        bar.update(reading, completed=done_docs + p.documents_read)
                        if p.chunks_total:
                            bar.update(storing, total=stored_before + p.chunks_total,
                                       completed=stored_before + p.chunks_stored)  # fmt: skip
                    else:
                        result = event.done
                done_docs += len(batch)
                stored_before += result.chunk_count
                totals["chunks"] += result.chunk_count
                totals["documents"] += result.document_count
    summary = {
        **totals,
        "chunk_size_in_tokens": result.chunk_size_in_tokens,
        "chunk_overlap_in_tokens": result.chunk_overlap_in_tokens,
        "vector_db_id": vector_db_id,
    }
    if as_json:
        print_json(summary)
    else:
        out.print(
            f"stored {totals['chunks']} chunks of {totals['documents']} documents in "
            f"{vector_db_id} ({result.chunk_size_in_tokens} tokens, overlap "
            f"{result.chunk_overlap_in_tokens})"
        )


@rag_app.command("query")
def rag_query(
    text: Annotated[str, typer.Argument(help="The question.")],
    vector_db_ids: Annotated[list[str], typer.Option("--vector-db", "-v", help="Repeat.")],
    mode: Annotated[
        str, typer.Option("--mode", "-m", help="vector, keyword or hybrid.")
    ] = "vector",
    max_chunks: Annotated[int, typer.Option("--max-chunks", "-k", min=1)] = 5,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=1, help="Context budget.")] = 4096,
    ranker_name: Annotated[str, typer.Option("--ranker", help="rrf or weighted (hybrid).")] = "rrf",
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """The context the RAG tool retrieves for a question."""
    if mode not in MODES:
        bad_input(f"--mode {mode!r}: use vector, keyword or hybrid")
    config = {"max_chunks": max_chunks, "max_tokens_in_context": max_tokens, "mode": MODES[mode],
              "ranker": ranker(ranker_name, None)}  # fmt: skip
    request = tool_runtime_service_pb2.QueryRagContextRequest(
        content=[content_pb2.ContentItem(text=text)], vector_db_ids=vector_db_ids
    )
    json_format.ParseDict(config, request.query_config)
    with connect(gateway) as channel:
        stub = tool_runtime_service_pb2_grpc.ToolRuntimeServiceStub(channel)
        response = stub.QueryRagContext(request, timeout=timeout)
    if as_json:
        print_json(response)
    else:
        out.print("".join(i.text for i in response.content), end="")


@tools_app.command("list")
def tools_list(
    tool_group_id: Annotated[str, typer.Argument(help="A registered tool group.")],
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 30.0,
) -> None:
    """The tools a group's provider offers, with their parameters."""
    with connect(gateway) as channel:
        stub = tool_runtime_service_pb2_grpc.ToolRuntimeServiceStub(channel)
        response = stub.ListRuntimeTools(
            tool_runtime_service_pb2.ListRuntimeToolsRequest(
                tool_group_id=tool_group_id, page_size=1000
            ),
            timeout=timeout,
        )
    if as_json:
        print_json(response)
        return
    rows = [(t.name, _params(t), t.description) for t in response.data]
    print_table(("TOOL", "PARAMETERS", "DESCRIPTION"), rows, f"{tool_group_id} has no tools")


def _params(tool) -> str:
    return ", ".join(
        f"{p.name}: {p.parameter_type}{'' if p.required else '?'}" for p in tool.parameters
    )


@tools_app.command("invoke")
def tools_invoke(
    tool_name: Annotated[str, typer.Argument(help="`tool` or `group/tool`.")],
    args: Annotated[
        str, typer.Option("--args", "-a", help="Arguments (JSON object, @file).")
    ] = "{}",
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 120.0,
) -> None:
    """Call a tool; exit status 1 when the tool reports an error."""
    kwargs = load_json(args, "--args")
    if not isinstance(kwargs, dict):
        bad_input("--args must be a JSON object")
    request = tool_runtime_service_pb2.InvokeToolRequest(
        tool_name=tool_name, kwargs=json_format.ParseDict(kwargs, struct_pb2.Struct())
    )
    with connect(gateway) as channel:
        stub = tool_runtime_service_pb2_grpc.ToolRuntimeServiceStub(channel)
        response = stub.InvokeTool(request, timeout=timeout)
    if as_json:
        print_json(response)
    else:
        text = "".join(i.text for i in response.content if i.WhichOneof("item") == "text")
        if text:
            out.print(text)
    if response.error_message:
        err.print(f"[red]tool error:[/] {response.error_message}")
        raise typer.Exit(1)
