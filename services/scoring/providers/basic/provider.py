"""`inline::basic`: the reference's basic scoring functions (`basic::equality`,
`basic::subset_of`, `basic::regex_parser_multiple_choice_answer`,
`basic::regex_parser_math_response`). Rows need `generated_answer` and `expected_answer`
(or `answer`)."""

from __future__ import annotations

from collections.abc import Sequence

from services.scoring.columns import expected_of, generated_of
from services.scoring.provider import Builtin, ScoringProviderBase, compile_regexes
from services.scoring.providers.basic import functions
from services.scoring.types import FnParams, Row, ScoringFn

__all__ = ["BasicProvider"]

_ACCURACY = ("accuracy",)
_REGEX_FNS = {
    "basic::regex_parser_multiple_choice_answer": (
        functions.multiple_choice, functions.MULTIPLE_CHOICE_REGEXES),
    "basic::regex_parser_math_response": (functions.math_response, functions.MATH_ANSWER_REGEXES),
}  # fmt: skip


class BasicProvider(ScoringProviderBase):
    provider_type = "inline::basic"
    builtins = {
        "basic::equality": Builtin(
            "1 when the generated answer equals the expected one (whitespace around ignored)",
            FnParams("basic", _ACCURACY),
        ),
        "basic::subset_of": Builtin(
            "1 when the expected answer occurs in the generated one",
            FnParams("basic", _ACCURACY),
        ),
        "basic::regex_parser_multiple_choice_answer": Builtin(
            "1 when the letter parsed from the answer ('Answer: B', in several languages) is "
            "the expected one",
            FnParams("regex_parser", _ACCURACY, functions.MULTIPLE_CHOICE_REGEXES),
        ),
        "basic::regex_parser_math_response": Builtin(
            "1 when the final answer parsed from the response (\\boxed{}, 'the answer is', "
            "or the last number) equals the expected one, compared as numbers when both are",
            FnParams("regex_parser", _ACCURACY, functions.MATH_ANSWER_REGEXES),
        ),
    }

    def check(self, fn: ScoringFn) -> None:
        super().check(fn)
        compile_regexes(fn.params.parsing_regexes, "parsing_regexes", fn.identifier)

    async def score(self, fn: ScoringFn, rows: Sequence[Row]) -> list[Row]:
        pairs = [
            (generated_of(r, i, fn.identifier), expected_of(r, i, fn.identifier))
            for i, r in enumerate(rows)
        ]
        if fn.provider_fn_id in _REGEX_FNS:
            check, defaults = _REGEX_FNS[fn.provider_fn_id]
            patterns = compile_regexes(
                fn.params.parsing_regexes or defaults, "parsing_regexes", fn.identifier
            )
            return [check(g, e, patterns) for g, e in pairs]
        check_pair = (
            functions.subset_of if fn.provider_fn_id == "basic::subset_of" else functions.equality
        )
        return [check_pair(g, e) for g, e in pairs]
