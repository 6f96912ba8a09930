"""Configuration of `remote::vllm` and `remote::openai-compatible`."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

__all__ = ["OpenAICompatConfig", "RemoteModelConfig", "normalise_url"]


class RemoteModelConfig(BaseModel):
    """A model declared in the config (known without asking the server)."""

    model_config = ConfigDict(extra="forbid")

    model_id: str = Field(min_length=1)
    model_type: Literal["llm", "embedding"] = "llm"
    embedding_dimension: int | None = Field(default=None, ge=1)


class OpenAICompatConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    #: Base URL of the OpenAI API, e.g. `http://vllm:8000/v1` (`/v1` is added to a bare host).
    url: str = Field(min_length=1, validation_alias=AliasChoices("url", "base_url"))
    #: Bearer token (`api_token` as in Llama Stack's vLLM provider, or `api_key`).
    api_token: str | None = Field(
        default=None, validation_alias=AliasChoices("api_token", "api_key")
    )
    #: Verify TLS certificates: true, false, or the path of a CA bundle.
    tls_verify: bool | str = True
    #: Seconds for a whole request (generation included) and for connecting.
    timeout_s: float = Field(default=300.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    #: Tokens to generate when a request leaves max_tokens at 0 (None: the server decides).
    default_max_tokens: int | None = Field(
        default=None, ge=1, validation_alias=AliasChoices("default_max_tokens", "max_tokens")
    )
    #: How JSON-schema output is requested: OpenAI's `json_schema` form, the
    #: `{"type": "json_object", "schema": ...}` form (llama.cpp's server), or `auto`
    #: (the first, falling back to the second when the server refuses it).
    structured_output: Literal["auto", "json_schema", "json_object"] = "auto"
    #: Models known without asking the server.
    models: list[RemoteModelConfig] = Field(default_factory=list)
    #: Seconds the server's model list is cached.
    refresh_models_s: float = Field(default=30.0, ge=0)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return normalise_url(value)


def normalise_url(url: str) -> str:
    """`http://host:8000` → `http://host:8000/v1`; other paths are kept."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        raise ValueError(f"url {url!r} needs a scheme, e.g. http://{url}/v1")
    _, _, rest = url.partition("://")
    if "/" not in rest:
        url += "/v1"
    return url
