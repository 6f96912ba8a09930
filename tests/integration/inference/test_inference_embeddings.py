"""Embeddings from the real all-MiniLM-L6-v2 (sentence-transformers) in the inference process."""

from __future__ import annotations

import math

import grpc
import pytest
from google.protobuf import json_format

from llamastack.common.v1 import content_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as pb
from llamastack.provider.v1 import provider_service_pb2 as ppb
from llamastack.registry.v1 import resources_pb2
from tests.integration.inference.mesh import EMBED, metrics, text

pytestmark = pytest.mark.slow

Truncation = inference_pb2.TextTruncation
LONG = "The quick brown fox jumps over the lazy dog. " * 40  # ~400 tokens > 256


def embed(inference, *texts: str, **kw) -> list[list[float]]:
    r = inference.Embeddings(
        pb.EmbeddingsRequest(model_id=EMBED, contents=[text(t) for t in texts], **kw)
    )
    assert metrics(r)["prompt_tokens"] > 0
    return [list(e.values) for e in r.embeddings]


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(v: list[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


def test_embeddings_are_384_normalised_and_meaningful(inference):
    q, paris, cat = embed(
        inference,
        "What is the capital of France?",
        "Paris is the capital of France.",
        "The cat sleeps on the sofa.",
    )
    assert len(q) == len(paris) == 384
    assert all(abs(norm(v) - 1) < 1e-4 for v in (q, paris, cat))
    assert cos(q, paris) > 0.7 > cos(q, cat)


def test_batching_keeps_order(inference):
    texts = [f"sentence number {i}" for i in range(40)]
    together = embed(inference, *texts)
    assert len(together) == 40
    for i in (0, 17, 39):
        alone = embed(inference, texts[i])[0]
        assert cos(alone, together[i]) > 0.9999


def test_overlong_input_is_rejected_without_truncation(inference):
    for truncation in (Truncation.TEXT_TRUNCATION_NONE, Truncation.TEXT_TRUNCATION_UNSPECIFIED):
        with pytest.raises(grpc.RpcError) as err:
            embed(inference, "short", LONG, text_truncation=truncation)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "contents[1]" in err.value.details()


def test_truncation_start_and_end_keep_different_ends(inference):
    head = "Quantum physics describes particles. " * 30
    tail = "Chocolate cake recipes need butter. " * 45  # the last ~250 tokens
    end = embed(inference, head + tail, text_truncation=Truncation.TEXT_TRUNCATION_END)[0]
    start = embed(inference, head + tail, text_truncation=Truncation.TEXT_TRUNCATION_START)[0]
    head_v, tail_v = embed(inference, head, tail, text_truncation=Truncation.TEXT_TRUNCATION_END)
    assert cos(end, head_v) > cos(end, tail_v)
    assert cos(start, tail_v) > cos(start, head_v)


def test_output_dimension_truncates_and_renormalises(inference):
    full = embed(inference, "hello world")[0]
    small = embed(inference, "hello world", output_dimension=64)[0]
    assert len(small) == 64 and abs(norm(small) - 1) < 1e-4
    scale = norm(full[:64])
    assert all(abs(s - f / scale) < 1e-4 for s, f in zip(small, full[:64], strict=True))


@pytest.mark.parametrize("dimension", [0, 385])
def test_bad_output_dimension(inference, dimension):
    with pytest.raises(grpc.RpcError) as err:
        embed(inference, "hello", output_dimension=dimension)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_images_are_rejected(inference):
    with pytest.raises(grpc.RpcError) as err:
        inference.Embeddings(
            pb.EmbeddingsRequest(
                model_id=EMBED,
                contents=[content_pb2.ContentItem(image=content_pb2.ImageContent(data=b"\x89PNG"))],
            )
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_registration_fills_embedding_dimension(providers):
    model = resources_pb2.Model(
        identifier="minilm",
        provider_id="sentence-transformers",
        provider_resource_id=EMBED,
        model_type=resources_pb2.MODEL_TYPE_EMBEDDING,
    )
    r = providers.RegisterResource(
        ppb.RegisterResourceRequest(resource=ppb.AnyResource(model=model))
    )
    meta = json_format.MessageToDict(r.resource.model.metadata)
    assert meta["embedding_dimension"] == 384
    assert r.resource.model.identifier == "minilm"


@pytest.mark.parametrize(
    ("provider_id", "model_id", "model_type", "code"),
    [
        ("sentence-transformers", "nope", resources_pb2.MODEL_TYPE_EMBEDDING, "NOT_FOUND"),
        ("sentence-transformers", EMBED, resources_pb2.MODEL_TYPE_LLM, "INVALID_ARGUMENT"),
        (
            "llama-cpp",
            "SmolLM2-135M-Instruct",
            resources_pb2.MODEL_TYPE_EMBEDDING,
            "INVALID_ARGUMENT",
        ),
        ("llama-cpp", "nope", resources_pb2.MODEL_TYPE_LLM, "NOT_FOUND"),
    ],
)
def test_registration_is_validated(providers, provider_id, model_id, model_type, code):
    model = resources_pb2.Model(
        identifier="x",
        provider_id=provider_id,
        provider_resource_id=model_id,
        model_type=model_type,
    )
    with pytest.raises(grpc.RpcError) as err:
        providers.RegisterResource(
            ppb.RegisterResourceRequest(resource=ppb.AnyResource(model=model))
        )
    assert err.value.code().name == code
    assert provider_id in err.value.details()


def test_registration_with_a_wrong_dimension_is_refused(providers):
    model = resources_pb2.Model(
        identifier="x",
        provider_id="sentence-transformers",
        provider_resource_id=EMBED,
        model_type=resources_pb2.MODEL_TYPE_EMBEDDING,
    )
    model.metadata.update({"embedding_dimension": 768})
    with pytest.raises(grpc.RpcError) as err:
        providers.RegisterResource(
            ppb.RegisterResourceRequest(resource=ppb.AnyResource(model=model))
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_describe_and_list_provider_models(providers):
    described = providers.DescribeProviders(ppb.DescribeProvidersRequest())
    assert described.api == "inference"
    assert "llamastack.inference.v1.InferenceService" in described.services
    by_id = {p.provider_id: p for p in described.providers}
    assert by_id["llama-cpp"].provider_type == "inline::llama-cpp"
    assert by_id["sentence-transformers"].health.status == 1  # HEALTH_STATUS_OK
    listed = providers.ListProviderModels(
        ppb.ListProviderModelsRequest(provider_id="sentence-transformers")
    )
    [model] = listed.data
    assert model.provider_resource_id == EMBED
    assert model.model_type == resources_pb2.MODEL_TYPE_EMBEDDING
