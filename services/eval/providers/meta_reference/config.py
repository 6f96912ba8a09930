"""Configuration of the `inline::meta-reference` eval provider."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MetaReferenceEvalConfig"]


class MetaReferenceEvalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Rows generated at once, per job (and per EvaluateRows call).
    max_concurrency: int = Field(default=4, ge=1)
    #: Jobs one replica runs at once.
    job_concurrency: int = Field(default=1, ge=1)
    #: A running job's lease: renewed every third of it; another replica takes the job over
    #: when its worker stops renewing (crashed) for this long.
    lease_s: float = Field(default=30.0, gt=0)
    #: Claims of one job (restarts of its service included) before it is failed: a job that
    #: keeps killing its service stops being retried.
    max_attempts: int = Field(default=5, ge=1)
    #: The most rows one EvaluateRows call takes.
    evaluate_rows_max: int = Field(default=20, ge=1)
    #: The most rows one job evaluates (num_examples, or the whole dataset).
    max_rows: int = Field(default=100_000, ge=1)
    #: Deadline of each call a job makes through the gateway, in seconds.
    timeout_s: float = Field(default=600.0, gt=0)
    #: How often an idle worker looks for queued jobs, in seconds.
    poll_s: float = Field(default=0.5, gt=0)
