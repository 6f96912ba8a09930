"""Documents attached to a turn.

With the RAG tool group they go to the tool runtime (`InsertRagDocuments`, which reads URLs
under its own rules) and into the session's vector database. Without it their text is
appended to the turn's last user message, as the reference does; the agents service then
reads no URL itself (no server-side fetches on a caller's behalf) except inline `data:` URIs
of text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import urllib.parse

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import content_pb2
from llamastack.tool_runtime.v1 import tool_runtime_pb2
from services.common.errors import InvalidArgument

__all__ = ["inline_context", "rag_documents"]

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/yaml")


def rag_documents(documents: list[pb.Document]) -> list[tool_runtime_pb2.RagDocument]:
    """The documents for the RAG tool. A document's id is a digest of what it holds: the
    chunk context shows it to the model, so it must not be random (greedy answers would
    differ from run to run), and a document attached again replaces its earlier chunks."""
    out = []
    for d in documents:
        doc = tool_runtime_pb2.RagDocument(mime_type=d.mime_type)
        if d.content:
            doc.content.extend(d.content)
            digest = hashlib.sha256(b"".join(c.SerializeToString() for c in d.content))
        else:
            doc.url.CopyFrom(d.url)
            digest = hashlib.sha256(d.url.uri.encode())
        doc.document_id = f"doc-{digest.hexdigest()[:16]}"
        out.append(doc)
    return out


def inline_context(documents: list[pb.Document]) -> list[content_pb2.ContentItem]:
    """The documents as content to append to the user's message (INVALID_ARGUMENT for a
    URL the agents service does not read)."""
    out: list[content_pb2.ContentItem] = []
    for i, d in enumerate(documents):
        if d.content:
            out.extend(d.content)
        else:
            out.append(content_pb2.ContentItem(text=_data_uri_text(d.url.uri, d.mime_type, i)))
    return out


def _data_uri_text(uri: str, mime_type: str, i: int) -> str:
    where = f"documents[{i}].url"
    if not uri.startswith("data:"):
        raise InvalidArgument(
            f"{where}: without the builtin::rag tool group, documents must be inline content "
            "or a data: URI of text; add builtin::rag to the agent's (or the turn's) tool "
            "groups to attach documents by URL",
            field=where,
        )
    header, sep, payload = uri[5:].partition(",")
    if not sep:
        raise InvalidArgument(f"{where}: malformed data: URI (no comma)", field=where)
    params = header.split(";")
    media = (params[0] or mime_type or "text/plain").lower()
    if not media.startswith(_TEXT_TYPES):
        raise InvalidArgument(
            f"{where}: a {media} document cannot be appended as text; use the builtin::rag "
            "tool group, whose tool runtime converts documents",
            field=where,
        )
    try:
        raw = (
            base64.b64decode(payload, validate=True)
            if "base64" in params[1:]
            else urllib.parse.unquote_to_bytes(payload)
        )
    except (binascii.Error, ValueError):
        raise InvalidArgument(f"{where}: the data: URI is not valid base64", field=where) from None
    return raw.decode("utf-8", errors="replace")
