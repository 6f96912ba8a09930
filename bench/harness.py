"""Measurement helpers: interleaved paths, percentiles, CPU time, one JSON document out."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "Rounds",
    "cpu_seconds",
    "emit",
    "interleaved",
    "machine",
    "pct",
    "summary",
    "throughput",
]

RESULTS = Path(__file__).parent / "results"


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / mean in microseconds."""
    return {
        "n": len(seconds),
        "p50_us": round(pct(seconds, 50) * 1e6, 1),
        "p99_us": round(pct(seconds, 99) * 1e6, 1),
        "mean_us": round(statistics.fmean(seconds) * 1e6, 1) if seconds else float("nan"),
    }


class Rounds(dict):
    """Latencies per path, kept per round: `flat(name)` for percentiles, `added(a, b)` for
    the paired difference of the two paths' medians, round by round."""

    def flat(self, name: str) -> list[float]:
        return [x for rnd in self[name] for x in rnd]

    def added_p50_us(self, path: str, baseline: str) -> float:
        """Median over rounds of (median of `path` - median of `baseline`) in that round:
        drift of the machine between rounds cancels out."""
        diffs = [
            statistics.median(a) - statistics.median(b)
            for a, b in zip(self[path], self[baseline], strict=True)
        ]
        return round(statistics.median(diffs) * 1e6, 1)


async def interleaved(
    paths: dict[str, Callable[[], Awaitable[Any]]], rounds: int, per_round: int, warmup: int = 50
) -> Rounds:
    """Latency of one call at a time on each path, in alternating blocks so machine noise
    hits every path alike."""
    for fn in paths.values():
        for _ in range(warmup):
            await fn()
    out = Rounds({name: [] for name in paths})
    clock = time.perf_counter
    for r in range(rounds):
        order = list(paths.items())
        if r % 2:
            order.reverse()
        for name, fn in order:
            samples: list[float] = []
            for _ in range(per_round):
                t = clock()
                await fn()
                samples.append(clock() - t)
            out[name].append(samples)
    return out


async def throughput(
    fn: Callable[[], Awaitable[Any]], concurrency: int, seconds: float
) -> tuple[float, list[float]]:
    """Calls per second with `concurrency` calls in flight for about `seconds`."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    clock = time.perf_counter

    async def worker() -> int:
        n = 0
        while clock() < stop:
            t = clock()
            await fn()
            latencies.append(clock() - t)
            n += 1
        return n

    start = clock()
    counts = await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sum(counts) / (clock() - start), latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import grpc

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "grpcio": grpc.__version__,
        "loadavg_at_start": os.getloadavg()[0],
    }


def emit(name: str, doc: dict[str, Any], table: list[tuple[str, ...]]) -> None:
    """Print a short table, then the JSON document; keep a copy under bench/results/."""
    doc = {"benchmark": name, "machine": machine(), **doc}
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)), file=sys.stderr)
    text = json.dumps(doc, indent=2)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(text + "\n")
