"""`llamastack eval run|watch|status|cancel|result`: benchmark runs as jobs.

`run` submits the job and follows it with a progress bar fed by the job's progress (rows
done / total, ETA), then prints the aggregate table. Ctrl-C stops following, not the job
(jobs are persisted): `watch` follows it again, `cancel` stops it.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from google.protobuf import json_format
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.chat import build_request, first_llm
from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    TimeoutOpt,
    connect,
    err,
    out,
    print_json,
    print_table,
    to_dict,
)
from cli.data_cmds import aggregate_rows
from cli.kinds import load_json
from llamastack.common.v1 import job_pb2
from llamastack.eval.v1 import eval_service_pb2, eval_service_pb2_grpc

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Run benchmarks as jobs and read their results.", no_args_is_help=True)

BenchArg = Annotated[str, typer.Argument(help="The benchmark.", show_default=False)]
JobArg = Annotated[str, typer.Argument(help="The job id.", show_default=False)]
_TERMINAL = {job_pb2.JOB_STATUS_COMPLETED, job_pb2.JOB_STATUS_FAILED, job_pb2.JOB_STATUS_CANCELLED}


def _status(job: Any) -> str:
    return job_pb2.JobStatus.Name(job.status).removeprefix("JOB_STATUS_").lower()


def _follow(stub: Any, benchmark: str, job_id: str, timeout: float, poll_s: float) -> Any:
    request = eval_service_pb2.GetJobStatusRequest(benchmark_id=benchmark, job_id=job_id)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("rows"), TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"eval {job_id[:8]}", total=None)
        while True:
            job = stub.GetJobStatus(request, timeout=timeout).job
            total = job.progress.total or None
            bar.update(task, completed=job.progress.completed, total=total,
                       description=f"eval {job_id[:8]} {_status(job)}")  # fmt: skip
            if job.status in _TERMINAL:
                return job
            time.sleep(poll_s)


def _finish(stub: Any, benchmark: str, job: Any, timeout: float, as_json: bool) -> None:
    if job.status != job_pb2.JOB_STATUS_COMPLETED:
        if as_json:
            print_json(job)
        err.print(
            f"[red]job {job.job_id} {_status(job)}[/]" + (f": {job.error}" if job.error else "")
        )
        raise typer.Exit(1)
    resp = stub.GetJobResult(
        eval_service_pb2.GetJobResultRequest(benchmark_id=benchmark, job_id=job.job_id),
        timeout=timeout,
    )
    if as_json:
        print_json(resp)
        return
    data = json_format.MessageToDict(resp, preserving_proto_field_name=True)
    out.print(f"job {job.job_id}: {len(resp.generations)} rows")
    print_table(["FUNCTION", "AGGREGATION", "VALUE"], aggregate_rows(data.get("scores", {})),
                "no scores")  # fmt: skip


def _watch(stub: Any, benchmark: str, job_id: str, timeout: float, as_json: bool) -> None:
    try:
        job = _follow(stub, benchmark, job_id, timeout, poll_s=0.5)
    except KeyboardInterrupt:
        err.print(
            f"\nstopped following job {job_id}; it keeps running. Follow it with "
            f"`llamastack eval watch {benchmark} {job_id}`, stop it with "
            f"`llamastack eval cancel {benchmark} {job_id}`."
        )
        raise typer.Exit(130) from None
    _finish(stub, benchmark, job, timeout, as_json)


@eval_app.command("run")
def run_cmd(
    benchmark: BenchArg,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model to evaluate (default: the first LLM)."),
    ] = None,
    system: Annotated[
        str | None, typer.Option("--system", "-s", help="A system message for every row.")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", min=1, help="Most tokens per answer.")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", "-t", min=0.0, help="0 = greedy (default).")
    ] = None,
    num_examples: Annotated[
        int | None, typer.Option("--num-examples", "-n", min=1, help="Only the first N rows.")
    ] = None,
    scoring_params: Annotated[
        str | None,
        typer.Option("--scoring-params", help="JSON: {fn_id: ScoringFnParams} overrides."),
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Print the job id and return at once.")
    ] = False,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Run a benchmark as a job: a progress bar while it runs, then the aggregate table."""
    with connect(gateway) as channel:
        model_id = model or first_llm(channel, timeout)
        fields = build_request(model_id, "", system=system, max_tokens=max_tokens,
                               temperature=temperature)  # fmt: skip
        candidate: dict[str, Any] = {"model": model_id}
        if "sampling_params" in fields:
            candidate["sampling_params"] = fields["sampling_params"]
        if system:
            candidate["system_message"] = fields["messages"][0]
        config: dict[str, Any] = {"eval_candidate": {"model": candidate}}
        if num_examples is not None:
            config["num_examples"] = num_examples
        if scoring_params:
            config["scoring_params"] = load_json(scoring_params, "--scoring-params")
        request = json_format.ParseDict(
            {"benchmark_id": benchmark, "benchmark_config": config},
            eval_service_pb2.RunEvalRequest(),
        )
        stub = eval_service_pb2_grpc.EvalServiceStub(channel)
        job = stub.RunEval(request, timeout=timeout).job
        if detach:
            if as_json:
                print_json(job)
            else:
                out.print(job.job_id)
            return
        err.print(f"started job {job.job_id} on benchmark {benchmark} with {model_id}")
        _watch(stub, benchmark, job.job_id, timeout, as_json)


@eval_app.command("watch")
def watch_cmd(
    benchmark: BenchArg,
    job_id: JobArg,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """Follow a job with a progress bar, then print its aggregate table."""
    with connect(gateway) as channel:
        _watch(eval_service_pb2_grpc.EvalServiceStub(channel), benchmark, job_id, timeout, as_json)


def _print_job(job: Any, as_json: bool) -> None:
    if as_json:
        print_json(job)
        return
    data = to_dict(job)
    progress = data.get("progress", {})
    print_table(
        ["JOB", "STATUS", "DONE", "TOTAL", "ETA", "MESSAGE"],
        [[job.job_id, _status(job), str(progress.get("completed", 0)),
          str(progress.get("total", 0)), progress.get("eta", "-"), progress.get("message", "")]],
        "no job",
    )  # fmt: skip


def _job_command(rpc: str, doc: str) -> Any:
    """`status` and `cancel`: one job RPC, the job printed."""

    def command(
        benchmark: BenchArg,
        job_id: JobArg,
        gateway: GatewayOpt = DEFAULT_GATEWAY,
        as_json: JsonOpt = False,
        timeout: TimeoutOpt = 30.0,
    ) -> None:
        request = getattr(eval_service_pb2, f"{rpc}Request")(benchmark_id=benchmark, job_id=job_id)
        with connect(gateway) as channel:
            stub = eval_service_pb2_grpc.EvalServiceStub(channel)
            _print_job(getattr(stub, rpc)(request, timeout=timeout).job, as_json)

    command.__doc__ = doc
    return command


eval_app.command("status")(_job_command("GetJobStatus", "Status and progress of a job."))
eval_app.command("cancel")(
    _job_command("CancelJob", "Cancel a job (a running one stops after the rows in flight).")
)


@eval_app.command("result")
def result_cmd(
    benchmark: BenchArg,
    job_id: JobArg,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: TimeoutOpt = 60.0,
) -> None:
    """The aggregate table of a completed job (--json: generations and every score row)."""
    with connect(gateway) as channel:
        stub = eval_service_pb2_grpc.EvalServiceStub(channel)
        job = stub.GetJobStatus(
            eval_service_pb2.GetJobStatusRequest(benchmark_id=benchmark, job_id=job_id),
            timeout=timeout,
        ).job
        _finish(stub, benchmark, job, timeout, as_json)
