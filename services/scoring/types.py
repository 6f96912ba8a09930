"""The scoring domain: scoring functions, their parameters and results, on plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from services.common.errors import InvalidArgument

__all__ = ["FnParams", "Row", "ScoreResult", "ScoringFn", "as_text"]

Row = dict[str, Any]


@dataclass(frozen=True)
class FnParams:
    """A scoring function's parameters; `kind` "" = none given."""

    kind: str = ""
    aggregation_functions: tuple[str, ...] = ()
    parsing_regexes: tuple[str, ...] = ()
    judge_model: str = ""
    prompt_template: str = ""
    judge_score_regexes: tuple[str, ...] = ()

    def merged(self, override: FnParams | None, fn_id: str) -> FnParams:
        """These params with the non-empty fields of `override` (of the same kind) on top."""
        if override is None or not override.kind:
            return self
        if self.kind and override.kind != self.kind:
            raise InvalidArgument(
                f"scoring function {fn_id} takes {self.kind} params, not {override.kind}",
                scoringFnId=fn_id,
            )
        changes = {
            name: getattr(override, name)
            for name in ("aggregation_functions", "parsing_regexes", "judge_model",
                         "prompt_template", "judge_score_regexes")
            if getattr(override, name)
        }  # fmt: skip
        return replace(self, kind=override.kind, **changes)


@dataclass(frozen=True)
class ScoringFn:
    """A registered scoring function as a provider sees it."""

    identifier: str
    provider_id: str
    #: The provider's own id: which of its implementations runs (`basic::equality`).
    provider_fn_id: str
    params: FnParams = field(default_factory=FnParams)
    description: str = ""
    return_type: str = "number"


@dataclass
class ScoreResult:
    score_rows: list[Row]
    aggregated_results: dict[str, Any]


def as_text(value: Any) -> str:
    """A row value as text: numbers read from JSON come back as floats (4.0 -> "4")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
