"""What the policy shield reads: a message's text in three forms, each computed once.

- `clean`: NFKC (full-width letters and digits, ligatures, mathematical alphanumerics,
  non-breaking spaces become their plain forms) with invisible characters removed (every
  Unicode format character — zero-width spaces and joiners, bidi controls, soft hyphens,
  tag characters — and variation selectors). Detectors and patterns read it: case and digits
  are kept.
- `folded`: `clean` without accents (NFKD, combining marks dropped), case-folded, with
  Cyrillic/Greek/Armenian look-alikes mapped to the Latin letters they imitate and
  leetspeak digits and symbols mapped to letters (`b0mb` → `bomb`, `$3x` → `sex`).
  Keywords (and patterns that ask for it) read it.
- `runs`: in `folded`, sequences of one- or two-character fragments separated by a few
  non-letters (`b o m b`, `b.o.m.b`, `ki-ll`, `b**o**mb`) joined into one word: the usual
  ways of splitting a term so that word matching misses it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property

__all__ = ["Views", "clean", "fold", "split_runs", "words"]

_LOOKALIKES = {
    # Cyrillic
    "\N{CYRILLIC SMALL LETTER A}": "a",
    "\N{CYRILLIC SMALL LETTER VE}": "b",
    "\N{CYRILLIC SMALL LETTER IE}": "e",
    "\N{CYRILLIC SMALL LETTER IO}": "e",
    "\N{CYRILLIC SMALL LETTER KA}": "k",
    "\N{CYRILLIC SMALL LETTER EM}": "m",
    "\N{CYRILLIC SMALL LETTER EN}": "h",
    "\N{CYRILLIC SMALL LETTER O}": "o",
    "\N{CYRILLIC SMALL LETTER PE}": "n",
    "\N{CYRILLIC SMALL LETTER ER}": "p",
    "\N{CYRILLIC SMALL LETTER ES}": "c",
    "\N{CYRILLIC SMALL LETTER TE}": "t",
    "\N{CYRILLIC SMALL LETTER U}": "y",
    "\N{CYRILLIC SMALL LETTER HA}": "x",
    "\N{CYRILLIC SMALL LETTER SOFT SIGN}": "b",
    "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}": "i",
    "\N{CYRILLIC SMALL LETTER YI}": "i",
    "\N{CYRILLIC SMALL LETTER JE}": "j",
    "\N{CYRILLIC SMALL LETTER DZE}": "s",
    "\N{CYRILLIC SMALL LETTER KOMI DE}": "d",
    "\N{CYRILLIC SMALL LETTER QA}": "q",
    "\N{CYRILLIC SMALL LETTER WE}": "w",
    "\N{CYRILLIC SMALL LETTER SHHA}": "h",
    "\N{CYRILLIC SMALL LETTER PALOCHKA}": "l",
    # Greek
    "\N{GREEK SMALL LETTER ALPHA}": "a",
    "\N{GREEK SMALL LETTER BETA}": "b",
    "\N{GREEK SMALL LETTER GAMMA}": "y",
    "\N{GREEK SMALL LETTER EPSILON}": "e",
    "\N{GREEK SMALL LETTER ZETA}": "z",
    "\N{GREEK SMALL LETTER ETA}": "n",
    "\N{GREEK SMALL LETTER IOTA}": "i",
    "\N{GREEK SMALL LETTER KAPPA}": "k",
    "\N{GREEK SMALL LETTER NU}": "v",
    "\N{GREEK SMALL LETTER OMICRON}": "o",
    "\N{GREEK SMALL LETTER RHO}": "p",
    "\N{GREEK SMALL LETTER TAU}": "t",
    "\N{GREEK SMALL LETTER UPSILON}": "u",
    "\N{GREEK SMALL LETTER CHI}": "x",
    "\N{GREEK SMALL LETTER OMEGA}": "w",
    # Armenian, Latin extensions
    "\N{ARMENIAN SMALL LETTER OH}": "o",
    "\N{ARMENIAN SMALL LETTER SEH}": "u",
    "\N{ARMENIAN SMALL LETTER HO}": "h",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "\N{LATIN SMALL LETTER SCRIPT G}": "g",
    "\N{LATIN SMALL LETTER ALPHA}": "a",
    "\N{LATIN LETTER SMALL CAPITAL R}": "r",
}
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_FOLD = str.maketrans({**_LOOKALIKES, **_LEET})
#: A letter or digit; separators are anything else but a line break (`_` included).
_W = r"[^\W_]"
_SEP = r"(?:[^\w\n]|_)"
_RUN = re.compile(rf"(?<!{_W}){_W}{{1,2}}(?:{_SEP}{{1,3}}{_W}{{1,2}})+(?!{_W})")
_WORD = re.compile(rf"{_W}+")
_SEPARATORS = re.compile(r"[\W_]+")


def _visible(ch: str) -> bool:
    if unicodedata.category(ch) == "Cf":
        return False
    code = ord(ch)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def clean(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", "".join(ch for ch in text if _visible(ch)))


def fold(text: str) -> str:
    """`clean(text)` folded (see the module's docstring); keywords are folded the same way."""
    text = clean(text)
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
    return text.casefold().translate(_FOLD)


def split_runs(folded: str) -> list[str]:
    """Runs of short fragments in folded text, each joined into one word."""
    return [_SEPARATORS.sub("", m.group(0)) for m in _RUN.finditer(folded)]


def words(folded: str) -> list[str]:
    """The words (runs of letters and digits) of folded text."""
    return _WORD.findall(folded)


class Views:
    """The forms of one message's text, computed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def clean(self) -> str:
        return clean(self.text)

    @cached_property
    def folded(self) -> str:
        return fold(self.clean)

    @cached_property
    def words(self) -> list[str]:
        return words(self.folded)

    @cached_property
    def runs(self) -> list[str]:
        return split_runs(self.folded)
