"""Safety overhead: the policy shield's detectors called in-process vs the same check as a
RunShield call to the safety service, through the gateway, and through Envoy REST.

`python -m bench.safety_overhead [--quick]` prints a JSON document: p50/p99 per path at 1
call in flight (paths interleaved), and what each hop adds over the in-process detector
(median over rounds of the per-round difference). The shield is the built-in `default` rule
set (every secret shape, payment cards, IBANs, e-mail and phone numbers) on a clean
~300-character user message, so every detector runs to the end.
"""

from __future__ import annotations

import argparse
import asyncio

import grpc
import httpx

from bench.harness import emit, interleaved, summary
from bench.mesh import BenchMesh
from llamastack.common.v1 import content_pb2, message_pb2
from llamastack.safety.v1 import safety_service_pb2 as pb
from llamastack.safety.v1 import safety_service_pb2_grpc as pb_grpc
from services.safety.providers.policy.provider import PolicyProvider
from services.safety.providers.policy.rules import evaluate
from services.safety.types import Role, ShieldMessage

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-safety",
    "providers": {"safety": [{"provider_id": "policy", "provider_type": "inline::policy"}]},
    "services": {"safety": {}},
    "shields": [{"shield_id": "policy", "provider_id": "policy", "provider_shield_id": "default"}],
}
TEXT = (
    "Hi! I'm planning a trip to Lisbon in May with two friends. Could you suggest a "
    "three-day itinerary with museums, a good seafood restaurant near the river, and a day "
    "trip to Sintra? We prefer public transport, and our budget is about 150 euros per "
    "person per day, meals included. Thanks a lot for your help with this."
)


async def measure(mesh: BenchMesh, quick: bool) -> dict:
    provider = PolicyProvider("policy", {})
    rules = await provider.build_shield("policy", "default", {})
    messages = [ShieldMessage(Role.USER, TEXT)]
    assert evaluate(rules, messages) is None  # the clean path: every detector runs fully
    req = pb.RunShieldRequest(
        shield_id="policy",
        messages=[
            message_pb2.Message(
                role=message_pb2.ROLE_USER, content=[content_pb2.ContentItem(text=TEXT)]
            )
        ],
    )
    body = {"shield_id": "policy", "messages": [{"role": "ROLE_USER", "content": [{"text": TEXT}]}]}

    async with (
        grpc.aio.insecure_channel(mesh.services["safety"].address) as dch,
        grpc.aio.insecure_channel(mesh.gateway.address) as gch,
        httpx.AsyncClient(base_url=mesh.rest) as http,
    ):
        direct_stub, gw_stub = pb_grpc.SafetyServiceStub(dch), pb_grpc.SafetyServiceStub(gch)

        async def in_process():
            evaluate(rules, messages)

        async def direct():
            await direct_stub.RunShield(req)

        async def gateway():
            await gw_stub.RunShield(req)

        async def envoy():
            r = await http.post("/v1/safety/run-shield", json=body)
            r.raise_for_status()

        paths = {
            "in_process": in_process,
            "direct": direct,
            "gateway": gateway,
            "envoy_rest": envoy,
        }
        rounds, per_round = (4, 100) if quick else (16, 200)
        lat = await interleaved(paths, rounds=rounds, per_round=per_round)
    one = {name: summary(lat.flat(name)) for name in lat}
    return {
        "in_flight_1": one,
        "added_p50_us": {
            "direct_over_in_process": lat.added_p50_us("direct", "in_process"),
            "gateway_over_in_process": lat.added_p50_us("gateway", "in_process"),
            "gateway_over_direct": lat.added_p50_us("gateway", "direct"),
            "envoy_rest_over_gateway": lat.added_p50_us("envoy_rest", "gateway"),
        },
        "targets": {"gateway_added_over_in_process_p50_us_under": 1000},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    mesh = BenchMesh(RUN_CONFIG, {"safety": "services.safety"}).start()
    try:
        doc = asyncio.run(measure(mesh, args.quick))
    finally:
        mesh.stop()
    one, added = doc["in_flight_1"], doc["added_p50_us"]
    table = [("path", "p50 µs", "p99 µs")]
    table += [(name, one[name]["p50_us"], one[name]["p99_us"]) for name in one]
    table += [(f"added {k}", v, "") for k, v in added.items()]
    emit("safety_overhead", doc, table)


if __name__ == "__main__":
    main()
