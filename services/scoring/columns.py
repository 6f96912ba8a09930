"""The row columns scoring reads: `generated_answer`, `expected_answer` (or `answer`) and,
for judges, `input_query` (or `question`)."""

from __future__ import annotations

from services.common.errors import InvalidArgument
from services.scoring.types import Row, as_text

__all__ = ["expected_of", "generated_of", "query_of"]


def _missing(row: Row, index: int, fn_id: str, column: str) -> InvalidArgument:
    return InvalidArgument(
        f"{fn_id}: row {index} has no {column} column; its columns: {', '.join(row) or 'none'}",
        scoringFnId=fn_id,
    )


def expected_of(row: Row, index: int, fn_id: str) -> str:
    for column in ("expected_answer", "answer"):
        if column in row:
            return as_text(row[column])
    raise _missing(row, index, fn_id, "expected_answer (or answer)")


def generated_of(row: Row, index: int, fn_id: str) -> str:
    if "generated_answer" not in row:
        raise _missing(row, index, fn_id, "generated_answer")
    return as_text(row["generated_answer"])


def query_of(row: Row) -> str:
    return as_text(row.get("input_query", row.get("question", "")))
