"""`llamastack datasetio rows|append` and `llamastack scoring score|score-batch`.

Rows are given as a JSON list of objects (inline, `@file` or a file path) or a JSON Lines
file (`.jsonl`); rows are printed as JSON Lines (one object per line), so they pipe into
`append` or `score`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from google.protobuf import json_format

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    bad_input,
    connect,
    out,
    print_json,
    print_table,
)
from cli.kinds import load_json
from llamastack.datasetio.v1 import datasetio_service_pb2, datasetio_service_pb2_grpc
from llamastack.scoring.v1 import scoring_service_pb2, scoring_service_pb2_grpc

__all__ = ["aggregate_rows", "datasetio_app", "load_rows", "scoring_app"]

datasetio_app = typer.Typer(
    help="Read and append rows of registered datasets.", no_args_is_help=True
)
scoring_app = typer.Typer(
    help="Score rows with registered scoring functions.", no_args_is_help=True
)

RowsOpt = Annotated[
    str,
    typer.Option(
        "--rows",
        help="Rows: a JSON list of objects (inline, @file or a path) or a .jsonl file; "
        "'-' reads JSON Lines from stdin.",
        show_default=False,
    ),
]
FnOpt = Annotated[
    list[str],
    typer.Option(
        "--fn",
        help="A scoring function id, optionally with params as JSON: "
        "'basic::equality' or 'my-judge={\"llm_as_judge\": {...}}' (repeatable).",
        show_default=False,
    ),
]


def load_rows(value: str) -> list[dict[str, Any]]:
    path = Path(value[1:] if value.startswith("@") else value).expanduser()
    if value == "-" or (path.suffix in (".jsonl", ".ndjson") and path.is_file()):
        text = sys.stdin.read() if value == "-" else path.read_text()
        try:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            bad_input(f"--rows: not JSON Lines ({exc})")
    else:
        rows = load_json(value, "--rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        bad_input("--rows must be a list of JSON objects (one per row)")
    if not rows:
        bad_input("--rows holds no rows")
    return rows


def _functions(specs: list[str]) -> dict[str, Any]:
    out_: dict[str, Any] = {}
    for spec in specs:
        name, sep, params = spec.partition("=")
        out_[name.strip()] = load_json(params, f"--fn {name}") if sep else {}
    if not out_:
        bad_input("give at least one scoring function with --fn")
    return out_


def aggregate_rows(scores: dict[str, Any]) -> list[list[str]]:
    """(function, aggregation, value) rows of a results map's aggregated_results."""
    rows = []
    for fn_id, result in sorted(scores.items()):
        aggregated = result.get("aggregated_results") or {}
        if not aggregated:
            rows.append([fn_id, "-", "(no aggregation)"])
        for name, value in aggregated.items():
            if isinstance(value, dict):
                text = ", ".join(f"{k}={_num(v)}" for k, v in value.items())
            else:
                text = _num(value)
            rows.append([fn_id, name, text])
    return rows


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


@datasetio_app.command("rows")
def rows_cmd(
    dataset_id: Annotated[str, typer.Argument(help="The dataset.", show_default=False)],
    start: Annotated[int, typer.Option("--start", min=0, help="First row (0-based).")] = 0,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Most rows (default: all).")
    ] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Print rows as JSON Lines, following pages until --limit rows or the end."""
    with connect(gateway) as channel:
        stub = datasetio_service_pb2_grpc.DatasetIoServiceStub(channel)
        printed, token = 0, ""
        while limit is None or printed < limit:
            request = datasetio_service_pb2.IterateRowsRequest(
                dataset_id=dataset_id, start_index=0 if token else start, page_token=token
            )
            if limit is not None:
                request.limit = limit - printed
            resp = stub.IterateRows(request, timeout=timeout)
            for row in resp.data:
                sys.stdout.write(json.dumps(json_format.MessageToDict(row), ensure_ascii=False))
                sys.stdout.write("\n")
            printed += len(resp.data)
            token = resp.next_page_token
            if not token:
                break
    sys.stdout.flush()


@datasetio_app.command("append")
def append_cmd(
    dataset_id: Annotated[str, typer.Argument(help="The dataset.", show_default=False)],
    rows: RowsOpt,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Append rows to a dataset (its file, or the store for inline datasets)."""
    data = load_rows(rows)
    request = json_format.ParseDict(
        {"dataset_id": dataset_id, "rows": data}, datasetio_service_pb2.AppendRowsRequest()
    )
    with connect(gateway) as channel:
        stub = datasetio_service_pb2_grpc.DatasetIoServiceStub(channel)
        stub.AppendRows(request, timeout=timeout)
    out.print(f"appended {len(data)} rows to [bold]{dataset_id}[/]")


def _print_results(resp: Any, as_json: bool) -> None:
    data = json_format.MessageToDict(resp, preserving_proto_field_name=True)
    if as_json:
        print_json(data)
        return
    print_table(
        ["FUNCTION", "AGGREGATION", "VALUE"], aggregate_rows(data.get("results", {})), "no results"
    )


@scoring_app.command("score")
def score_cmd(
    rows: RowsOpt,
    fn: FnOpt,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 300.0,
) -> None:
    """Score rows (with generated_answer and expected_answer) and print the aggregates."""
    request = json_format.ParseDict(
        {"input_rows": load_rows(rows), "scoring_functions": _functions(fn)},
        scoring_service_pb2.ScoreRequest(),
    )
    with connect(gateway) as channel:
        resp = scoring_service_pb2_grpc.ScoringServiceStub(channel).Score(request, timeout=timeout)
    _print_results(resp, as_json)


@scoring_app.command("score-batch")
def score_batch_cmd(
    dataset_id: Annotated[str, typer.Argument(help="The dataset.", show_default=False)],
    fn: FnOpt,
    save: Annotated[
        bool, typer.Option("--save", help="Save the scored rows as a new dataset.")
    ] = False,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 600.0,
) -> None:
    """Score every row of a dataset and print the aggregates."""
    request = json_format.ParseDict(
        {"dataset_id": dataset_id, "scoring_functions": _functions(fn),
         "save_results_dataset": save},
        scoring_service_pb2.ScoreBatchRequest(),
    )  # fmt: skip
    with connect(gateway) as channel:
        stub = scoring_service_pb2_grpc.ScoringServiceStub(channel)
        resp = stub.ScoreBatch(request, timeout=timeout)
    _print_results(resp, as_json)
    if resp.dataset_id and not as_json:
        out.print(f"saved the scored rows as dataset [bold]{resp.dataset_id}[/]")
