"""Splitting text into overlapping windows of tokens, and counting tokens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Chunker", "TextChunk"]


@dataclass(frozen=True)
class TextChunk:
    text: str
    start: int  # token offsets in the document
    end: int


class Chunker:
    """A `tokenizers` tokenizer; chunks are spans of the original text (never re-decoded
    tokens), so their text reads exactly as the document did."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self.name = path.parent.name + "/" + path.name
        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def split(self, text: str, size: int, overlap: int) -> list[TextChunk]:
        offsets = self.tokenizer.encode(text, add_special_tokens=False).offsets
        out: list[TextChunk] = []
        step = size - overlap
        start = 0
        while start < len(offsets):
            end = min(start + size, len(offsets))
            span = text[offsets[start][0] : offsets[end - 1][1]].strip()
            if span:
                out.append(TextChunk(span, start, end))
            if end == len(offsets):
                break
            start += step
        return out
