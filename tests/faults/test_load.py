"""Load: 200 concurrent SSE streams through Envoy → gateway → a fast provider
(`bench.paced_service`), kept open for LLS_FAULTS_LOAD_SECONDS (15 s here; `python -m
bench.stream_load` runs 60 s). Nothing may be lost and memory must not grow."""

from __future__ import annotations

import os

from bench import stream_load
from tests.faults.stack import FaultStack, figure

STREAMS = 200
SECONDS = float(os.environ.get("LLS_FAULTS_LOAD_SECONDS", "15"))
#: RSS growth allowed per process between a warm-up at the same load and the end of the run.
RSS_GROWTH_BOUND_MB = 20.0


def test_200_streams_through_envoy_lose_nothing_and_do_not_grow(tmp_path):
    stack = FaultStack(tmp_path, stream_load.RUN_CONFIG, {"inference": "bench.paced_service"})
    try:
        stack.start()
        pids = {
            "envoy": stack.envoy.popen.pid,
            "gateway": stack.gateway.popen.pid,
            "service": stack.services["inference"].popen.pid,
        }
        doc = stream_load.measure(stack.rest, pids, STREAMS, SECONDS)
    finally:
        stack.stop()
    growth = ", ".join(
        f"{n} {doc['rss_mb_before'][n]:.0f}→{doc['rss_mb_after'][n]:.0f} MB" for n in pids
    )
    figure(
        f"load: {STREAMS} concurrent SSE streams, {doc['seconds']:.0f}s",
        f"{doc['streams_completed']} streams, chunks sent {doc['chunks_sent']} / received "
        f"{doc['chunks_received']} ({doc['chunks_per_s']}/s), errors {doc['errors']}; "
        f"RSS {growth} (bound +{RSS_GROWTH_BOUND_MB:g} MB)",
    )
    assert doc["errors"] == 0, doc["first_errors"]
    assert doc["chunks_received"] == doc["chunks_sent"]
    for name, grown in doc["rss_growth_mb"].items():
        assert grown <= RSS_GROWTH_BOUND_MB, f"{name} grew {grown} MB under steady load"
