"""OpenAI's moderations answered by a shield: each input is one RunShield call (the safety
service's own logic: limits, provider pick, the shield), and each answer becomes OpenAI's
moderation result.

- `flagged`: the shield blocks the input (a violation of level ERROR).
- `categories` / `category_scores`: OpenAI's 13 categories are always there; the
  violation's categories (`Violation.categories`: Llama Guard's hazards as OpenAI's names or
  their own, a policy shield's rule names) are added. A category the shield blocks on is
  true with score 1.0; one it only warns about is false with score 0.5 (a WARN violation
  lets the text through, so it is not flagged, but callers that threshold scores can see
  it); the others are false with 0.0. The shields here are deterministic or constrained
  verdicts, so they give no finer score.
- `category_applied_input_types`: `["text"]` for every category (shields read text).
- Extensions (as Llama Stack's): on a violation, `user_message` and `metadata` (what
  RunShield answers, plus `violation_level`).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from services.common.errors import InvalidArgument
from services.safety.service import SafetyService
from services.safety.types import (
    Level,
    ModerationRequest,
    Role,
    RunRequest,
    ShieldMessage,
    Violation,
)
from services.safety.validation import MAX_MESSAGES, MAX_TEXT_CHARS

__all__ = [
    "MAX_INPUTS",
    "OPENAI_CATEGORIES",
    "ModerationService",
    "input_texts",
    "result",
]

T = TypeVar("T")

#: OpenAI's moderation categories (omni-moderation), in OpenAI's order.
OPENAI_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
#: Inputs one call may carry (each is a shield run).
MAX_INPUTS = MAX_MESSAGES
#: Shield runs of one call in flight at once (Llama Guard calls a model per input).
MAX_PARALLEL = 8
_SCORES: dict[Level | None, float] = {Level.ERROR: 1.0, Level.WARN: 0.5}


def input_texts(value: Any) -> tuple[str, ...]:
    """The texts to moderate, one per result: a string, an array of strings, or an array of
    content parts (one input: its text parts joined by line breaks). INVALID_ARGUMENT names
    the item to fix."""
    one = not isinstance(value, list) or bool(value and isinstance(value[0], dict))
    if isinstance(value, str):
        texts: tuple[str, ...] = (value,)
    elif isinstance(value, list) and one:
        texts = ("\n".join(_text_part(part, i) for i, part in enumerate(value)),)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise InvalidArgument(
                    f"input[{i}] is {_kind(item)}: an array input holds strings (one result "
                    'each) or content parts `{"type": "text", "text": ...}` (one result)',
                    field=f"input[{i}]",
                )
        texts = tuple(value)
    else:
        raise InvalidArgument(
            f"input is {_kind(value)}: give a string, an array of strings, or an array of "
            "content parts",
            field="input",
        )
    if not texts:
        raise InvalidArgument("input is empty: give at least one text to moderate", field="input")
    if len(texts) > MAX_INPUTS:
        raise InvalidArgument(
            f"input has {len(texts)} items; one call moderates at most {MAX_INPUTS}",
            field="input",
        )
    for i, text in enumerate(texts):
        if not text.strip():
            where = "input" if one else f"input[{i}]"
            raise InvalidArgument(
                f"{where} is empty or blank: give the text to moderate", field=where
            )
    chars = sum(len(t) for t in texts)
    if chars > MAX_TEXT_CHARS:
        raise InvalidArgument(
            f"input holds {chars} characters; one call moderates at most {MAX_TEXT_CHARS}",
            field="input",
        )
    return texts


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "a string"


def _text_part(part: Any, index: int) -> str:
    where = f"input[{index}]"
    if not isinstance(part, dict):
        raise InvalidArgument(
            f"{where} is {_kind(part)}: an array of content parts holds only content parts",
            field=where,
        )
    kind = part.get("type")
    if kind == "text" and isinstance(part.get("text"), str):
        return part["text"]
    if kind == "image_url":
        raise InvalidArgument(
            f"{where} is an image: shields read text only; send the text parts", field=where
        )
    raise InvalidArgument(
        f'{where} must be a content part `{{"type": "text", "text": "..."}}`', field=where
    )


def result(violation: Violation | None) -> dict[str, Any]:
    """One input's OpenAI moderation result (see the module's docstring)."""
    found = violation.categories if violation is not None else {}
    names = [*OPENAI_CATEGORIES, *(c for c in found if c not in OPENAI_CATEGORIES)]
    out: dict[str, Any] = {
        "flagged": violation is not None and violation.level is Level.ERROR,
        "categories": {c: found.get(c) is Level.ERROR for c in names},
        "category_scores": {c: _SCORES.get(found.get(c), 0.0) for c in names},
        "category_applied_input_types": {c: ["text"] for c in names},
    }
    if violation is not None:
        out["user_message"] = violation.user_message
        out["metadata"] = {**violation.metadata, "violation_level": violation.level.value}
    return out


async def _bounded(calls: Sequence[Awaitable[T]], limit: int) -> list[T]:
    """The results of `calls`, at most `limit` running at once; the first failure cancels
    the rest."""
    if len(calls) == 1:  # the common case, without a task
        return [await calls[0]]
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    tasks = [asyncio.ensure_future(one(c)) for c in calls]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()


class ModerationService:
    def __init__(self, safety: SafetyService) -> None:
        self.safety = safety

    async def moderate(self, provider_id: str | None, request: ModerationRequest) -> dict:
        """OpenAI's moderation object: one result per input, in order."""
        texts = input_texts(request.input)
        runs = [
            self.safety.run_shield(
                provider_id,
                RunRequest(
                    request.shield_id,
                    (ShieldMessage(Role.USER, text),),
                    timeout=request.timeout,
                ),
            )
            for text in texts
        ]
        violations = await _bounded(runs, MAX_PARALLEL)
        return {
            "id": f"modr-{uuid.uuid4().hex}",
            "model": request.shield_id,
            "results": [result(v) for v in violations],
        }
