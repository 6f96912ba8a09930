"""The launcher's pure logic: distributions, `--env`, the process plan, progress parsing."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.run_cmd import parse_env
from deploy.local.launcher import LaunchError, endpoints_text, launch
from deploy.local.process import ManagedProcess
from deploy.local.spec import (
    DISTRIBUTIONS_DIR,
    LaunchOptions,
    ProcessSpec,
    build_plan,
    free_port,
    resolve_distribution,
)
from deploy.local.ui import PlainView, ProgressTracker
from services.common.config import parse_run_config

CONFIG = {
    "image_name": "t",
    "apis": ["inference", "safety"],
    "providers": {
        "inference": [{"provider_id": "a", "provider_type": "inline::x"}],
        "safety": [{"provider_id": "s", "provider_type": "inline::y"}],
    },
    "services": {
        "gateway": {"port": 50151},
        "inference": {"port": 50161},
        "guard": {"api": "safety", "port": 50162},
    },
    "models": [
        {"model_id": "emb", "provider_id": "a", "model_type": "embedding"},
        {"model_id": "chat-1", "provider_id": "a"},
    ],
    "server": {"port": 18321},
}


def _options(tmp_path: Path, **kw) -> LaunchOptions:
    return LaunchOptions(run_config=tmp_path / "run.yaml", state_dir=tmp_path / "state", **kw)


def test_resolve_distribution(tmp_path):
    assert resolve_distribution("local") == DISTRIBUTIONS_DIR / "local" / "run.yaml"
    own = tmp_path / "mine.yaml"
    own.write_text("version: 2\n")
    assert resolve_distribution(str(own)) == own.resolve()
    (tmp_path / "run.yaml").write_text("version: 2\n")
    assert resolve_distribution(str(tmp_path)) == (tmp_path / "run.yaml").resolve()
    with pytest.raises(FileNotFoundError, match="local"):
        resolve_distribution("no-such-distro")


def test_parse_env():
    assert parse_env(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    for bad in ("NOEQUALS", "1A=2", "=v"):
        with pytest.raises(typer.Exit):
            parse_env([bad])


def test_plan_fixed_ports(tmp_path):
    config = parse_run_config(CONFIG, {})
    plan = build_plan(config, _options(tmp_path, envoy=False, env={"X": "1"}))
    assert [p.name for p in plan.processes] == ["inference", "guard", "gateway"]
    guard = plan.spec("guard")
    assert guard.argv[-2:] == ["-m", "services.safety"]
    assert guard.port == 50162
    assert guard.env["LLS_SERVICE_NAME"] == "guard" and guard.env["X"] == "1"
    assert guard.env["LLS_RUN_CONFIG"] == str(tmp_path / "run.yaml")
    assert guard.env["LLS_STATE_DIR"] == str(tmp_path / "state")
    assert guard.env["LLS_PORT_FILE"] == str(tmp_path / "state" / "t" / "run" / "guard.port")
    assert guard.env["LLS_GATEWAY_ADDR"] == "127.0.0.1:50151"
    gateway = plan.spec("gateway")
    assert gateway.port == 50151 and gateway.after == ("inference", "guard")
    gateway.prepare(gateway, {"inference": 50161, "guard": 40000})
    assert gateway.env["LLS_INFERENCE_ADDR"] == "127.0.0.1:50161"
    assert gateway.env["LLS_GUARD_ADDR"] == "127.0.0.1:40000"


def test_plan_auto_ports_and_envoy(tmp_path):
    config = parse_run_config(CONFIG, {})
    plan = build_plan(config, _options(tmp_path, ports="auto"))
    gateway = plan.spec("gateway")
    assert [p.port for p in plan.processes if p.name != "gateway"] == [0, 0, 0]
    assert gateway.port  # picked up front: the services are told where it will be
    assert plan.spec("inference").env["LLS_GATEWAY_ADDR"] == f"127.0.0.1:{gateway.port}"
    envoy = plan.spec("envoy")
    assert envoy.kind == "envoy" and envoy.after == ("gateway",)
    assert "--disable-hot-restart" in envoy.argv  # deploy.envoy's command
    (tmp_path / "state" / "t" / "run").mkdir(parents=True)
    envoy.prepare(envoy, {"gateway": 40123})
    assert envoy.port and envoy.admin_port
    text = (tmp_path / "state" / "t" / "run" / "envoy.yaml").read_text()
    assert "40123" in text and str(envoy.port) in text

    fixed = build_plan(config, _options(tmp_path, rest_port=18999)).spec("envoy")
    assert (fixed.port, fixed.admin_port) == (18999, 9901)


def test_endpoints_banner(tmp_path):
    config = parse_run_config(CONFIG, {})
    plan = build_plan(config, _options(tmp_path))
    text = endpoints_text(plan, 1.5, "chat-1")
    assert "localhost:50151" in text and "http://localhost:18321" in text
    assert "--gateway localhost:50151" in text  # not the default port: the hints say so
    assert 'llamastack chat "Hello!" --model chat-1' in text


def test_launch_refuses_busy_fixed_ports(tmp_path):
    import socket

    run_yaml = tmp_path / "run.yaml"
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen()
        busy = s.getsockname()[1]
        run_yaml.write_text(f"image_name: t\nservices:\n  gateway: {{port: {busy}}}\n")
        with pytest.raises(LaunchError, match=f"gateway port {busy} already in use"):
            launch(_options(tmp_path, envoy=False), Console(file=io.StringIO()))


def test_run_command_reports_bad_distribution_and_config(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["run", "nope"])
    assert result.exit_code == 2 and "no distribution 'nope'" in result.stderr
    bad = tmp_path / "run.yaml"
    bad.write_text("image_name: t\nservices:\n  inference: {providers: [ghost]}\n")
    result = runner.invoke(app, ["run", str(bad), "--state-dir", str(tmp_path)])
    assert result.exit_code == 2 and "ghost" in result.stderr
    result = runner.invoke(app, ["run", str(bad), "--env", "oops"])
    assert result.exit_code == 2 and "KEY=VALUE" in result.stderr


def test_progress_tracker():
    t = ProgressTracker()
    first = t.update("inference", {"task": "load SmolLM2", "completed": 1, "total": 4})
    assert first.new and first.fraction == 0.25 and not first.done
    again = t.update("inference", {"task": "load SmolLM2", "completed": 9, "total": 4})
    assert not again.new and again.completed == 4 and again.done
    step1 = t.update("inference", {"task": "llama-cpp: loading m", "completed": 0, "total": 1})
    step2 = t.update("inference", {"task": "llama-cpp: models loaded", "completed": 1, "total": 1})
    assert step1.key == step2.key == ("inference", "llama-cpp") and not step2.new and step2.done
    assert step2.task == "llama-cpp: models loaded"
    unknown_total = t.update("inference", {"task": "warm up", "completed": 3, "total": 0})
    assert unknown_total.total is None and unknown_total.fraction is None and not unknown_total.done
    for junk in (
        {"task": ""},
        {"task": "x", "completed": "1"},
        {"task": "x", "completed": True},
        {"task": "x", "completed": float("nan")},
        {"completed": 1},
    ):
        assert t.update("p", junk) is None


def test_plain_view_reports_progress_in_quarter_steps():
    buf = io.StringIO()
    view = PlainView(Console(file=buf, width=200))
    t = ProgressTracker()
    for i in range(0, 101):
        view.progress(t.update("svc", {"task": "load", "completed": i, "total": 100}))
    lines = [ln for ln in buf.getvalue().splitlines() if "load" in ln]
    assert [ln.split()[-1] for ln in lines] == ["0%", "25%", "50%", "75%", "100%"]


def test_managed_process_reads_progress_lines_from_its_log(tmp_path):
    script = (
        "import sys,time\n"
        'print(\'LLS_PROGRESS {"task": "a", "completed": 1, "total": 2}\', flush=True)\n'
        'sys.stdout.write(\'LLS_PROGRESS {"task": "a", \'); sys.stdout.flush(); time.sleep(0.3)\n'
        "print('\"completed\": 2, \"total\": 2}'); print('LLS_PROGRESS not json'); print('plain')\n"
    )
    spec = ProcessSpec("p", "grpc", [sys.executable, "-c", script], {}, port=free_port())
    proc = ManagedProcess(spec, tmp_path)
    proc.start()
    events = []
    while proc.poll() is None:
        events += proc.progress_events()
    events += proc.progress_events()
    assert events == [
        {"task": "a", "completed": 1, "total": 2},
        {"task": "a", "completed": 2, "total": 2},
    ]
    assert proc.poll() == 0
    tail = proc.tail()
    assert "plain" in tail and "LLS_PROGRESS" not in tail and "starting p" in tail


def test_children_do_not_inherit_per_process_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("LLS_GATEWAY_ADDR", "elsewhere:1")
    monkeypatch.setenv("LLS_INFERENCE_ADDR", "elsewhere:2")
    monkeypatch.setenv("LLS_LOG_LEVEL", "DEBUG")
    script = (
        "import os; print(sorted((k, v) for k, v in os.environ.items() if k.startswith('LLS_')))"
    )
    spec = ProcessSpec("p", "envoy", [sys.executable, "-c", script], {"LLS_GATEWAY_ADDR": "mine:3"})
    proc = ManagedProcess(spec, tmp_path)
    proc.start()
    proc.popen.wait(30)
    printed = proc.tail()
    assert "('LLS_GATEWAY_ADDR', 'mine:3')" in printed
    assert "LLS_INFERENCE_ADDR" not in printed and "('LLS_LOG_LEVEL', 'DEBUG')" in printed
