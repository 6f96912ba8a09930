"""What reproducible greedy output costs: llama-cpp-python's own prompt-cache reuse (fast, not
reproducible) vs no reuse at all vs the inference service's engine (reuse cut to whole
`n_batch` chunks), on the same multi-turn conversations, in one process.

`python -m bench.reproducibility [--quick]` replays a workload of growing conversations (each
turn's prompt extends the previous one, as chat clients send them) and the same question
asked twice in a row, and reports, per mode: seconds, prompt tokens evaluated per second of
prompt work, how many prompt tokens were reused from the cache, and whether every answer
equals a fresh evaluation's (the reproducibility check). Also the prompt throughput of a
fresh evaluation at n_batch 512 (llama-cpp-python's default) and 64 (ours).
"""

from __future__ import annotations

import argparse
import random
import threading
import time

from bench.harness import emit
from bench.real_model import gguf_path
from services.inference.providers.llama_cpp import engine

THREADS = 1
N_CTX = 2048
MAX_TOKENS = 16


def _chat(turns: list[tuple[str, str]]) -> str:
    text = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    for role, content in turns:
        text += f"<|im_start|>{role}\n{content}<|im_end|>\n"
    return text + "<|im_start|>assistant\n"


def workload(n_conversations: int) -> list[str]:
    """Prompts as a chat client sends them: each turn resends the whole conversation."""
    rng = random.Random(7)
    questions = ["Name a colour.", "What is 2+2?", "Tell me about Paris.", "Why is the sky blue?"]
    prompts = []
    for _ in range(n_conversations):
        turns: list[tuple[str, str]] = []
        for _ in range(6):
            turns.append(("user", rng.choice(questions)))
            prompts.append(_chat(turns))
            prompts.append(_chat(turns))  # asked again at once (a retry, a regeneration)
            turns.append(("assistant", "Sure. " * rng.randint(5, 30)))
    return prompts


def _load(n_batch: int):
    from llama_cpp import Llama

    return Llama(model_path=gguf_path(), n_ctx=N_CTX, n_threads=THREADS,
                 n_threads_batch=THREADS, n_batch=n_batch, verbose=False)  # fmt: skip


def _tokens(llm, prompt: str) -> list[int]:
    return llm.tokenize(prompt.encode(), add_bos=False, special=True)


def _answer(gen, llm) -> str:
    out = []
    for token in gen:
        if token == llm.token_eos() or len(out) >= MAX_TOKENS:
            break
        out.append(token)
    gen.close()
    return llm.detokenize(out).decode(errors="replace")


def pieces_of(out: list[str]):
    return lambda piece: out.append(piece.text)


def run_mode(mode: str, prompts: list[str], n_batch: int) -> dict:
    """`library`: llama-cpp-python's prefix reuse; `fresh`: none; `engine`: the service's."""
    llm = _load(n_batch)
    answers = []
    chunked: dict[int, int] = {}
    started = time.perf_counter()
    for prompt in prompts:
        if mode == "engine":  # the engine tokenizes the prompt itself
            pieces: list[str] = []
            params = engine.GenerationParams(prompt=prompt, max_tokens=MAX_TOKENS)
            engine.generate(llm, params, threading.Event(), pieces_of(pieces), chunked)
            answers.append("".join(pieces))
            continue
        tokens = _tokens(llm, prompt)
        if mode == "fresh":
            llm.reset()
            gen = llm.generate(tokens, temp=0.0, reset=False)
        else:
            gen = llm.generate(tokens, temp=0.0)
        answers.append(_answer(gen, llm))
    seconds = time.perf_counter() - started
    llm.close()
    return {"seconds": round(seconds, 2), "answers": answers}


def prompt_throughput(n_batch: int, n_tokens: int = 900) -> float:
    llm = _load(n_batch)
    tokens = _tokens(llm, _chat([("user", "word " * n_tokens)]))
    best = 0.0
    for _ in range(3):
        llm.reset()
        t = time.perf_counter()
        llm.eval(tokens)
        best = max(best, len(tokens) / (time.perf_counter() - t))
    llm.close()
    return round(best, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    prompts = workload(2 if args.quick else 4)
    fresh = run_mode("fresh", prompts, 64)
    library = run_mode("library", prompts, 64)
    ours = run_mode("engine", prompts, 64)
    reference = fresh["answers"]

    def same(result: dict) -> bool:
        return result["answers"] == reference

    def differing(result: dict) -> int:
        return sum(a != b for a, b in zip(result["answers"], reference, strict=True))

    tput = {512: prompt_throughput(512), 64: prompt_throughput(64)}
    doc = {
        "requests": len(prompts),
        "threads": THREADS,
        "modes": {
            "fresh (no reuse)": {"seconds": fresh["seconds"], "reproducible": True},
            "library prefix reuse": {"seconds": library["seconds"], "reproducible": same(library),
                                     "answers_differing_from_fresh": differing(library)},
            "engine (whole chunks)": {"seconds": ours["seconds"], "reproducible": same(ours),
                                      "answers_differing_from_fresh": differing(ours)},
        },
        "speedup_engine_over_fresh": round(fresh["seconds"] / ours["seconds"], 2),
        "cost_engine_over_library": round(ours["seconds"] / library["seconds"], 2),
        "fresh_prompt_tokens_per_s": {"n_batch_512": tput[512], "n_batch_64": tput[64]},
    }  # fmt: skip
    table = [
        ("mode", "seconds", "same as fresh"),
        ("fresh (no reuse)", str(fresh["seconds"]), "yes"),
        ("library prefix reuse", str(library["seconds"]),
         "yes" if same(library) else f"no ({differing(library)} differ)"),
        ("engine (whole chunks)", str(ours["seconds"]),
         "yes" if same(ours) else f"no ({differing(ours)} differ)"),
        ("prompt tok/s n_batch 512 / 64", f"{tput[512]} / {tput[64]}", ""),
    ]  # fmt: skip
    emit("reproducibility", doc, table)


if __name__ == "__main__":
    main()
