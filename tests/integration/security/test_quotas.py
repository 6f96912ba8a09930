"""Quotas over gRPC: requests per window per principal and per key, tokens per window from
the usage the service reports; they trip at the configured count and reset."""

from __future__ import annotations

import time

import grpc
import pytest

from llamastack.admin.v1 import api_key_service_pb2 as keys_pb
from llamastack.admin.v1 import api_key_service_pb2_grpc as keys_grpc
from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from tests.integration.gateway.mesh import error_info

from .conftest import ADMIN_KEY, REQUEST_WINDOW, TOKEN_WINDOW, Secured, fresh_window


def _list(s: Secured, md) -> None:
    ms_grpc.ModelServiceStub(s.channel).ListModels(ms.ListModelsRequest(), metadata=md)


def _chat(s: Secured, md, tokens: int = 10) -> None:
    inf_grpc.InferenceServiceStub(s.channel).ChatCompletion(
        inf.ChatCompletionRequest(
            model_id="echo-llm/m1",
            messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])],
            sampling_params=sampling_pb2.SamplingParams(max_tokens=tokens),
        ),
        metadata=md,
    )


def _exhausted(fn) -> tuple[int, grpc.RpcError]:
    with pytest.raises(grpc.RpcError) as err:
        fn()
    assert err.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, err.value.details()
    retry = int(dict(err.value.trailing_metadata())["retry-after"])
    return retry, err.value


def test_requests_per_window_trip_at_the_limit_and_reset(secured):
    md = secured.md("limited")
    fresh_window(REQUEST_WINDOW)
    for _ in range(5):
        _list(secured, md)
    retry, err = _exhausted(lambda: _list(secured, md))
    assert 1 <= retry <= REQUEST_WINDOW
    info = error_info(err)
    assert info.reason == "ERROR_REASON_QUOTA_EXCEEDED"
    assert info.metadata["quota"] == "requests_per_minute" and info.metadata["limit"] == "5"
    assert "'limited'" in err.details()
    # other principals are not affected
    _list(secured, secured.md("alice"))
    time.sleep(retry + 0.1)
    _list(secured, md)


def test_an_api_key_has_its_own_limit(secured):
    req = keys_pb.CreateApiKeyRequest(principal="keyed")
    req.limits.requests_per_minute = 2
    limited = keys_grpc.ApiKeyServiceStub(secured.channel).CreateApiKey(
        req, metadata=secured.md(ADMIN_KEY)
    )
    unlimited = secured.create_key("keyed")
    fresh_window(REQUEST_WINDOW)
    for _ in range(2):
        _list(secured, secured.md(limited.secret))
    _, err = _exhausted(lambda: _list(secured, secured.md(limited.secret)))
    assert error_info(err).metadata["scope"] == "key"
    _list(secured, secured.md(unlimited.secret))  # same principal, another key


def test_tokens_per_window_trip_on_reported_usage_and_reset(secured):
    md = secured.md("tokenbot")
    fresh_window(TOKEN_WINDOW, need=4)
    for _ in range(3):  # the echo service reports 10 tokens per call: 10, 20, 30
        _chat(secured, md)
    retry, err = _exhausted(lambda: _chat(secured, md))
    assert error_info(err).metadata["quota"] == "tokens_per_day"
    assert 1 <= retry <= TOKEN_WINDOW
    _list(secured, md)  # calls that use no tokens still work
    time.sleep(retry + 0.1)
    _chat(secured, md)
