"""What the portable llama.cpp build costs or gains: tokens/s of the build `make setup` makes
(GGML_NATIVE=OFF, every vector extension the CPU reports, never AMX) against llama.cpp's
default `-march=native` build, on the same model and prompts, in alternating child processes.

`python -m bench.llama_build [--quick]` builds the native wheel once (about 5 minutes, then it
is cached by `scripts/llama_cpp_build.py`), installs it into a scratch directory, and runs
the same measurement with each build. On a CPU with AMX the native build is the one that
crashes (SIGSEGV in ggml_backend_amx_mul_mat): that is reported, not hidden.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import emit
from bench.real_model import gguf_path

REPO = Path(__file__).resolve().parents[1]
NATIVE_ARGS = ["-DGGML_NATIVE=ON"]

_MEASURE = """
import json, sys, time
from llama_cpp import Llama
llm = Llama(model_path=sys.argv[1], n_ctx=2048, n_threads=int(sys.argv[2]),
            n_threads_batch=int(sys.argv[2]), verbose=False)
eos = llm.token_eos()
prompt = llm.tokenize(("Tell me a long story about the sea. " * 40).encode(), add_bos=False)
llm.reset(); t = time.perf_counter(); llm.eval(prompt); prompt_s = time.perf_counter() - t
llm.reset()
tokens = llm.tokenize(b"Write a long story about a dragon who learns to cook.", add_bos=False)
n, t = 0, time.perf_counter()
for tok in llm.generate(tokens, temp=0.0, logits_processor=[
        lambda ids, scores: (scores.__setitem__(eos, -1e9), scores)[1]]):
    n += 1
    if n >= int(sys.argv[3]):
        break
gen_s = time.perf_counter() - t
print(json.dumps({"prompt_tokens_per_s": len(prompt) / prompt_s, "tokens_per_s": n / gen_s}))
"""


def _native_dir(scratch: Path) -> Path:
    out = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "llama_cpp_build.py"), "wheel", sys.executable,
         *NATIVE_ARGS],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    wheel = out.stdout.strip().splitlines()[-1]
    target = scratch / "native"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         wheel],
        check=True,
    )  # fmt: skip
    return target


def _measure(pythonpath: Path | None, threads: int, tokens: int) -> dict:
    env = None
    if pythonpath is not None:
        import os

        env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, gguf_path(), str(threads), str(tokens)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    if proc.returncode != 0:
        how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        return {"crashed": how, "stderr": proc.stderr[-500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    rounds, tokens = (2, 64) if args.quick else (5, 128)
    with tempfile.TemporaryDirectory() as scratch:
        native_dir = _native_dir(Path(scratch))
        runs: dict[str, list[dict]] = {"ours": [], "native": []}
        for r in range(rounds):
            order = [("ours", None), ("native", native_dir)]
            for name, path in order if r % 2 == 0 else reversed(order):
                runs[name].append(_measure(path, args.threads, tokens))

    def median(name: str, key: str) -> float | None:
        values = [run[key] for run in runs[name] if key in run]
        return round(statistics.median(values), 1) if values else None

    crashed = {name: next((r["crashed"] for r in rs if "crashed" in r), None)
               for name, rs in runs.items()}  # fmt: skip
    ours_tps, native_tps = median("ours", "tokens_per_s"), median("native", "tokens_per_s")
    ratio = round(ours_tps / native_tps, 3) if ours_tps and native_tps else None
    from_flags = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "llama_cpp_build.py"), "flags"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    doc = {
        "threads": args.threads,
        "generated_tokens": tokens,
        "rounds": rounds,
        "ours_cmake_args": from_flags,
        "native_cmake_args": " ".join(NATIVE_ARGS),
        "tokens_per_s": {"ours": ours_tps, "native": native_tps},
        "prompt_tokens_per_s": {"ours": median("ours", "prompt_tokens_per_s"),
                                "native": median("native", "prompt_tokens_per_s")},
        "crashed": crashed,
        "ratio_tokens_per_s_ours/native": ratio,
    }  # fmt: skip
    table = [
        ("build", "tokens/s", "prompt tokens/s", "crashed"),
        ("ours (portable, no AMX)", str(ours_tps), str(doc["prompt_tokens_per_s"]["ours"]),
         crashed["ours"] or "no"),
        ("native (-march=native)", str(native_tps), str(doc["prompt_tokens_per_s"]["native"]),
         crashed["native"] or "no"),
        ("ratio ours/native", str(ratio), "", ""),
    ]  # fmt: skip
    emit("llama_build", doc, table)


if __name__ == "__main__":
    main()
