"""The tool runtime provider types this service can host (each imported only when configured)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.tool_runtime.provider import ToolRuntimeProvider

__all__ = ["PROVIDERS"]

Factory = Callable[[str, Mapping[str, Any]], ToolRuntimeProvider]


def _rag(provider_id: str, config: Mapping[str, Any]) -> ToolRuntimeProvider:
    from services.tool_runtime.providers.rag.provider import RagRuntimeProvider

    return RagRuntimeProvider(provider_id, config)


def _mcp(provider_id: str, config: Mapping[str, Any]) -> ToolRuntimeProvider:
    from services.tool_runtime.providers.mcp.provider import McpProvider

    return McpProvider(provider_id, config)


#: provider_type -> factory(provider_id, config mapping).
PROVIDERS: dict[str, Factory] = {
    "inline::rag-runtime": _rag,
    "remote::model-context-protocol": _mcp,
}
