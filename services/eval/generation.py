"""What a candidate gives for a row (`Generation`), and which errors of a candidate's calls
the job retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc

from services.eval.rows import Prompt

__all__ = ["TRANSIENT", "Generate", "Generation", "row_failure"]

#: Errors worth retrying (the gateway or a service restarting); others are the row's.
TRANSIENT = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED}
)


@dataclass(frozen=True)
class Generation:
    generated_answer: str
    #: Why the row has no answer (a row-specific error: prompt too long...), else "".
    error: str = ""


Generate = Callable[[Prompt], Awaitable[Generation]]


def row_failure(err: grpc.aio.AioRpcError) -> Generation:
    """A candidate call's failure as the row's error; transient errors (the job retries them)
    and NOT_FOUND (a missing model fails the job) are raised again."""
    if err.code() in TRANSIENT or err.code() == grpc.StatusCode.NOT_FOUND:
        raise err
    return Generation("", f"{err.code().name}: {err.details()}")
