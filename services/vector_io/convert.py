"""The only module that knows both protobuf and the vector IO domain types."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import content_pb2
from llamastack.vector_io.v1 import vector_io_pb2 as pb
from llamastack.vector_io.v1 import vector_io_service_pb2 as spb
from services.common.errors import InvalidArgument
from services.vector_io.types import (
    Chunk,
    Comparison,
    Compound,
    Filter,
    Hit,
    Query,
    Ranker,
    SearchMode,
)

__all__ = ["chunk_proto", "chunks", "plain", "query", "text_of"]

_MODES = {
    pb.SEARCH_MODE_UNSPECIFIED: SearchMode.VECTOR,
    pb.SEARCH_MODE_VECTOR: SearchMode.VECTOR,
    pb.SEARCH_MODE_KEYWORD: SearchMode.KEYWORD,
    pb.SEARCH_MODE_HYBRID: SearchMode.HYBRID,
}
_OPS = {
    pb.FILTER_OPERATOR_EQ: "eq",
    pb.FILTER_OPERATOR_NE: "ne",
    pb.FILTER_OPERATOR_GT: "gt",
    pb.FILTER_OPERATOR_GTE: "gte",
    pb.FILTER_OPERATOR_LT: "lt",
    pb.FILTER_OPERATOR_LTE: "lte",
    pb.FILTER_OPERATOR_IN: "in",
    pb.FILTER_OPERATOR_NIN: "nin",
}
_TIMESTAMPS = ("created_timestamp", "updated_timestamp")
DEFAULT_MAX_CHUNKS = 3


def plain(value: Any) -> Any:
    """A Struct/Value as Python, integral numbers as ints (JSON has one number type; filters
    and engines compare `2024` and `2024.0` alike only if they are stored alike)."""
    if isinstance(value, struct_pb2.Struct | struct_pb2.Value | struct_pb2.ListValue):
        value = json_format.MessageToDict(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def text_of(items: Any) -> str:
    return "\n".join(i.text for i in items if i.WhichOneof("item") == "text")


def chunks(request: spb.InsertChunksRequest) -> list[Chunk]:
    return [_chunk(c) for c in request.chunks]


def _chunk(c: pb.Chunk) -> Chunk:
    meta = json_format.MessageToDict(c.chunk_metadata, preserving_proto_field_name=True)
    for key in _TIMESTAMPS:
        if c.chunk_metadata.HasField(key):
            meta[key] = getattr(c.chunk_metadata, key).ToNanoseconds() / 1e9
    return Chunk(
        content=[json_format.MessageToDict(i, preserving_proto_field_name=True) for i in c.content],
        text=text_of(c.content),
        metadata=plain(c.metadata) if c.HasField("metadata") else {},
        embedding=list(c.embedding) if c.embedding else None,
        chunk_id=c.chunk_id,
        chunk_metadata=meta,
    )


def query(request: spb.QueryChunksRequest) -> Query:
    p = request.params
    ranker = Ranker()
    if p.ranker.WhichOneof("ranker") == "weighted":
        alpha = p.ranker.weighted.alpha if p.ranker.weighted.HasField("alpha") else 0.5
        if not 0.0 <= alpha <= 1.0:
            raise InvalidArgument(
                "params.ranker.weighted.alpha must be between 0 and 1",
                field="params.ranker.weighted.alpha",
            )
        ranker = Ranker("weighted", alpha=alpha)
    elif p.ranker.WhichOneof("ranker") == "rrf":
        k = p.ranker.rrf.impact_factor if p.ranker.rrf.HasField("impact_factor") else 60.0
        if k <= 0:
            raise InvalidArgument(
                "params.ranker.rrf.impact_factor must be positive",
                field="params.ranker.rrf.impact_factor",
            )
        ranker = Ranker("rrf", impact_factor=k)
    return Query(
        mode=_MODES.get(p.mode, SearchMode.VECTOR),
        text=text_of(request.query),
        vector=list(request.query_embedding) if request.query_embedding else None,
        max_chunks=p.max_chunks or DEFAULT_MAX_CHUNKS,
        score_threshold=p.score_threshold,
        ranker=ranker,
        filter=_filter(p.filter) if p.HasField("filter") else None,
    )


def _filter(f: pb.MetadataFilter, path: str = "params.filter") -> Filter:
    which = f.WhichOneof("filter")
    if which == "comparison":
        c = f.comparison
        value = plain(c.value) if c.HasField("value") else None
        return Comparison(c.key, _OPS.get(c.op, ""), value)
    if which == "compound":
        op = {pb.COMPOUND_OPERATOR_OR: "or"}.get(f.compound.op, "and")
        return Compound(
            op,
            tuple(
                _filter(child, f"{path}.filters[{i}]") for i, child in enumerate(f.compound.filters)
            ),
        )
    raise InvalidArgument(f"{path} is empty: set comparison or compound", field=path)


_META_FIELDS = frozenset(f.name for f in pb.ChunkMetadata.DESCRIPTOR.fields) - set(_TIMESTAMPS)


def _content_item(item: dict[str, Any]) -> content_pb2.ContentItem:
    text = item.get("text")
    if isinstance(text, str) and len(item) == 1:
        return content_pb2.ContentItem(text=text)  # the common case, without json_format
    return json_format.ParseDict(item, content_pb2.ContentItem())


def chunk_proto(hit: Hit) -> pb.Chunk:
    data = hit.payload
    meta = data.get("chunk_metadata") or {}
    out = pb.Chunk(
        content=[_content_item(i) for i in data["content"]],
        chunk_id=hit.chunk_id,
        chunk_metadata=pb.ChunkMetadata(**{k: v for k, v in meta.items() if k in _META_FIELDS}),
    )
    if data.get("metadata"):
        out.metadata.update(data["metadata"])
    for key in _TIMESTAMPS:
        seconds = meta.get(key)
        if isinstance(seconds, int | float):
            getattr(out.chunk_metadata, key).FromNanoseconds(int(seconds * 1e9))
    return out
