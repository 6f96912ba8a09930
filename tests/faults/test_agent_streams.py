"""Agent turn streams that fail say so over REST: the agents service (real) runs a turn whose
model (`bench.paced_service`, one delta every 100 ms) streams through the gateway; the model's
service, or the agents service itself, is killed in the middle of the turn."""

from __future__ import annotations

import signal
import time

import pytest

from tests.faults.stack import FaultStack, error_info, figure, read_sse

CONFIG = {
    "version": 2,
    "image_name": "faults-agents",
    "providers": {
        "inference": [{"provider_id": "paced", "provider_type": "bench::paced"}],
        "agents": [
            {
                "provider_id": "agents",
                "provider_type": "inline::meta-reference",
                "config": {"turn_lease_seconds": 2},
            }
        ],
    },
    "services": {"inference": {}, "agents": {}},
    "models": [{"model_id": "echo", "provider_id": "paced"}],
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = FaultStack(
        tmp_path_factory.mktemp("faults-agents"),
        CONFIG,
        {"inference": "bench.paced_service", "agents": None},
    )
    try:
        yield s.start()
    finally:
        s.stop()


def _session(http) -> str:
    config = {"model": "paced/echo", "instructions": "Count.",
              "sampling_params": {"max_tokens": 200, "top_k": {"top_k": 100_000}}}  # fmt: skip
    r = http.post("/v1/agents", json={"agent_config": config})
    assert r.status_code == 200, r.text
    agent_id = r.json()["agent_id"]
    r = http.post(f"/v1/agents/{agent_id}/session", json={"session_name": "faults"})
    assert r.status_code == 200, r.text
    return f"/v1/agents/{agent_id}/session/{r.json()['session_id']}"


def _turn(http, stack: FaultStack, service: str):
    """Stream a turn; kill `service` at the fifth step_progress event."""
    base = _session(http)
    progress, killed_at = 0, 0.0

    def on_event(_n, event):
        nonlocal progress, killed_at
        if "step_progress" in event.get("event", {}):
            progress += 1
            if progress == 5:
                stack.kill(service, signal.SIGKILL)
                killed_at = time.monotonic()

    body = {"messages": [{"role": "ROLE_USER", "content": [{"text": "go"}]}]}
    sse = read_sse(http, f"{base}/turn:stream", body, on_event=on_event)
    return sse, time.monotonic() - killed_at


def test_a_turn_whose_model_dies_ends_with_an_error_event(stack, http):
    sse, seen = _turn(http, stack, "inference")
    assert sse.status == 200
    assert sse.error is not None, f"the turn stream ended without an error: {sse.events[-2:]}"
    assert sse.error["code"] == 14 and "inference" in sse.error["message"], sse.error
    kinds = [next(iter(e.get("event", {"-": 0}))) for e in sse.events[:-1]]
    assert kinds[0] == "turn_start" and "turn_complete" not in kinds
    stack.restart("inference")
    figure(
        "agent turn: model's service SIGKILL mid-turn (REST)",
        f"error event code 14 ({error_info(sse.error).get('reason', '?')}) {seen * 1000:.0f} ms "
        "after the kill, no turn_complete",
    )


def test_a_turn_whose_agents_service_dies_ends_with_an_error_event(stack, http):
    sse, seen = _turn(http, stack, "agents")
    assert sse.status == 200
    assert sse.error is not None, f"the turn stream ended without an error: {sse.events[-2:]}"
    assert sse.error["code"] == 14 and "agents service" in sse.error["message"], sse.error
    assert error_info(sse.error)["reason"] == "ERROR_REASON_SERVICE_UNAVAILABLE"
    stack.restart("agents")
    figure(
        "agent turn: agents service SIGKILL mid-turn (REST)",
        f"error event code 14 SERVICE_UNAVAILABLE {seen * 1000:.0f} ms after the kill",
    )
