"""The llama.cpp build flags chosen from recorded /proc/cpuinfo flag sets: every vector unit
the CPU has, never AMX, never an extension it lacks."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "llama_cpp_build", Path(__file__).parents[3] / "scripts" / "llama_cpp_build.py"
)
build = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(build)

_BASE = "fpu sse sse2 ssse3 sse4_1 sse4_2 popcnt"
#: Flag sets read off real machines (trimmed to what matters).
CPUS = {
    # Intel Xeon Sapphire Rapids: AMX (where -march=native crashes llama.cpp).
    "sapphire-rapids": f"{_BASE} avx avx2 fma f16c bmi2 avx_vnni avx512f avx512dq avx512cd "
    "avx512bw avx512vl avx512vbmi avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8",
    # AMD EPYC Genoa (this project's usual machine): AVX-512 with VNNI/BF16, no AMX.
    "epyc-genoa": f"{_BASE} avx avx2 fma f16c bmi2 avx512f avx512dq avx512cd avx512bw "
    "avx512vl avx512vbmi avx512_vnni avx512_bf16",
    # Intel Skylake-SP: AVX-512 base only.
    "skylake-sp": f"{_BASE} avx avx2 fma f16c bmi2 avx512f avx512dq avx512cd avx512bw avx512vl",
    # AMD EPYC Rome / Intel Haswell: AVX2, no AVX-512.
    "epyc-rome": f"{_BASE} avx avx2 fma f16c bmi2",
    # Intel Sandy Bridge: AVX only.
    "sandy-bridge": f"{_BASE} avx",
    # Knights Landing: AVX-512F without BW/VL (GGML_AVX512 would emit illegal instructions).
    "knights-landing": f"{_BASE} avx avx2 fma f16c bmi2 avx512f avx512cd",
}


def _cpuinfo(flags: str) -> str:
    return f"processor\t: 0\nmodel name\t: test\nflags\t\t: {flags}\n\nprocessor\t: 1\n"


def _on(args: list[str]) -> set[str]:
    return {a[2:].removesuffix("=ON") for a in args if a.endswith("=ON")}


@pytest.mark.parametrize("cpu", sorted(CPUS))
def test_never_amx_never_native_and_only_what_the_cpu_has(cpu):
    args = build.cmake_args(build.cpu_flags(_cpuinfo(CPUS[cpu])))
    assert "-DGGML_NATIVE=OFF" in args
    for amx in ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"):
        assert f"-D{amx}=OFF" in args
    flags = set(CPUS[cpu].split())
    for option, needs in build.X86_OPTIONS:
        assert (option in _on(args)) == set(needs).issubset(flags), option


def test_the_expected_sets():
    sets = {cpu: _on(build.cmake_args(build.cpu_flags(_cpuinfo(f)))) for cpu, f in CPUS.items()}
    assert {"GGML_AVX512", "GGML_AVX512_VNNI", "GGML_AVX512_BF16", "GGML_AVX_VNNI"} <= sets[
        "sapphire-rapids"
    ]
    assert "GGML_AVX512_BF16" in sets["epyc-genoa"] and "GGML_AVX_VNNI" not in sets["epyc-genoa"]
    assert "GGML_AVX512" in sets["skylake-sp"] and "GGML_AVX512_VNNI" not in sets["skylake-sp"]
    assert sets["epyc-rome"] == {"GGML_SSE42", "GGML_AVX", "GGML_AVX2", "GGML_BMI2", "GGML_FMA",
                                 "GGML_F16C"}  # fmt: skip
    assert sets["sandy-bridge"] == {"GGML_SSE42", "GGML_AVX"}
    assert "GGML_AVX512" not in sets["knights-landing"]


def test_other_architectures_use_native_detection_keyed_by_their_features():
    args = build.cmake_args({"fp", "asimd"}, "aarch64")
    assert args == ["-DGGML_NATIVE=ON"]
    key = build.build_key(args, "cp311", {"fp", "asimd"})
    assert key == build.build_key(args, "cp311", {"asimd", "fp"})
    assert key != build.build_key(args, "cp311", {"fp", "asimd", "sve"})


def test_a_native_x86_wheel_is_keyed_by_the_cpu_that_built_it():
    # bench/llama_build.py's -march=native comparison wheel: an AVX-512 or AMX machine's must
    # never be reused on a CPU without them (shared LLS_WHEEL_CACHE).
    native = ["-DGGML_NATIVE=ON"]
    rome, genoa = CPUS["epyc-rome"].split(), CPUS["epyc-genoa"].split()
    assert build.build_key(native, "cp311", rome) != build.build_key(native, "cp311", genoa)
    portable = build.cmake_args(rome)  # its flags are in the args already
    assert build.build_key(portable, "cp311", rome) == build.build_key(portable, "cp311", genoa)


def test_the_build_key_changes_with_the_flags():
    a = build.build_key(build.cmake_args(CPUS["epyc-rome"].split()), "cp311")
    b = build.build_key(build.cmake_args(CPUS["epyc-genoa"].split()), "cp311")
    assert a != b
    assert a == build.build_key(build.cmake_args(CPUS["epyc-rome"].split()), "cp311")
    assert a != build.build_key(build.cmake_args(CPUS["epyc-rome"].split()), "cp312")


def test_override_replaces_the_computed_flags(monkeypatch):
    monkeypatch.setenv("LLS_LLAMA_CMAKE_ARGS", "-DGGML_NATIVE=OFF -DGGML_AVX2=ON")
    assert build.chosen_args() == ["-DGGML_NATIVE=OFF", "-DGGML_AVX2=ON"]
