"""Registry at load: routing cost and list paging with 10 / 1,000 / 10,000 registered models.

`python -m bench.registry_scale [--quick]` registers models through the gateway (as users
would), then at each size measures a routed call (p50/p99, interleaved with a direct call as
the baseline) and paging through the whole list. Routing must not grow with the registry.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import grpc

from bench.harness import emit, interleaved, summary
from bench.mesh import BenchMesh
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from services.common.providers import PROVIDER_ID_METADATA

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-registry",
    "providers": {"inference": [{"provider_id": "paced", "provider_type": "bench::paced"}]},
    "services": {"inference": {}},
}


async def _register_until(models: ms_grpc.ModelServiceStub, start: int, stop: int) -> float:
    queue = list(range(start, stop))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            await models.RegisterModel(
                ms.RegisterModelRequest(model_id=f"m{i:05d}", provider_id="paced")
            )

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(16)))
    return time.perf_counter() - t


async def _page_through(models: ms_grpc.ModelServiceStub, page_size: int) -> tuple[float, int]:
    t, token, n = time.perf_counter(), "", 0
    while True:
        resp = await models.ListModels(ms.ListModelsRequest(page_size=page_size, page_token=token))
        n += len(resp.data)
        token = resp.next_page_token
        if not token:
            return time.perf_counter() - t, n


async def measure(mesh: BenchMesh, quick: bool) -> dict:
    sizes = (10, 1000, 3000) if quick else (10, 1000, 10000)
    messages = [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])]
    out: dict[str, dict] = {}
    async with (
        grpc.aio.insecure_channel(mesh.gateway.address) as gch,
        grpc.aio.insecure_channel(mesh.services["inference"].address) as dch,
    ):
        models = ms_grpc.ModelServiceStub(gch)
        gw, direct = inf_grpc.InferenceServiceStub(gch), inf_grpc.InferenceServiceStub(dch)
        routed_req = inf.ChatCompletionRequest(model_id="paced/m00000", messages=messages)
        direct_req = inf.ChatCompletionRequest(model_id="m00000", messages=messages)
        md = ((PROVIDER_ID_METADATA, "paced"),)

        async def routed():
            await gw.ChatCompletion(routed_req)

        async def plain():
            await direct.ChatCompletion(direct_req, metadata=md)

        have = 0
        for size in sizes:
            added = size - have
            reg_s = await _register_until(models, have, size)
            have = size
            lat = await interleaved(
                {"gateway": routed, "direct": plain}, rounds=4 if quick else 8, per_round=200
            )
            page100, n = await _page_through(models, 100)
            page1000, _ = await _page_through(models, 1000)
            assert n == size, f"listed {n} of {size}"
            out[str(size)] = {
                "routed": summary(lat["gateway"]),
                "direct": summary(lat["direct"]),
                "added_p50_us": round(
                    summary(lat["gateway"])["p50_us"] - summary(lat["direct"])["p50_us"], 1
                ),
                "list_all_ms": {"page_size_100": round(page100 * 1e3, 1),
                                "page_size_1000": round(page1000 * 1e3, 1)},
                "registrations_per_s": round(added / reg_s) if reg_s else None,
            }  # fmt: skip
    smallest, largest = out[str(sizes[0])], out[str(sizes[-1])]
    return {
        "sizes": out,
        "routed_p50_ratio_largest_over_smallest": round(
            largest["routed"]["p50_us"] / smallest["routed"]["p50_us"], 3
        ),
        "added_p50_ratio_largest_over_smallest": round(
            largest["added_p50_us"] / smallest["added_p50_us"], 3
        )
        if smallest["added_p50_us"] > 0
        else None,
        "targets": {"routing_cost": "flat from 10 to 10,000 resources"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    mesh = BenchMesh(RUN_CONFIG, {"inference": "bench.paced_service"}).start(envoy=False)
    try:
        doc = asyncio.run(measure(mesh, args.quick))
    finally:
        mesh.stop()
    table = [("resources", "routed p50 µs", "direct p50 µs", "added µs", "list all (100/page) ms")]
    for size, row in doc["sizes"].items():
        table.append((size, row["routed"]["p50_us"], row["direct"]["p50_us"],
                      row["added_p50_us"], row["list_all_ms"]["page_size_100"]))  # fmt: skip
    emit("registry_scale", doc, table)


if __name__ == "__main__":
    main()
