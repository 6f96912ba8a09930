"""The checks of `inline::basic`: each maps (generated answer, expected answer, params) to a
score row. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from fractions import Fraction

__all__ = [
    "MATH_ANSWER_REGEXES",
    "MULTIPLE_CHOICE_REGEXES",
    "equality",
    "math_response",
    "multiple_choice",
    "normalize_math",
    "subset_of",
]

#: How an answer is introduced, in several languages. Texts are NFKC-normalised before
#: matching, so full-width letters and colons match these ASCII ones.
_ANSWER_WORDS = (
    r"Answer\s*:", r"Answer\s+is\s*:?", r"Antwort\s*:", r"Réponse\s*:", r"Respuesta\s*:",
    r"Risposta\s*:", r"Resposta\s*:", r"Jawaban\s*:", r"Ответ\s*:", r"答案\s*:", r"答\s*:",
    r"정답\s*:", r"답\s*:", r"उत्तर\s*:", r"উত্তর\s*:", r"الإجابة\s*:", r"الجواب\s*:",
)  # fmt: skip
#: The default `parsing_regexes` of regex_parser_multiple_choice_answer: group 1 is the letter.
MULTIPLE_CHOICE_REGEXES: tuple[str, ...] = tuple(
    rf"(?i){word}[ \t*]*\(?\$?([A-J])\$?\)?(?![A-Za-z])" for word in _ANSWER_WORDS
)
#: The default `parsing_regexes` of regex_parser_math_response: group 1 is the answer.
MATH_ANSWER_REGEXES: tuple[str, ...] = (
    r"\\boxed\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}",
    r"(?i)final answer is:?\s*\$?([^\n$]+?)\$?\s*(?:\.\s*)?$",
    r"(?i)answer is:?\s*\$?([^\n$]+?)\$?\s*(?:\.\s*)?$",
    r"(?i)answer\s*:\s*\$?([^\n$]+?)\$?\s*(?:\.\s*)?$",
)


def equality(generated: str, expected: str) -> dict:
    """1.0 when the answers are equal (surrounding whitespace ignored)."""
    return {"score": 1.0 if generated.strip() == expected.strip() else 0.0}


def subset_of(generated: str, expected: str) -> dict:
    """1.0 when the expected answer occurs in the generated one."""
    return {"score": 1.0 if expected.strip() in generated else 0.0}


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _first_match(patterns: Sequence[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        found = list(pattern.finditer(text))
        if found:
            last = found[-1]
            return last.group(1) if last.groups() else last.group(0)
    return None


def multiple_choice(generated: str, expected: str, patterns: Sequence[re.Pattern[str]]) -> dict:
    """Parse the chosen letter (the last match of the first pattern that matches)."""
    parsed = _first_match(patterns, _nfkc(generated))
    letter = parsed.strip().upper() if parsed else None
    want = _nfkc(expected).strip().upper().strip("()")
    return {"score": 1.0 if letter is not None and letter == want else 0.0, "parsed_answer": letter}


def math_response(generated: str, expected: str, patterns: Sequence[re.Pattern[str]]) -> dict:
    """Parse the final answer (boxed, "the answer is", or else the last number) and compare
    it with the expected one: as numbers when both are, else as normalised text. An expected
    answer in GSM8K's form (a worked solution ending `#### 18`) counts by its final line."""
    if "####" in expected:
        expected = expected.rsplit("####", 1)[1]
    parsed = _first_match(patterns, generated)
    if parsed is None:
        numbers = re.findall(r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?", generated)
        parsed = numbers[-1] if numbers else None
    if parsed is None:
        return {"score": 0.0, "parsed_answer": None}
    same = _same_math(normalize_math(parsed), normalize_math(expected))
    return {"score": 1.0 if same else 0.0, "parsed_answer": parsed.strip()}


_LATEX_WRAPPERS = re.compile(r"\\(?:text|textbf|mathrm|mathbf|boxed)\{([^{}]*)\}")
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}")


def normalize_math(answer: str) -> str:
    """Strip LaTeX wrappers, `$`, units of `\\%`, thousands separators and trailing dots."""
    text = answer.strip()
    for _ in range(3):
        text = _LATEX_WRAPPERS.sub(r"\1", text)
    text = _FRAC.sub(r"(\1)/(\2)", text)
    text = text.replace("\\left", "").replace("\\right", "").replace("\\!", "")
    text = text.replace("$", "").replace("\\%", "%").replace("\\,", "").strip()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = text.rstrip(".").strip()
    return re.sub(r"\s+", "", text).lower()


def _number(text: str) -> Fraction | None:
    text = text.removesuffix("%")
    m = re.fullmatch(r"\(?(-?\d+(?:\.\d+)?)\)?/\(?(-?\d+(?:\.\d+)?)\)?", text)
    try:
        if m:
            return Fraction(m.group(1)) / Fraction(m.group(2))
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def _same_math(a: str, b: str) -> bool:
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return abs(x - y) <= Fraction(1, 10**6) * max(1, abs(y))
    return a == b
