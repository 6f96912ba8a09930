"""The only module that knows both protobuf and the tool runtime domain types."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format

from llamastack.common.v1 import content_pb2, tool_pb2
from llamastack.tool_runtime.v1 import tool_runtime_service_pb2 as pb
from services.common.errors import InvalidArgument
from services.tool_runtime.schema import parameters_of
from services.tool_runtime.types import (
    InsertProgress,
    InsertResult,
    RagDocument,
    ToolResult,
    ToolSpec,
)

__all__ = [
    "insert_event",
    "insert_response",
    "invoke_response",
    "kwargs",
    "overlap",
    "provider_data",
    "query_config",
    "query_response",
    "rag_documents",
    "text_of",
    "tool_def",
]

PROVIDER_DATA = "x-llamastack-provider-data"


def text_of(items: Any) -> str:
    return "\n".join(i.text for i in items if i.WhichOneof("item") == "text")


def tool_def(tool: ToolSpec) -> tool_pb2.ToolDef:
    out = tool_pb2.ToolDef(name=tool.name, description=tool.description)
    for p in parameters_of(tool.input_schema):
        param = out.parameters.add(
            name=p["name"], parameter_type=p["parameter_type"], description=p["description"],
            required=p["required"],
        )  # fmt: skip
        if "default" in p:
            json_format.ParseDict(p["default"], param.default)
    if tool.input_schema:
        out.input_schema.update(tool.input_schema)
    if tool.metadata:
        out.metadata.update(tool.metadata)
    return out


def kwargs(request: pb.InvokeToolRequest) -> dict[str, Any]:
    return json_format.MessageToDict(request.kwargs) if request.HasField("kwargs") else {}


def invoke_response(result: ToolResult) -> pb.InvokeToolResponse:
    out = pb.InvokeToolResponse(
        content=[json_format.ParseDict(c, content_pb2.ContentItem()) for c in result.content],
        error_message=result.error_message,
        error_code=result.error_code,
    )
    if result.metadata:
        out.metadata.update(result.metadata)
    return out


def rag_documents(request: Any) -> list[RagDocument]:
    out = []
    for i, d in enumerate(request.documents):
        if d.content and d.url.uri:
            raise InvalidArgument(
                f"documents[{i}] sets both content and url; give one", field=f"documents[{i}]"
            )
        if not d.content and not d.url.uri:
            raise InvalidArgument(
                f"documents[{i}] has neither content nor url", field=f"documents[{i}]"
            )
        out.append(
            RagDocument(
                document_id=d.document_id,
                text=text_of(d.content),
                url=d.url.uri,
                mime_type=d.mime_type,
                metadata=json_format.MessageToDict(d.metadata) if d.HasField("metadata") else {},
                has_image=any(c.WhichOneof("item") == "image" for c in d.content),
            )
        )
    return out


def overlap(request: Any) -> int | None:
    return request.chunk_overlap_in_tokens if request.HasField("chunk_overlap_in_tokens") else None


def insert_response(result: InsertResult) -> pb.InsertRagDocumentsResponse:
    return pb.InsertRagDocumentsResponse(
        chunk_count=result.chunk_count,
        document_count=result.document_count,
        chunk_size_in_tokens=result.chunk_size_in_tokens,
        chunk_overlap_in_tokens=result.chunk_overlap_in_tokens,
    )


def insert_event(item: InsertProgress | InsertResult) -> pb.StreamInsertRagDocumentsResponse:
    if isinstance(item, InsertResult):
        return pb.StreamInsertRagDocumentsResponse(done=insert_response(item))
    return pb.StreamInsertRagDocumentsResponse(
        progress=pb.RagInsertProgress(
            documents_total=item.documents_total,
            documents_read=item.documents_read,
            chunks_total=item.chunks_total,
            chunks_stored=item.chunks_stored,
        )
    )


def query_config(request: pb.QueryRagContextRequest) -> dict[str, Any]:
    if not request.HasField("query_config"):
        return {}
    return json_format.MessageToDict(request.query_config, preserving_proto_field_name=True)


def query_response(content: list[dict[str, Any]], metadata: dict[str, Any]) -> Any:
    out = pb.QueryRagContextResponse(
        content=[json_format.ParseDict(c, content_pb2.ContentItem()) for c in content]
    )
    out.metadata.update(metadata)
    return out


def provider_data(metadata: Any) -> dict[str, Any]:
    """The reference's per-request provider data header (JSON object), if sent."""
    for key, value in metadata or ():
        if key == PROVIDER_DATA and value:
            try:
                data = json.loads(value)
            except ValueError:
                raise InvalidArgument(
                    f"{PROVIDER_DATA} metadata is not JSON", field=PROVIDER_DATA
                ) from None
            if not isinstance(data, dict):
                raise InvalidArgument(f"{PROVIDER_DATA} must be a JSON object", field=PROVIDER_DATA)
            return data
    return {}
