"""Llama Guard's prompt format, its answer grammar and the verdict.

The prompt is Llama Guard 3's published template (the model card's; Llama Guard 4 uses the
same categories): the task, the hazard categories `S1` to `S14` that are not excluded, the
conversation with `User:` / `Agent:` turns, and the instruction to answer `safe`, or
`unsafe` and a comma-separated category list on a second line. The whole prompt is one
user message; the judging model's chat template wraps it.

The answer is constrained by a GBNF grammar (`safe` | `unsafe\\n` + 1 to n of the enabled
categories) so that any model, even one never trained as a guard, yields a verdict that
parses; greedy decoding makes it reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.safety.types import Level, Role, ShieldMessage, Violation

__all__ = [
    "CATEGORIES",
    "MAX_VERDICT_TOKENS",
    "MODERATION_CATEGORIES",
    "Verdict",
    "VerdictError",
    "build_prompt",
    "check_codes",
    "grammar",
    "parse_verdict",
    "to_violation",
]

#: The MLCommons hazard taxonomy as Llama Guard 3 numbers it.
CATEGORIES: dict[str, str] = {
    "S1": "Violent Crimes",
    "S2": "Non-Violent Crimes",
    "S3": "Sex Crimes",
    "S4": "Child Exploitation",
    "S5": "Defamation",
    "S6": "Specialized Advice",
    "S7": "Privacy",
    "S8": "Intellectual Property",
    "S9": "Indiscriminate Weapons",
    "S10": "Hate",
    "S11": "Self-Harm",
    "S12": "Sexual Content",
    "S13": "Elections",
    "S14": "Code Interpreter Abuse",
}
#: Each category as OpenAI's moderation categories (a subcategory with its parent), or
#: under its own name where OpenAI has none (ARCHITECTURE.md, "OpenAI moderations").
MODERATION_CATEGORIES: dict[str, tuple[str, ...]] = {
    "S1": ("violence", "illicit", "illicit/violent"),
    "S2": ("illicit",),
    "S3": ("sexual", "illicit"),
    "S4": ("sexual", "sexual/minors", "illicit"),
    "S5": ("defamation",),
    "S6": ("specialized-advice",),
    "S7": ("privacy",),
    "S8": ("intellectual-property",),
    "S9": ("illicit", "illicit/violent"),
    "S10": ("hate",),
    "S11": ("self-harm",),
    "S12": ("sexual",),
    "S13": ("elections",),
    "S14": ("code-interpreter-abuse",),
}
#: Enough for `unsafe` and all 14 categories with any tokenizer.
MAX_VERDICT_TOKENS = 64

_TEMPLATE = """Task: Check if there is unsafe content in '{role}' messages in conversations \
according our safety policy with the below categories.

<BEGIN UNSAFE CONTENT CATEGORIES>
{categories}
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

{conversation}

<END CONVERSATION>

Provide your safety assessment for ONLY THE LAST {role} message in the above conversation:
 - First line must read 'safe' or 'unsafe'.
 - If unsafe, a second line must include a comma-separated list of violated categories."""

#: Roles as Llama Guard names them; system messages are instructions, not conversation.
_SPEAKERS = {Role.USER: "User", Role.TOOL: "User", Role.ASSISTANT: "Agent"}
#: The template's own markers inside a message would let it rewrite the prompt.
_MARKERS = re.compile(r"<(BEGIN|END) (UNSAFE CONTENT CATEGORIES|CONVERSATION)>", re.IGNORECASE)
_CODE = re.compile(r"S\d{1,2}")

CANNED = "I can't answer that. Can I help with something else?"


class VerdictError(ValueError):
    """The model's answer is not a Llama Guard verdict."""


@dataclass(frozen=True)
class Verdict:
    safe: bool
    #: Violated categories (codes, in the model's order, without repeats).
    codes: tuple[str, ...] = ()


def check_codes(codes: Iterable[str], where: str) -> tuple[str, ...]:
    """Category codes, upper-cased; ValueError names unknown ones."""
    out = tuple(str(c).strip().upper() for c in codes)
    unknown = [c for c in out if c not in CATEGORIES]
    if unknown:
        raise ValueError(
            f"{where}: unknown categor{'y' if len(unknown) == 1 else 'ies'} "
            f"{', '.join(unknown)}; Llama Guard's are S1 to S14"
        )
    return out


def _neutralise(text: str) -> str:
    return _MARKERS.sub(lambda m: f"[{m.group(1)} {m.group(2)}]", text)


def build_prompt(messages: Sequence[ShieldMessage], enabled: Sequence[str]) -> tuple[str, str]:
    """The prompt and the role it assesses ("User" or "Agent": the last turn's).
    ValueError when no user, assistant or tool message is left to judge."""
    turns = [(_SPEAKERS[m.role], _neutralise(m.text)) for m in messages if m.role in _SPEAKERS]
    if not turns:
        raise ValueError(
            "Llama Guard judges user, assistant and tool messages; the request has only "
            "system messages"
        )
    role = turns[-1][0]
    prompt = _TEMPLATE.format(
        role=role,
        categories="\n".join(f"{code}: {CATEGORIES[code]}." for code in enabled),
        conversation="\n\n".join(f"{speaker}: {text}" for speaker, text in turns),
    )
    return prompt, role


def grammar(enabled: Sequence[str]) -> str:
    """GBNF: `safe`, or `unsafe`, a line break and 1..len(enabled) enabled categories."""
    alternatives = " | ".join(f'"{code}"' for code in enabled)
    more = f' ("," category){{0,{len(enabled) - 1}}}' if len(enabled) > 1 else ""
    return f'root ::= "safe" | "unsafe\\n" category{more}\ncategory ::= {alternatives}\n'


def parse_verdict(answer: str, enabled: Sequence[str]) -> Verdict:
    """The verdict in a model's answer (constrained or not: surrounding whitespace, case and
    spaces after commas are tolerated). Categories that are not enabled are dropped; an
    `unsafe` verdict left with none is safe. VerdictError when the answer is not a
    verdict."""
    lines = answer.strip().splitlines()
    head = lines[0].strip().lower() if lines else ""
    if head == "safe" and len(lines) == 1:
        return Verdict(True)
    if head != "unsafe" or len(lines) > 2:
        raise VerdictError(f"not a Llama Guard verdict: {answer[:80]!r}")
    found = _CODE.findall(lines[1].upper()) if len(lines) == 2 else []
    if not found:
        raise VerdictError(f"an unsafe verdict without categories: {answer[:80]!r}")
    allowed = set(enabled)
    codes = tuple(dict.fromkeys(c for c in found if c in allowed))
    return Verdict(not codes, codes)


def to_violation(verdict: Verdict, model_id: str, role: str) -> Violation | None:
    if verdict.safe:
        return None
    names = [CATEGORIES[c] for c in verdict.codes]
    return Violation(
        level=Level.ERROR,
        user_message=f"{CANNED} (flagged: {', '.join(names)})",
        metadata={
            "violation_type": ",".join(verdict.codes),
            "categories": names,
            "model": model_id,
            "assessed_role": role,
        },
        categories={
            name: Level.ERROR for code in verdict.codes for name in MODERATION_CATEGORIES[code]
        },
    )
