"""Configuration of `inline::localfs`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LocalFsConfig"]


class LocalFsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: `file://` datasets must resolve (symlinks followed) to a path under this directory;
    #: relative paths (`file:qa.csv`) are taken from it. Created when missing. Empty:
    #: `<state dir>/datasets` (`LLS_STATE_DIR`, `~/.llamastack-mesh` by default).
    root: str = ""
    #: The largest file (or decoded `data:` URI) read, in bytes.
    max_file_bytes: int = Field(default=256 << 20, ge=1)
    #: The most rows one IterateRows or AppendRows call handles.
    max_rows_per_request: int = Field(default=10_000, ge=1)
    #: Parsed files kept in memory (re-read when their size or modification time changes).
    cached_files: int = Field(default=8, ge=0)
