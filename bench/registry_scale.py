"""Registry at load: routing cost and list paging with 10 / 1,000 / 10,000 registered models.

`python -m bench.registry_scale [--quick]` starts one gateway per registry size, all in front
of the same service, each with its SQLite registry filled beforehand, and interleaves the
same routed call across them (and a direct call as the baseline), so the sizes are compared
under the same machine conditions. It also times paging through each whole list and
registering models through the API.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import grpc

from bench.harness import emit, interleaved, summary
from bench.mesh import BenchMesh
from gateway.store import Record
from gateway.store.sqlite import SqliteStore
from llamastack.common.v1 import message_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from llamastack.registry.v1 import resources_pb2
from services.common.providers import PROVIDER_ID_METADATA
from tests.support.processes import start_gateway

RUN_CONFIG = {
    "version": 2,
    "image_name": "bench-registry",
    "providers": {"inference": [{"provider_id": "paced", "provider_type": "bench::paced"}]},
    "services": {"inference": {}},
}


async def _fill(path, size: int) -> None:
    """A registry of `size` models, written as the gateway itself would store them."""
    store = SqliteStore(path)
    for i in range(size):
        model = resources_pb2.Model(
            identifier=f"paced/m{i:05d}", provider_id="paced", provider_resource_id=f"m{i:05d}",
            model_type=resources_pb2.MODEL_TYPE_LLM,
        )  # fmt: skip
        data = model.SerializeToString(deterministic=True)
        await store.put_if_absent(
            Record("model", model.identifier, "paced", model.provider_resource_id, data, data)
        )
    await store.close()


async def _page_through(models: ms_grpc.ModelServiceStub, page_size: int) -> tuple[float, int]:
    t, token, n = time.perf_counter(), "", 0
    while True:
        resp = await models.ListModels(ms.ListModelsRequest(page_size=page_size, page_token=token))
        n += len(resp.data)
        token = resp.next_page_token
        if not token:
            return time.perf_counter() - t, n


async def _register(models: ms_grpc.ModelServiceStub, count: int) -> float:
    queue = list(range(count))

    async def worker() -> None:
        while queue:
            i = queue.pop()
            await models.RegisterModel(
                ms.RegisterModelRequest(model_id=f"new{i}", provider_id="paced")
            )

    t = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(16)))
    return count / (time.perf_counter() - t)


async def measure(mesh: BenchMesh, gateways: dict[int, str], quick: bool) -> dict:
    messages = [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])]
    routed_req = inf.ChatCompletionRequest(model_id="paced/m00000", messages=messages)
    direct_req = inf.ChatCompletionRequest(model_id="m00000", messages=messages)
    md = ((PROVIDER_ID_METADATA, "paced"),)
    channels = {size: grpc.aio.insecure_channel(addr) for size, addr in gateways.items()}
    direct_ch = grpc.aio.insecure_channel(mesh.services["inference"].address)
    try:
        direct = inf_grpc.InferenceServiceStub(direct_ch)
        paths = {"direct": lambda: direct.ChatCompletion(direct_req, metadata=md)}
        for size, ch in channels.items():
            stub = inf_grpc.InferenceServiceStub(ch)
            paths[f"registry_{size}"] = lambda stub=stub: stub.ChatCompletion(routed_req)
        lat = await interleaved(paths, rounds=6 if quick else 12, per_round=200)
        base = summary(lat.flat("direct"))
        sizes: dict[str, dict] = {}
        for size, ch in channels.items():
            models = ms_grpc.ModelServiceStub(ch)
            page100, n = await _page_through(models, 100)
            page1000, _ = await _page_through(models, 1000)
            assert n == size, f"listed {n} of {size}"
            routed = summary(lat.flat(f"registry_{size}"))
            sizes[str(size)] = {
                "routed": routed,
                "added_p50_us": lat.added_p50_us(f"registry_{size}", "direct"),
                "list_all_ms": {"page_size_100": round(page100 * 1e3, 1),
                                "page_size_1000": round(page1000 * 1e3, 1)},
            }  # fmt: skip
        largest = max(channels)
        rate = await _register(ms_grpc.ModelServiceStub(channels[largest]), 300 if quick else 1000)
    finally:
        for ch in (*channels.values(), direct_ch):
            await ch.close()
    small, big = sizes[str(min(channels))], sizes[str(max(channels))]
    return {
        "direct": base,
        "sizes": sizes,
        "routed_p50_ratio_largest_over_smallest": round(
            big["routed"]["p50_us"] / small["routed"]["p50_us"], 3
        ),
        "registrations_per_s": round(rate),
        "targets": {"routing_cost": "flat from 10 to 10,000 resources"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = (10, 1000, 3000) if args.quick else (10, 1000, 10000)
    mesh = BenchMesh(RUN_CONFIG, {"inference": "bench.paced_service"})
    dbs = {size: mesh.workdir / f"registry-{size}.db" for size in sizes}
    for size, path in dbs.items():
        asyncio.run(_fill(path, size))
    mesh.start(envoy=False)
    extra = []
    try:
        for size, path in dbs.items():
            extra.append(start_gateway(
                mesh.run_config, mesh.workdir, mesh.services, name=f"gateway-{size}",
                env={"LLS_REGISTRY_URL": f"sqlite:///{path}"}, timeout=300,
            ))  # fmt: skip
        addrs = {size: gw.address for size, gw in zip(sizes, extra, strict=True)}
        doc = asyncio.run(measure(mesh, addrs, args.quick))
    finally:
        for gw in extra:
            gw.stop()
        mesh.stop()
    table = [("resources", "routed p50 µs", "routed p99 µs", "added µs", "list all (100/page) ms")]
    for size, row in doc["sizes"].items():
        table.append((size, row["routed"]["p50_us"], row["routed"]["p99_us"],
                      row["added_p50_us"], row["list_all_ms"]["page_size_100"]))  # fmt: skip
    emit("registry_scale", doc, table)


if __name__ == "__main__":
    main()
