"""Tool runtime: tool groups (builtin::rag, MCP servers), tool calls and the RAG tool."""
