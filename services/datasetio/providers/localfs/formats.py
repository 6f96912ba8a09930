"""Row files: CSV (header row, values as text), JSON Lines, a JSON array of objects, and
Parquet; reading bytes into rows, and appending rows to a file in place.

Appends take an exclusive `flock` on the file's directory, so several processes (replicas)
append one at a time; JSON arrays and Parquet files are rewritten to a temporary file and
renamed over the original, so readers never see half a file.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime
import decimal
import fcntl
import io
import json
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from services.common.errors import InvalidArgument
from services.datasetio.types import Row

__all__ = ["FORMATS", "append_file", "columns_of", "format_of_path", "parse"]

#: Format name -> file suffixes and media types (for `data:` URIs).
FORMATS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "csv": ((".csv",), ("text/csv",)),
    "jsonl": ((".jsonl", ".ndjson"), ("application/jsonl", "application/x-ndjson",
                                      "application/x-jsonlines", "application/jsonlines")),
    "json": ((".json",), ("application/json",)),
    "parquet": ((".parquet", ".pq"), ("application/vnd.apache.parquet", "application/x-parquet",
                                      "application/parquet")),
}  # fmt: skip


def format_of_path(path: Path) -> str:
    suffix = path.suffix.lower()
    for name, (suffixes, _) in FORMATS.items():
        if suffix in suffixes:
            return name
    raise InvalidArgument(
        f"{path.name}: unknown file type {suffix or '(none)'!r}; datasets are "
        + ", ".join(s for suffixes, _ in FORMATS.values() for s in suffixes)
        + " files"
    )


def format_of_media_type(media_type: str) -> str:
    for name, (_, types) in FORMATS.items():
        if media_type.lower() in types:
            return name
    raise InvalidArgument(
        f"data: URI of type {media_type or '(none)'!r}; use one of "
        + ", ".join(t for _, types in FORMATS.values() for t in types)
    )


# -- reading -----------------------------------------------------------------------------------


def parse(data: bytes, fmt: str, what: str) -> tuple[list[Row], list[str]]:
    """The rows in `data` and its declared columns (CSV header, Parquet schema; for JSON the
    keys of the first row)."""
    try:
        if fmt == "csv":
            return _parse_csv(data)
        if fmt == "jsonl":
            return _with_columns(_parse_jsonl(data, what))
        if fmt == "json":
            return _with_columns(_parse_json(data, what))
        return _parse_parquet(data)
    except UnicodeDecodeError as exc:
        raise InvalidArgument(f"{what} is not UTF-8 text: {exc}") from None


def _with_columns(rows: list[Row]) -> tuple[list[Row], list[str]]:
    return rows, list(rows[0]) if rows else []


def _parse_csv(data: bytes) -> tuple[list[Row], list[str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = [{k: v if v is not None else "" for k, v in r.items() if k is not None} for r in reader]
    return rows, list(reader.fieldnames or [])


def _parse_jsonl(data: bytes, what: str) -> list[Row]:
    rows = []
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise InvalidArgument(f"{what}: line {number} is not JSON ({exc})") from None
        if not isinstance(value, dict):
            raise InvalidArgument(f"{what}: line {number} is not a JSON object")
        rows.append(_jsonable(value))
    return rows


def _parse_json(data: bytes, what: str) -> list[Row]:
    try:
        value = json.loads(data.decode("utf-8-sig") or "[]")
    except ValueError as exc:
        raise InvalidArgument(f"{what} is not JSON ({exc})") from None
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise InvalidArgument(f"{what} must hold a JSON array of objects (one per row)")
    return [_jsonable(r) for r in value]


def _parse_parquet(data: bytes) -> tuple[list[Row], list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as exc:
        raise InvalidArgument(f"not a readable Parquet file: {exc}") from None
    return [_jsonable(r) for r in table.to_pylist()], list(table.column_names)


def _jsonable(value: Any) -> Any:
    """Values a protobuf Struct (and JSON) can hold."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def columns_of(rows: Sequence[Row]) -> list[str]:
    seen: dict[str, None] = {}
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)


# -- appending ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def append_file(path: Path, fmt: str, rows: Sequence[Row]) -> None:
    """Append rows to the file in place (blocking: run it in a worker thread)."""
    with _locked(path.parent):
        if fmt == "jsonl":
            _append_lines(path, [json.dumps(r, ensure_ascii=False) for r in rows])
        elif fmt == "csv":
            _append_csv(path, rows)
        elif fmt == "json":
            existing = _parse_json(path.read_bytes(), path.name)
            _replace(path, json.dumps(existing + list(rows), ensure_ascii=False).encode())
        else:
            _append_parquet(path, rows)


def _ends_with_newline(path: Path) -> bool:
    size = path.stat().st_size
    if size == 0:
        return True
    with path.open("rb") as f:
        f.seek(size - 1)
        return f.read(1) == b"\n"


def _append_lines(path: Path, lines: Sequence[str]) -> None:
    prefix = "" if _ends_with_newline(path) else "\n"
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(prefix + "".join(line + "\n" for line in lines))


def _append_csv(path: Path, rows: Sequence[Row]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    if not header:
        header = columns_of(rows)
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerow(header)
    for i, r in enumerate(rows):
        extra = [k for k in r if k not in header]
        if extra:
            raise InvalidArgument(
                f"row {i} has columns the CSV file {path.name} does not: {', '.join(extra)} "
                f"(its header: {', '.join(header)})"
            )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in rows:
        writer.writerow([_csv_cell(r.get(k)) for k in header])
    prefix = "" if _ends_with_newline(path) else "\r\n"
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(prefix + buffer.getvalue())


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append_parquet(path: Path, rows: Sequence[Row]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    ints = {f.name for f in table.schema if pa.types.is_integer(f.type)}
    try:
        added = pa.Table.from_pylist([_ints(r, ints) for r in rows], schema=table.schema)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"the rows do not fit the schema of {path.name} ({table.schema.to_string()}): {exc}"
        ) from None
    sink = io.BytesIO()
    pq.write_table(pa.concat_tables([table, added]), sink)
    _replace(path, sink.getvalue())


def _ints(row: Row, columns: set[str]) -> Row:
    """Rows arrive as JSON (every number a float): integral floats go back to int columns."""
    return {
        k: int(v) if k in columns and isinstance(v, float) and v.is_integer() else v
        for k, v in row.items()
    }


def _replace(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
