"""Built-in detectors of personal data and secrets, over a message's `clean` text.

PII: e-mail addresses (also `name [at] host [dot] com`), phone numbers (Google's
libphonenumber through `phonenumbers`: international numbers anywhere, national numbers of
the configured regions, validated against each region's numbering plan), payment card
numbers (13 to 19 digits, a card network's prefix, the Luhn check), IBANs (country format and
the ISO 7064 mod-97 checksum, from `python-stdnum`). Secrets: the published shapes of cloud
and SaaS credentials and PEM private key blocks.

A detector counts what it finds; it never returns the text it matched (a shield's answer
must not carry the secret it caught).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn

__all__ = ["DETECTORS", "GROUPS", "Detector", "expand", "phone_regions"]


@dataclass(frozen=True)
class Detector:
    name: str
    #: What it finds, for messages: "a credit card number".
    what: str
    #: (clean text, phone regions) -> how many it found.
    count: Callable[[str, Sequence[str]], int]


def _regex(pattern: str, hints: tuple[str, ...]) -> Callable[[str, Sequence[str]], int]:
    """A pattern run only on texts holding one of its literal `hints` (a plain substring
    test costs far less than a regex scan, and most texts hold no secret)."""
    compiled = re.compile(pattern)

    def count(text: str, regions: Sequence[str]) -> int:
        if not any(h in text for h in hints):
            return 0
        return sum(1 for _ in compiled.finditer(text))

    return count


def _digits(text: str) -> int:
    return sum(text.count(d) for d in "0123456789")


# -- personal data ----------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])"
    r"|(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}\s?[\[({]\s?at\s?[\])}]\s?"
    r"(?:[A-Za-z0-9-]{1,63}\s?[\[({]\s?dot\s?[\])}]\s?){1,8}[A-Za-z]{2,24}(?![\w-])",
    re.IGNORECASE,
)
_SEVEN_DIGITS = re.compile(r"(?:\d\D{0,4}){7}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-]?\d)")
#: Prefixes of the card networks (Visa, Mastercard, Amex, Diners, JCB, Discover, UnionPay,
#: Maestro): a Luhn-valid number without one is an id, not a card.
_CARD_PREFIX = re.compile(r"4|5[0-9]|2[2-7]|3[0478]|35|6")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){11,30}")
_NOT_DIGIT = re.compile(r"\D")
_SPACES = re.compile(r"[ -]")


def _emails(text: str, regions: Sequence[str]) -> int:
    if "@" not in text and not any(b in text for b in "[({"):
        return 0
    return sum(1 for _ in _EMAIL.finditer(text))


def _phones(text: str, regions: Sequence[str]) -> int:
    if _digits(text) < 7 or not _SEVEN_DIGITS.search(text):
        return 0
    spans = set()
    for region in regions or ("ZZ",):
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            spans.add((match.start, match.end))
    return len(spans)


def _cards(text: str, regions: Sequence[str]) -> int:
    if _digits(text) < 13:
        return 0
    found = 0
    for m in _CARD.finditer(text):
        digits = _NOT_DIGIT.sub("", m.group(0))
        if _CARD_PREFIX.match(digits) and luhn.is_valid(digits):
            found += 1
    return found


def _ibans(text: str, regions: Sequence[str]) -> int:
    found = 0
    for m in _IBAN.finditer(text):
        compact = _SPACES.sub("", m.group(0)).upper()
        # The match may run into the next word: the longest valid prefix is the IBAN.
        if any(iban.is_valid(compact[:n]) for n in range(len(compact), 14, -1)):
            found += 1
    return found


# -- secrets ----------------------------------------------------------------------------------

#: name -> (what it is, pattern, literals one of which any match contains).
_SECRETS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aws_access_key": (
        "an AWS access key id",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])",
        ("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    "aws_secret_key": (
        "an AWS secret access key",
        r"(?i:aws)[\w .-]{0,20}(?i:secret)[\w .-]{0,20}[\"':= ]{1,5}[A-Za-z0-9/+]{40}"
        r"(?![A-Za-z0-9/+])",
        ("aws", "AWS", "Aws"),
    ),
    "github_token": (
        "a GitHub token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})\b",
        ("gh", "github_pat_"),
    ),
    "gitlab_token": ("a GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}", ("glpat-",)),
    "openai_api_key": (
        "an OpenAI API key",
        r"\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{48}\b)",
        ("sk-",),
    ),
    "anthropic_api_key": (
        "an Anthropic API key",
        r"\bsk-ant-[a-z]{3,5}\d{2}-[A-Za-z0-9_-]{80,}",
        ("sk-ant-",),
    ),
    "slack_token": ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", ("xox",)),
    "stripe_key": (
        "a Stripe secret key",
        r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{20,}",
        ("k_live_", "k_test_"),
    ),
    "google_api_key": (
        "a Google API key",
        r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
        ("AIza",),
    ),
    "huggingface_token": ("a Hugging Face token", r"\bhf_[A-Za-z0-9]{34,}\b", ("hf_",)),
    "jwt": (
        "a JSON web token",
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        ("eyJ",),
    ),
    "private_key": (
        "a private key",
        r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----",
        ("-----BEGIN ",),
    ),
}

DETECTORS: dict[str, Detector] = {
    d.name: d
    for d in (
        Detector("email", "an e-mail address", _emails),
        Detector("phone", "a phone number", _phones),
        Detector("credit_card", "a credit card number", _cards),
        Detector("iban", "a bank account number (IBAN)", _ibans),
        *(Detector(name, what, _regex(p, hints)) for name, (what, p, hints) in _SECRETS.items()),
    )
}

#: Names that stand for several detectors in rules.
GROUPS: dict[str, tuple[str, ...]] = {
    "pii": ("email", "phone", "credit_card", "iban"),
    "secrets": tuple(_SECRETS),
}


def expand(names: Iterable[str]) -> tuple[str, ...]:
    """Detector names with groups expanded, in order, without repeats; ValueError names
    the unknown ones."""
    out: list[str] = []
    unknown = []
    for name in names:
        key = name.strip().lower()
        members = GROUPS.get(key) or ((key,) if key in DETECTORS else ())
        if not members:
            unknown.append(name)
        out.extend(m for m in members if m not in out)
    if unknown:
        raise ValueError(
            f"unknown detector(s) {', '.join(map(repr, unknown))}; known: "
            f"{', '.join([*GROUPS, *DETECTORS])}"
        )
    return tuple(out)


def phone_regions(regions: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased region codes (ISO 3166 alpha-2); ValueError names unknown ones."""
    out = tuple(r.strip().upper() for r in regions)
    unknown = [r for r in out if r not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(
            f"unknown phone region(s) {', '.join(unknown)}: use ISO 3166 two-letter codes "
            "such as US, GB, DE, FR"
        )
    return out
