"""Configuration of `inline::llm-as-judge`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LlmAsJudgeConfig"]


class LlmAsJudgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: The judge of the built-in functions when their params name none (a registered model).
    judge_model: str = ""
    #: Tokens the judge may write per row.
    max_tokens: int = Field(default=256, ge=1)
    #: Rows judged at once.
    max_concurrency: int = Field(default=4, ge=1)
    #: Deadline of one judge call, in seconds.
    timeout_s: float = Field(default=120.0, gt=0)
