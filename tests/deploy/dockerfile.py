"""Read the Dockerfile (stages, instructions) and lay out what its runtime stage copies, so tests
can check the image without a Docker engine."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.spec import REPO

__all__ = ["DOCKERFILE", "Stage", "build_context_allows", "image_tree", "stages"]

DOCKERFILE = REPO / "Dockerfile"


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, op: str) -> list[str]:
        return [arg for o, arg in self.instructions if o == op]

    @property
    def args(self) -> dict[str, str]:
        """ARG defaults of this stage."""
        out = {}
        for arg in self.all("ARG"):
            key, _, value = arg.partition("=")
            out[key] = value.strip('"')
        return out

    @property
    def env(self) -> dict[str, str]:
        """ENV of this stage, `$VAR` references to ARGs and earlier ENVs expanded (PATH keeps
        `$PATH`, the base image's)."""
        out: dict[str, str] = {}
        known = self.args
        for arg in self.all("ENV"):
            for pair in shlex.split(arg):
                key, _, value = pair.partition("=")
                value = re.sub(
                    r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                    lambda m: out.get(m.group(1), known.get(m.group(1), m.group(0))),
                    value,
                )
                out[key] = value
        return out

    @property
    def entrypoint(self) -> list[str]:
        return json.loads(self.all("ENTRYPOINT")[-1])


def _logical_lines(text: str) -> list[str]:
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    return lines


def stages(text: str | None = None) -> list[Stage]:
    text = DOCKERFILE.read_text() if text is None else text
    out: list[Stage] = []
    for line in _logical_lines(text):
        op, _, arg = line.partition(" ")
        op = op.upper()
        if op == "FROM":
            parts = arg.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else str(len(out))
            out.append(Stage(name=name, base=parts[0]))
        elif out:
            out[-1].instructions.append((op, arg.strip()))
    return out


def _dockerignore() -> list[tuple[bool, str]]:
    rules = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        rules.append((negate, line.lstrip("!").rstrip("/")))
    return rules


def build_context_allows(relpath: str) -> bool:
    """Whether `docker build` sends this file (the last matching .dockerignore rule wins; a
    pattern matches a path or any of its parent directories)."""
    parts = relpath.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    included = True
    for negate, pattern in _dockerignore():
        anywhere = pattern.startswith("**/")
        pat = pattern.removeprefix("**/")
        hit = any(
            fnmatch.fnmatchcase(p, pattern)
            or (anywhere and fnmatch.fnmatchcase(p.split("/")[-1], pat))
            for p in prefixes
        )
        if hit:
            included = negate
    return included


def image_tree(dest: Path) -> Path:
    """The runtime stage's COPY instructions from the build context into `dest` (standing in for
    the image's root), honouring .dockerignore. Returns dest."""
    runtime = stages()[-1]
    workdir = Path("/")
    for op, arg in runtime.instructions:
        if op == "WORKDIR":
            workdir = workdir / arg
        if op != "COPY" or arg.startswith("--from"):
            continue
        src, target = arg.split()
        target_path = Path(target) if target.startswith("/") else workdir / target
        src_path = REPO / src
        files = [src_path] if src_path.is_file() else sorted(src_path.rglob("*"))
        for f in files:
            if not f.is_file():
                continue
            rel = f.relative_to(REPO).as_posix()
            if not build_context_allows(rel):
                continue
            inner = f.relative_to(src_path) if src_path.is_dir() else Path()
            out = dest / target_path.relative_to("/") / inner
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, out)
    return dest
