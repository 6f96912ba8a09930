"""Load: many concurrent SSE streams through Envoy → gateway → a fast provider, for a while.

`python -m bench.stream_load [--streams 200] [--seconds 60]` opens `--streams` REST streams at
once and keeps that many open for `--seconds` (each stream: `--chunks` numbered chunks, one
every `--pace-ms`, then COMPLETE, from `bench.paced_service`), checks every stream arrives
whole and in order, and reports chunks sent vs received, errors, and the memory (RSS) of
Envoy, the gateway and the service after a warm-up at the same load and at the end.
`tests/faults/test_load.py` runs it shorter in `make test`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.harness import emit

__all__ = ["RUN_CONFIG", "LoadResult", "load", "rss_mb"]

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-stream-load",
    "providers": {"inference": [{"provider_id": "paced", "provider_type": "bench::paced"}]},
    "services": {"inference": {}},
    "models": [{"model_id": "echo", "provider_id": "paced"}],
}
MODEL = "paced/echo"
STREAM = "/v1/inference/chat-completion:stream"


@dataclass
class LoadResult:
    streams: int = 0
    chunks_sent: int = 0  # what the service sends for the streams opened (chunks + COMPLETE)
    chunks_received: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise ValueError(f"no VmRSS for pid {pid}")


async def _one(
    session: aiohttp.ClientSession, url: str, chunks: int, pace_us: int, out: LoadResult
) -> None:
    body = {
        "model_id": MODEL,
        "messages": [{"role": "ROLE_USER", "content": [{"text": "go"}]}],
        "sampling_params": {"max_tokens": chunks, "top_k": {"top_k": pace_us}},
    }
    out.streams += 1
    out.chunks_sent += chunks + 1
    texts: list[str] = []
    complete = False
    try:
        async with session.post(url, json=body) as resp:
            if resp.status != 200:
                out.errors.append(f"HTTP {resp.status}: {(await resp.read())[:200]!r}")
                return
            buffer = b""
            async for data in resp.content.iter_any():
                *events, buffer = (buffer + data).split(b"\n\n")
                for raw in events:
                    if not raw.startswith(b"data:"):
                        continue
                    out.chunks_received += 1
                    event = json.loads(raw[5:])
                    if "error" in event:
                        out.errors.append(f"error event: {event['error'].get('message')}")
                        return
                    if event["event"]["event_type"] == "CHAT_COMPLETION_EVENT_TYPE_COMPLETE":
                        complete = True
                    else:
                        texts.append(event["event"]["delta"]["text"])
    except (aiohttp.ClientError, TimeoutError) as exc:
        out.errors.append(f"{type(exc).__name__}: {exc}")
        return
    if texts != [str(i) for i in range(chunks)] or not complete:
        out.errors.append(f"stream incomplete or out of order: {len(texts)} chunks, {complete=}")


async def load(
    rest_url: str, streams: int, seconds: float, chunks: int = 20, pace_ms: float = 100.0
) -> LoadResult:
    """Keep `streams` streams open for `seconds` (each worker opens the next when one ends)."""
    out = LoadResult()
    pace_us = int(pace_ms * 1000)
    connector = aiohttp.TCPConnector(limit=streams + 10)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        t0 = time.monotonic()
        stop = t0 + seconds

        async def worker(i: int) -> None:
            await asyncio.sleep(i * pace_ms / 1000 / streams)  # spread the starts over a pace
            while time.monotonic() < stop:
                await _one(session, rest_url + STREAM, chunks, pace_us, out)

        await asyncio.gather(*(worker(i) for i in range(streams)))
        out.seconds = time.monotonic() - t0
    return out


def measure(rest_url: str, pids: dict[str, int], streams: int, seconds: float) -> dict:
    """Warm up at the same load (pools and buffers grow to their working size), read RSS,
    run the measured load, let it settle, read RSS again."""
    asyncio.run(load(rest_url, streams, min(5.0, seconds / 3)))
    time.sleep(1.0)
    before = {name: rss_mb(pid) for name, pid in pids.items()}
    result = asyncio.run(load(rest_url, streams, seconds))
    time.sleep(1.0)
    after = {name: rss_mb(pid) for name, pid in pids.items()}
    return {
        "streams": streams,
        "seconds": round(result.seconds, 1),
        "streams_completed": result.streams,
        "chunks_sent": result.chunks_sent,
        "chunks_received": result.chunks_received,
        "chunks_per_s": round(result.chunks_received / result.seconds),
        "errors": len(result.errors),
        "first_errors": result.errors[:5],
        "rss_mb_before": before,
        "rss_mb_after": after,
        "rss_growth_mb": {n: round(after[n] - before[n], 1) for n in pids},
    }


def main() -> None:
    from bench.mesh import BenchMesh

    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="20 s instead of --seconds")
    args = parser.parse_args()
    seconds = 20.0 if args.quick else args.seconds
    mesh = BenchMesh(RUN_CONFIG, {"inference": "bench.paced_service"}).start()
    try:
        pids = {
            "envoy": mesh.envoy.popen.pid,
            "gateway": mesh.gateway.popen.pid,
            "service": mesh.services["inference"].popen.pid,
        }
        doc = measure(mesh.rest, pids, args.streams, seconds)
    finally:
        mesh.stop()
    table = [("process", "RSS MB before", "RSS MB after", "growth MB")]
    for name in doc["rss_mb_before"]:
        table.append(
            (name, doc["rss_mb_before"][name], doc["rss_mb_after"][name],
             doc["rss_growth_mb"][name])
        )  # fmt: skip
    table.append(("chunks sent / received", doc["chunks_sent"], doc["chunks_received"], ""))
    table.append(("errors", doc["errors"], "", ""))
    emit("stream_load", doc, table)


if __name__ == "__main__":
    main()
