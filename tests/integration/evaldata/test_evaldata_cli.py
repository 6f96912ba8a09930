"""The `llamastack` commands against the real mesh: register a dataset, read and append rows,
score, run a benchmark (progress bar, aggregate table), cancel a job."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.integration.evaldata.mesh import CHAT_MODEL, qa_rows

QA = qa_rows()


@pytest.fixture(scope="module")
def cli(eval_mesh):
    runner = CliRunner()
    env = {"LLS_GATEWAY_ADDR": eval_mesh.gateway.address}

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    return invoke


def test_dataset_rows_append_and_score(cli, eval_mesh, tmp_path):
    cli("datasets", "register", "qa-cli", "--purpose", "eval/question-answer",
        "--uri", eval_mesh.fresh("qa-cli"))  # fmt: skip
    rows = cli("datasetio", "rows", "qa-cli", "--limit", "3").stdout.splitlines()
    assert [json.loads(r) for r in rows] == QA[:3]
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"question": "CLI?", "answer": "yes"}\n')
    assert "appended 1 rows" in cli("datasetio", "append", "qa-cli", "--rows", str(extra)).stdout
    tail = cli("datasetio", "rows", "qa-cli", "--start", "36").stdout.splitlines()
    assert [json.loads(r) for r in tail] == [{"question": "CLI?", "answer": "yes"}]
    assert len(cli("datasetio", "rows", "qa-cli").stdout.splitlines()) == 37
    scored = tmp_path / "scored.json"
    scored.write_text(json.dumps([{"generated_answer": "4", "expected_answer": "4"},
                                  {"generated_answer": "5", "expected_answer": "4"}]))  # fmt: skip
    table = cli("scoring", "score", "--rows", str(scored), "--fn", "basic::equality").stdout
    assert "basic::equality" in table and "accuracy=0.5" in table
    bad = cli("datasets", "register", "qa-bad", "--purpose", "eval/question-answer",
              "--uri", "file:../nope.csv", code=1)  # fmt: skip
    assert "PERMISSION_DENIED" in bad.stderr


def test_eval_run_shows_progress_and_prints_the_aggregates(cli):
    cli("benchmarks", "register", "qa-cli-bench", "--dataset-id", "qa-cli",
        "--scoring-functions", "basic::equality,basic::subset_of")  # fmt: skip
    result = cli("eval", "run", "qa-cli-bench", "--model", CHAT_MODEL, "--max-tokens", "4",
                 "--num-examples", "3", "--system", "Answer with one word.")  # fmt: skip
    assert "rows" in result.stderr and "3/3" in result.stderr  # the progress bar
    assert "basic::equality" in result.stdout and "basic::subset_of" in result.stdout
    assert "num_total=3" in result.stdout
    job_id = cli("eval", "run", "qa-cli-bench", "--model", CHAT_MODEL, "--detach").stdout.strip()
    cancelled = cli("eval", "cancel", "qa-cli-bench", job_id).stdout
    assert job_id in cancelled and ("cancel" in cancelled)
    status = json.loads(cli("eval", "status", "qa-cli-bench", job_id, "--json").stdout)
    assert status["job_id"] == job_id
    missing = cli("eval", "status", "qa-cli-bench", "no-such-job", code=1)
    assert "NOT_FOUND" in missing.stderr
