"""The judge prompts of the built-in functions. Placeholders: `{input_query}`,
`{expected_answer}`, `{generated_answer}` (literal braces are written `{{ }}`)."""

from __future__ import annotations

__all__ = ["BASE_PROMPT", "BASE_REGEXES", "SIMPLEQA_PROMPT", "SIMPLEQA_REGEXES"]

BASE_PROMPT = """You are grading an answer to a question against the expected answer.
Question: {input_query}
Expected answer: {expected_answer}
Answer to grade: {generated_answer}
Rate how well the answer matches the expected answer from 0 (wrong) to 5 (fully correct).
Reply with one line in the form "Score: <0-5>"."""

BASE_REGEXES = (r"Score:\s*(\d+(?:\.\d+)?)",)

SIMPLEQA_PROMPT = """Your job is to grade a predicted answer as CORRECT, INCORRECT or NOT_ATTEMPTED.
A predicted answer is CORRECT when it contains the gold target's meaning and contradicts
nothing in it; INCORRECT when it contradicts the gold target; NOT_ATTEMPTED when it neither
gives nor contradicts the gold target (for example "I don't know").

Question: {input_query}
Gold target: {expected_answer}
Predicted answer: {generated_answer}

Grade the predicted answer: reply with one letter only.
A: CORRECT
B: INCORRECT
C: NOT_ATTEMPTED"""

SIMPLEQA_REGEXES = (r"\b([ABC])\b",)
