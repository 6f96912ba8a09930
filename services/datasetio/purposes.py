"""What each dataset purpose requires of its rows, checked at registration and on append.

Each required column accepts the reference's eval column name as an alias (`input_query`,
`expected_answer`, `chat_completion_input`), so reference-style eval datasets register
under the matching purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.common.errors import InvalidArgument
from services.datasetio.types import Row

__all__ = ["PURPOSES", "check_columns", "check_rows"]

#: purpose -> required columns, each a tuple of accepted names (the first is the name).
PURPOSES: dict[str, tuple[tuple[str, ...], ...]] = {
    "post-training/messages": (("messages",),),
    "eval/question-answer": (("question", "input_query"), ("answer", "expected_answer")),
    "eval/messages-answer": (("messages", "chat_completion_input"), ("answer", "expected_answer")),
}


def _missing(purpose: str, columns: Iterable[str]) -> tuple[str, ...] | None:
    have = set(columns)
    for names in PURPOSES.get(purpose, ()):
        if not have.intersection(names):
            return names
    return None


def _name(names: Sequence[str]) -> str:
    aliases = " or ".join(repr(n) for n in names[1:])
    return f"{names[0]!r}" + (f" (or {aliases})" if aliases else "")


def check_columns(dataset: str, purpose: str, columns: Sequence[str], where: str) -> None:
    """INVALID_ARGUMENT naming the first required column `columns` lacks."""
    missing = _missing(purpose, columns)
    if missing is not None:
        raise InvalidArgument(
            f"dataset {dataset} (purpose {purpose}): {where} has no column {_name(missing)}; "
            f"its columns: {', '.join(columns) or 'none'}",
            column=missing[0],
        )


def check_rows(dataset: str, purpose: str, rows: Sequence[Row], first_index: int = 0) -> None:
    """Every row has the purpose's columns (rows of JSON files may differ from each other)."""
    if purpose not in PURPOSES:
        return
    for i, row in enumerate(rows):
        if _missing(purpose, row) is not None:
            check_columns(dataset, purpose, list(row), f"row {first_index + i}")
