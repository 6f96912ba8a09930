"""Policy rules: what a rule says (`RuleSpec`, from config or shield params), how it matches
(`Rule`), and how a list of rules judges a conversation (`evaluate`).

A rule has one kind of matcher — `detectors` (built-in PII and secret detectors), `keywords`
(words and phrases, matched on folded text and on split-token runs) or `patterns` (RE2
regular expressions: linear time, so no pattern can stall the service) — an action
(`block` → an ERROR violation, `warn` → a WARN violation), an optional message shown to the
user, and optionally the roles whose messages it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import re2
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.safety.providers.policy import detectors as det
from services.safety.providers.policy.normalize import Views, fold, words
from services.safety.types import Level, Role, ShieldMessage, Violation

__all__ = ["MAX_FINDINGS", "Rule", "RuleSpec", "compile_rules", "evaluate"]

#: Findings listed in a violation's metadata.
MAX_FINDINGS = 20
#: Keywords of this many letters or more are also found inside split-token runs
#: ("make a b o m b" → "abomb"); shorter ones only when a run is exactly the keyword.
_RUN_SUBSTRING_MIN = 4
_KEYWORD_MAX_CHARS = 200
_PATTERN_MAX_CHARS = 1000

_GROUP_WHAT = {"pii": "personal data", "secrets": "a secret (a credential or private key)"}

RoleName = Literal["system", "user", "assistant", "tool"]


class RuleSpec(BaseModel):
    """One rule as written in a run.yaml rule set or a shield's `params.rules`."""

    model_config = ConfigDict(extra="forbid")

    #: Shown in the violation's metadata; defaults to what the rule matches.
    name: str | None = Field(None, min_length=1, max_length=64)
    action: Literal["block", "warn"] = "block"
    #: Shown to the user; defaults to a sentence naming what was found.
    message: str | None = Field(None, min_length=1, max_length=1000)
    detectors: list[str] | None = Field(None, min_length=1)
    keywords: list[str] | None = Field(None, min_length=1, max_length=10_000)
    patterns: list[str] | None = Field(None, min_length=1, max_length=100)
    #: keywords: match whole words and phrases (False: anywhere, even across word breaks).
    whole_words: bool = True
    #: patterns: match case (False: case-insensitive).
    case_sensitive: bool = False
    #: patterns: read the clean text ("text") or the folded one ("folded": look-alikes,
    #: accents, case and leetspeak removed; for word patterns, not digit patterns).
    match_on: Literal["text", "folded"] = "text"
    #: Only messages of these roles (default: every message).
    roles: list[RoleName] | None = Field(None, min_length=1)
    #: phone detector: regions whose national numbers count (default: the provider's).
    phone_regions: list[str] | None = None

    @model_validator(mode="after")
    def _one_matcher(self) -> RuleSpec:
        kinds = [k for k in ("detectors", "keywords", "patterns") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "a rule has exactly one of detectors, keywords or patterns"
                + (f" (this one has {', '.join(kinds)})" if kinds else "")
            )
        return self

    @field_validator("detectors")
    @classmethod
    def _known_detectors(cls, value: list[str] | None) -> list[str] | None:
        det.expand(value or ())
        return value

    @field_validator("phone_regions")
    @classmethod
    def _known_regions(cls, value: list[str] | None) -> list[str] | None:
        return list(det.phone_regions(value)) if value is not None else None

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str] | None) -> list[str] | None:
        for kw in value or ():
            if not words(fold(kw)):
                raise ValueError(f"keyword {kw!r} has no letters or digits")
            if len(kw) > _KEYWORD_MAX_CHARS:
                raise ValueError(f"keyword {kw[:40]!r}… is longer than {_KEYWORD_MAX_CHARS}")
        return value

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        for i, p in enumerate(value or ()):
            if len(p) > _PATTERN_MAX_CHARS:
                raise ValueError(f"pattern {p[:40]!r}… is longer than {_PATTERN_MAX_CHARS}")
            _re2(p, case_sensitive=True, where=f"patterns[{i}]")
        return value


def _re2(pattern: str, case_sensitive: bool, where: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(
            f"{where} {pattern[:60]!r} is not a valid RE2 pattern: {detail} (RE2 has no "
            "backreferences or lookaround)"
        ) from None


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    message: str
    roles: frozenset[Role] | None
    #: The views of one message -> labels of what matched (detector names, keywords,
    #: "pattern 2"), never the matched text.
    match: Callable[[Views], list[str]]


def compile_rules(specs: Sequence[RuleSpec], phone_regions: Sequence[str]) -> list[Rule]:
    """Rules ready to run (specs were validated when parsed, so this cannot fail)."""
    return [_compile(spec, phone_regions) for spec in specs]


def _compile(spec: RuleSpec, phone_regions: Sequence[str]) -> Rule:
    if spec.detectors:
        matcher, default_name, what = _detector_matcher(spec, phone_regions)
    elif spec.keywords:
        matcher, default_name, what = _keyword_matcher(spec), "keywords", "a blocked term"
    else:
        matcher, default_name = _pattern_matcher(spec), "patterns"
        what = "text matching a blocked pattern"
    if spec.action == "block":
        message = f"This message was blocked by the safety policy: it contains {what}."
    else:
        message = f"Careful: this message contains {what}."
    return Rule(
        name=spec.name or default_name,
        action=spec.action,
        message=spec.message or message,
        roles=frozenset(Role(r) for r in spec.roles) if spec.roles else None,
        match=matcher,
    )


def _detector_matcher(
    spec: RuleSpec, provider_regions: Sequence[str]
) -> tuple[Callable[[Views], list[str]], str, str]:
    given = [n.strip().lower() for n in spec.detectors or ()]
    names = det.expand(given)
    chosen = [det.DETECTORS[n] for n in names]
    regions = tuple(spec.phone_regions if spec.phone_regions is not None else provider_regions)

    def match(views: Views) -> list[str]:
        return [d.name for d in chosen if d.count(views.clean, regions)]

    if len(given) == 1 and given[0] in _GROUP_WHAT:
        what = _GROUP_WHAT[given[0]]
    elif len(chosen) <= 2:
        what = " or ".join(d.what for d in chosen)
    else:
        what = "personal data or a secret"
    return match, "+".join(given), what


def _keyword_matcher(spec: RuleSpec) -> Callable[[Views], list[str]]:
    # Each keyword as its folded words: single words in a set, phrases by their first word.
    by_words: dict[tuple[str, ...], str] = {}
    for kw in spec.keywords or ():
        by_words.setdefault(tuple(words(fold(kw))), kw)
    singles = {w[0]: kw for w, kw in by_words.items() if len(w) == 1}
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for w, kw in by_words.items():
        if len(w) > 1:
            phrases.setdefault(w[0], []).append((w, kw))
    compact = {"".join(w): kw for w, kw in by_words.items()}
    long_compact = {c: kw for c, kw in compact.items() if len(c) >= _RUN_SUBSTRING_MIN}
    whole = spec.whole_words

    def match(views: Views) -> list[str]:
        found: dict[str, None] = {}
        tokens = views.words
        for i, token in enumerate(tokens):
            if token in singles:
                found[singles[token]] = None
            for phrase, kw in phrases.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    found[kw] = None
        if not whole:
            text = "".join(tokens)
            found.update((kw, None) for c, kw in compact.items() if c in text)
        for run in views.runs:
            if run in compact:
                found[compact[run]] = None
            found.update((kw, None) for c, kw in long_compact.items() if c in run)
        return list(found)

    return match


def _pattern_matcher(spec: RuleSpec) -> Callable[[Views], list[str]]:
    compiled = [
        (f"pattern {i}", _re2(p, spec.case_sensitive, f"patterns[{i}]"))
        for i, p in enumerate(spec.patterns or ())
    ]
    folded = spec.match_on == "folded"

    def match(views: Views) -> list[str]:
        text = views.folded if folded else views.clean
        return [label for label, p in compiled if p.search(text)]

    return match


@dataclass(frozen=True)
class _Finding:
    rule_index: int
    message_index: int
    label: str


def evaluate(rules: Sequence[Rule], messages: Sequence[ShieldMessage]) -> Violation | None:
    """Every rule over every message (of its roles). Any `block` finding → ERROR with the
    message of the first blocking rule (in rule order); only `warn` findings → WARN. The
    names of the rules that found something are the violation's moderation categories."""
    findings: list[_Finding] = []
    for m_index, message in enumerate(messages):
        views = Views(message.text)
        for r_index, rule in enumerate(rules):
            if rule.roles is None or message.role in rule.roles:
                findings.extend(_Finding(r_index, m_index, lb) for lb in rule.match(views))
    if not findings:
        return None
    findings.sort(key=lambda f: (f.rule_index, f.message_index))
    blocking = [f for f in findings if rules[f.rule_index].action == "block"]
    top = rules[(blocking or findings)[0].rule_index]
    names = list(dict.fromkeys(rules[f.rule_index].name for f in findings))
    # Moderation categories are rule names; a name some rule blocks on is ERROR.
    blocked = {rules[f.rule_index].name for f in blocking}
    categories = {n: Level.ERROR if n in blocked else Level.WARN for n in names}
    return Violation(
        level=Level.ERROR if blocking else Level.WARN,
        user_message=top.message,
        metadata={
            "violation_type": top.name,
            "action": top.action,
            "rules": names,
            "findings": [
                {
                    "rule": rules[f.rule_index].name,
                    "action": rules[f.rule_index].action,
                    "match": f.label,
                    "message_index": f.message_index,
                }
                for f in findings[:MAX_FINDINGS]
            ],
            "finding_count": len(findings),
        },
        categories=categories,
    )
