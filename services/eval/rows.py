"""From a dataset row to what the candidate is asked, and to what scoring reads.

Accepted row shapes (the reference's eval columns and our dataset purposes):
- `chat_completion_input`: messages as JSON text or a list (`{role, content}`);
- `messages` (eval/messages-answer): a list of messages;
- `completion_input`: text for a plain completion;
- `question` or `input_query` (eval/question-answer): one user message.
The expected answer is `expected_answer` or `answer`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.common.errors import InvalidArgument
from services.eval.types import Row

__all__ = ["Prompt", "prompt_of", "scoring_row"]

_ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Prompt:
    """Chat messages (`{role, content}` with text content) or, for completion, `text`."""

    messages: tuple[tuple[str, str], ...] = ()
    text: str | None = None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return "".join(_text(c) for c in content)
    return "" if content is None else str(content)


def _messages(value: Any, index: int) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidArgument(f"row {index}: chat_completion_input is not JSON") from None
    if not isinstance(value, list) or not value:
        raise InvalidArgument(f"row {index}: messages must be a non-empty list of messages")
    out = []
    for m in value:
        role = str(m.get("role", "")).lower() if isinstance(m, dict) else ""
        if role not in _ROLES:
            raise InvalidArgument(
                f"row {index}: message roles must be one of {', '.join(_ROLES)} (got {role!r})"
            )
        out.append((role, _text(m.get("content"))))
    return tuple(out)


def prompt_of(row: Row, index: int) -> Prompt:
    for column in ("chat_completion_input", "messages"):
        if column in row:
            return Prompt(messages=_messages(row[column], index))
    if "completion_input" in row:
        return Prompt(text=_text(row["completion_input"]))
    for column in ("question", "input_query"):
        if column in row:
            return Prompt(messages=(("user", _text(row[column])),))
    raise InvalidArgument(
        f"row {index} has no input: give chat_completion_input, messages, completion_input, "
        f"question or input_query (its columns: {', '.join(row) or 'none'})"
    )


def scoring_row(row: Row, prompt: Prompt, generated: str) -> Row:
    """What the scoring functions read: the row's columns plus `input_query`,
    `expected_answer` and `generated_answer`."""
    out = {k: v for k, v in row.items() if not isinstance(v, dict | list)}
    if "input_query" not in out:
        users = [text for role, text in prompt.messages if role == "user"]
        out["input_query"] = users[-1] if users else (prompt.text or "")
    if "expected_answer" not in out and "answer" in row:
        out["expected_answer"] = row["answer"]
    out["generated_answer"] = generated
    return out
