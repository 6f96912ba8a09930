"""Safety overhead: the policy shield's detectors called in-process vs the same check as a
RunShield call to the safety service, through the gateway, and through Envoy REST; and the
same text as OpenAI's moderation (`CreateModeration` through the gateway, `POST
/v1/moderations` through Envoy) vs RunShield on the same path.

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
from llamastack.openai.v1 import moderation_service_pb2 as mod_pb
from llamastack.openai.v1 import moderation_service_pb2_grpc as mod_grpc
from llamastack.safety.v1 import safety_service_pb2 as pb
from llamastack.safety.v1 import safety_service_pb2_grpc as pb_grpc
from services.safety.moderation import result
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
    moderation = mod_pb.CreateModerationRequest(model="policy")
    moderation.input.string_value = TEXT

    async with (
        grpc.aio.insecure_channel(mesh.services["safety"].address) as dch,
        grpc.aio.insecure_channel(mesh.gateway.address) as gch,
        httpx.AsyncClient(base_url=mesh.rest) as http,
    ):
        direct_stub, gw_stub = pb_grpc.SafetyServiceStub(dch), pb_grpc.SafetyServiceStub(gch)
        gw_moderations = mod_grpc.OpenAIModerationServiceStub(gch)

        async def in_process():
            evaluate(rules, messages)

        async def direct():
            await direct_stub.RunShield(req)

        async def gateway():
            await gw_stub.RunShield(req)

        async def envoy():
            r = await http.post("/v1/safety/run-shield", json=body)
            r.raise_for_status()

        async def moderation_in_process():
            result(evaluate(rules, messages))

        async def moderation_gateway():
            await gw_moderations.CreateModeration(moderation)

        async def moderation_rest():
            r = await http.post("/v1/moderations", json={"model": "policy", "input": TEXT})
            r.raise_for_status()

        paths = {
            "in_process": in_process,
            "direct": direct,
            "gateway": gateway,
            "envoy_rest": envoy,
            "moderation_in_process": moderation_in_process,
            "moderation_gateway": moderation_gateway,
            "moderation_rest": moderation_rest,
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
            "moderation_over_run_shield_in_process": lat.added_p50_us(
                "moderation_in_process", "in_process"
            ),
            "moderation_over_run_shield_gateway": lat.added_p50_us("moderation_gateway", "gateway"),
            "moderation_over_run_shield_rest": lat.added_p50_us("moderation_rest", "envoy_rest"),
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
