"""Configuration of `inline::llama-cpp`."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["LlamaCppConfig", "LlamaCppModelConfig"]


class LlamaCppModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The id the model is served under (the registry's `provider_resource_id`).
    model_id: str = Field(min_length=1)
    #: A GGUF file, or `pkg://<python package>/<file inside it>` for a model shipped in a wheel.
    path: str = Field(min_length=1)
    #: Context window for this model (defaults to the provider's n_ctx).
    n_ctx: int | None = Field(default=None, ge=64)
    #: A Jinja chat template replacing the one stored in the GGUF.
    chat_template: str | None = None


class LlamaCppConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    models: list[LlamaCppModelConfig] = Field(min_length=1)
    n_ctx: int = Field(default=2048, ge=64)
    #: CPU threads per instance; default: the cores but one, divided among the instances.
    #: (llama.cpp's threads spin-wait on each other: a thread for every core collapses
    #: throughput as soon as another process wants the CPU.)
    n_threads: int | None = Field(default=None, ge=1)
    #: Prompt tokens evaluated per llama.cpp decode call. It is also the grain of prompt-cache
    #: reuse: only whole chunks are reused, so greedy output never depends on what ran before
    #: (see `engine.reuse_prefix`). 64 keeps most of a multi-turn chat cached at no cost in
    #: prompt throughput (bench/reproducibility.py).
    n_batch: int = Field(default=64, ge=8)
    #: Instances per model = requests generated at the same time; others wait in FIFO order.
    parallelism: int = Field(default=1, ge=1, le=64)
    #: Tokens generated when a request leaves max_tokens at 0.
    default_max_tokens: int = Field(default=512, ge=1)

    @field_validator("n_threads", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value  # `${env.LLS_LLAMA_THREADS:=}` left unset

    def threads(self) -> int:
        if self.n_threads:
            return self.n_threads
        return max(1, ((os.cpu_count() or 1) - 1) // self.parallelism)
