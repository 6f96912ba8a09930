"""Configuration of the agents provider (`inline::meta-reference`, the reference's name)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AgentsConfig"]


class AgentsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: A running turn holds a lease on its session, renewed every third of this. When the
    #: process running it dies, another replica (or this service after a restart) marks the
    #: turn FAILED once the lease expired.
    turn_lease_seconds: float = Field(default=30.0, ge=1.0, le=3600.0)
    #: How often every replica looks for turns whose lease expired.
    sweep_interval_seconds: float = Field(default=10.0, ge=0.1, le=3600.0)
    #: Embedding model of the session vector databases that hold attached documents; empty:
    #: the first embedding model registered.
    embedding_model: str = ""
    #: Vector IO provider of those databases; empty: the only one configured.
    vector_io_provider_id: str = ""
    #: Tokens per chunk when attached documents are inserted.
    chunk_size_in_tokens: int = Field(default=512, ge=16, le=8192)
    #: Deadline of one tool call (server-side tools: built-in and MCP).
    tool_timeout_seconds: float = Field(default=60.0, gt=0.0, le=3600.0)
