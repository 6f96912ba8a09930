"""Embeddings for chunks and queries, computed by the inference API through the gateway."""

from __future__ import annotations

import asyncio
import logging

from llamastack.common.v1 import content_pb2
from llamastack.inference.v1 import inference_pb2, inference_service_pb2, inference_service_pb2_grpc
from services.common.errors import FailedPrecondition
from services.common.gateway_client import GatewayClient

__all__ = ["Embedder"]

log = logging.getLogger(__name__)


class Embedder:
    """Texts -> vectors with a registered embedding model, in batches of `batch_size`, up to
    `concurrency` batches in flight. Texts longer than the model reads are cut at the end
    (`TEXT_TRUNCATION_END`): the chunk is stored whole, its vector covers its start. Errors of
    the inference call (model not registered, service down) pass through unchanged."""

    def __init__(self, gateway: GatewayClient, batch_size: int = 64, concurrency: int = 2):
        self.gateway = gateway
        self.batch_size = batch_size
        self.concurrency = concurrency

    async def embed(
        self, model_id: str, texts: list[str], dimension: int, timeout: float | None
    ) -> list[list[float]]:
        stub = self.gateway.stub(inference_service_pb2_grpc.InferenceServiceStub)
        gate = asyncio.Semaphore(self.concurrency)

        async def batch(part: list[str]) -> list[list[float]]:
            request = inference_service_pb2.EmbeddingsRequest(
                model_id=model_id,
                contents=[content_pb2.ContentItem(text=t) for t in part],
                text_truncation=inference_pb2.TEXT_TRUNCATION_END,
            )
            async with gate:
                response = await stub.Embeddings(request, timeout=timeout)
            return [list(e.values) for e in response.embeddings]

        parts = [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        # An error of the inference call is forwarded by the servicer's guard unchanged.
        results = await asyncio.gather(*(batch(p) for p in parts))
        vectors = [v for part in results for v in part]
        for v in vectors[:1]:
            if len(v) != dimension:
                raise FailedPrecondition(
                    f"embedding model {model_id!r} returned {len(v)}-dimensional vectors but "
                    f"the vector DB stores {dimension}; register the vector DB again with the "
                    "model's dimension"
                )
        return vectors
