"""`llamastack vector-io query|insert|delete`: chunks of a registered vector DB, through the
gateway."""

from __future__ import annotations

from typing import Annotated

import typer
from google.protobuf import json_format

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    connect,
    out,
    print_json,
    print_table,
)
from cli.kinds import load_json
from llamastack.common.v1 import content_pb2
from llamastack.vector_io.v1 import vector_io_service_pb2, vector_io_service_pb2_grpc

__all__ = ["MODES", "ranker", "vector_io_app"]

vector_io_app = typer.Typer(
    help="Insert, query and delete chunks of a vector DB.", no_args_is_help=True
)

MODES = {
    "vector": "SEARCH_MODE_VECTOR",
    "keyword": "SEARCH_MODE_KEYWORD",
    "hybrid": "SEARCH_MODE_HYBRID",
}
ModeOpt = Annotated[str, typer.Option("--mode", "-m", help="vector, keyword or hybrid.")]
RankerOpt = Annotated[
    str, typer.Option("--ranker", help="Hybrid fusion: rrf (reciprocal rank) or weighted.")
]
AlphaOpt = Annotated[
    float | None, typer.Option("--alpha", help="weighted: share of the vector score (0-1).")
]


def ranker(name: str, alpha: float | None) -> dict:
    if name == "weighted":
        return {"weighted": {"alpha": alpha} if alpha is not None else {}}
    if name == "rrf":
        return {"rrf": {}}
    raise typer.BadParameter(f"--ranker {name!r}: use rrf or weighted")


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise typer.BadParameter(f"--mode {mode!r}: use vector, keyword or hybrid")
    return MODES[mode]


@vector_io_app.command("query")
def query(
    vector_db_id: Annotated[str, typer.Argument(help="The vector DB.")],
    text: Annotated[str, typer.Argument(help="The query.")],
    mode: ModeOpt = "vector",
    max_chunks: Annotated[int, typer.Option("--max-chunks", "-k", min=1)] = 3,
    score_threshold: Annotated[float, typer.Option("--score-threshold")] = 0.0,
    filter_json: Annotated[
        str | None,
        typer.Option(
            "--filter",
            help='A MetadataFilter (JSON), e.g. {"comparison": {"key": '
            '"year", "op": "FILTER_OPERATOR_GTE", "value": 2020}}.',
        ),
    ] = None,
    ranker_name: RankerOpt = "rrf",
    alpha: AlphaOpt = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Find the chunks that best match a query."""
    params = {"max_chunks": max_chunks, "mode": _mode(mode), "score_threshold": score_threshold,
              "ranker": ranker(ranker_name, alpha)}  # fmt: skip
    if filter_json:
        params["filter"] = load_json(filter_json, "--filter")
    request = vector_io_service_pb2.QueryChunksRequest(
        vector_db_id=vector_db_id, query=[content_pb2.ContentItem(text=text)]
    )
    json_format.ParseDict(params, request.params)
    with connect(gateway) as channel:
        stub = vector_io_service_pb2_grpc.VectorIoServiceStub(channel)
        response = stub.QueryChunks(request, timeout=timeout)
    if as_json:
        print_json(response)
        return
    rows = [
        (
            f"{score:.4f}",
            chunk.chunk_metadata.document_id,
            " ".join(i.text for i in chunk.content).replace("\n", " "),
        )
        for chunk, score in zip(response.chunks, response.scores, strict=True)
    ]
    print_table(("SCORE", "DOCUMENT", "CONTENT"), rows, "no matching chunks")


@vector_io_app.command("insert")
def insert(
    vector_db_id: Annotated[str, typer.Argument(help="The vector DB.")],
    texts: Annotated[list[str], typer.Argument(help="Chunk texts (one chunk each).")],
    document_id: Annotated[str, typer.Option("--document-id", "-d", help="Their document.")] = "",
    metadata: Annotated[
        str | None, typer.Option("--metadata", help="JSON object for each.")
    ] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 120.0,
) -> None:
    """Insert chunks (embedded with the vector DB's model)."""
    meta = load_json(metadata, "--metadata") if metadata else {}
    if document_id:
        meta = {**meta, "document_id": document_id}
    request = vector_io_service_pb2.InsertChunksRequest(vector_db_id=vector_db_id)
    for t in texts:
        chunk = request.chunks.add(content=[content_pb2.ContentItem(text=t)])
        chunk.metadata.update(meta)
    with connect(gateway) as channel:
        stub = vector_io_service_pb2_grpc.VectorIoServiceStub(channel)
        response = stub.InsertChunks(request, timeout=timeout)
    if as_json:
        print_json(response)
    else:
        out.print(f"inserted {len(response.chunk_ids)} chunks into {vector_db_id}")


@vector_io_app.command("delete")
def delete(
    vector_db_id: Annotated[str, typer.Argument(help="The vector DB.")],
    chunk_ids: Annotated[list[str] | None, typer.Option("--chunk-id", help="Repeat.")] = None,
    document_ids: Annotated[list[str] | None, typer.Option("--document-id", help="Repeat.")] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Delete chunks by id and/or every chunk of documents."""
    request = vector_io_service_pb2.DeleteChunksRequest(
        vector_db_id=vector_db_id, chunk_ids=chunk_ids or [], document_ids=document_ids or []
    )
    with connect(gateway) as channel:
        stub = vector_io_service_pb2_grpc.VectorIoServiceStub(channel)
        response = stub.DeleteChunks(request, timeout=timeout)
    if as_json:
        print_json(response)
    else:
        out.print(f"deleted {response.deleted_count} chunks from {vector_db_id}")
