"""Just enough of google.api.http path templates to test which paths a rule matches."""

from __future__ import annotations

import re

_VAR = re.compile(r"\{([a-z_.]+)(?:=([^}]*))?\}")


def to_regex(template: str) -> re.Pattern[str]:
    """`/v1/models/{model_id=**}` -> a regex matching the concrete paths the rule accepts."""
    path, _, verb = template.partition(":")
    out, pos = [], 0
    for m in _VAR.finditer(path):
        out.append(re.escape(path[pos : m.start()]))
        pattern = m.group(2) or "*"
        out.append("(?:" + pattern.replace("**", ".+").replace("*", "[^/:]+") + ")")
        pos = m.end()
    out.append(re.escape(path[pos:]))
    if verb:
        out.append(re.escape(":" + verb))
    return re.compile("^" + "".join(out) + "$")


def variables(template: str) -> list[str]:
    """Field paths bound by the template's variables."""
    return [m.group(1) for m in _VAR.finditer(template)]


def samples(template: str) -> list[str]:
    """Concrete paths the template matches: each variable as one segment and, for `**`, two."""
    one = _VAR.sub(lambda m: "x", template)
    two = _VAR.sub(lambda m: "x/y" if m.group(2) == "**" else "x", template)
    return sorted({one, two})
