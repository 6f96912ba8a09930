"""REST through a real Envoy (gRPC-JSON transcoder) to the real gateway and inference service."""

from __future__ import annotations

import json
import re
import struct

import grpc
import httpx
import pytest

from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc
from services.common import descriptors

from .conftest import ALLOWED_ORIGIN, CHAT_MODEL, EMBEDDING_MODEL, SMALL_LIMIT

JSON = {"content-type": "application/json"}


def _user(text: str) -> dict:
    return {"role": "ROLE_USER", "content": [{"text": text}]}


def _error(
    response: httpx.Response, status: int, code: int, *needles: str, reason: str | None = None
) -> dict:
    """An error answer: the HTTP status, a google.rpc.Status JSON body whose message names the
    problem, and (for errors from the mesh) the ErrorInfo reason among its details."""
    assert response.status_code == status, (response, response.headers, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["details"], list), body
    for needle in needles:
        assert needle in body["message"], body
    if reason is not None:
        infos = [d for d in body["details"] if d["@type"].endswith("/google.rpc.ErrorInfo")]
        assert infos, f"no ErrorInfo in {body}"
        assert infos[0]["reason"] == reason, body
        assert infos[0]["domain"] == "llamastack.io", body
    return body


NOT_FOUND = "ERROR_REASON_RESOURCE_NOT_FOUND"
INVALID = "ERROR_REASON_INVALID_ARGUMENT"


# -- inspect -----------------------------------------------------------------------------------


def test_health(rest: httpx.Client) -> None:
    r = rest.get("/v1/health")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "HEALTH_STATUS_OK", r.json()


def test_version(rest: httpx.Client) -> None:
    r = rest.get("/v1/version")
    assert r.status_code == 200, r.text
    assert r.json()["version"]


def test_routes(rest: httpx.Client) -> None:
    r = rest.get("/v1/inspect/routes", params={"page_size": 1000})
    assert r.status_code == 200, r.text
    routes = {(x["method"], x["route"]) for x in r.json()["data"]}
    assert ("POST", "/v1/inference/chat-completion") in routes
    assert ("GET", "/v1/models") in routes


def test_providers(rest: httpx.Client) -> None:
    r = rest.get("/v1/providers")
    assert r.status_code == 200, r.text
    providers = {p["provider_id"]: p for p in r.json()["data"]}
    assert providers["llama-cpp"]["provider_type"] == "inline::llama-cpp"
    assert providers["sentence-transformers"]["api"] == "inference"
    # response_body: GET /v1/providers/{id} answers the bare ProviderInfo.
    one = rest.get("/v1/providers/llama-cpp")
    assert one.status_code == 200, one.text
    assert one.json()["provider_id"] == "llama-cpp"


# -- models registry ---------------------------------------------------------------------------


def test_list_models(rest: httpx.Client) -> None:
    r = rest.get("/v1/models")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"data", "next_page_token", "object"}  # `object`: OpenAI's list
    ids = {m["identifier"] for m in body["data"]}
    assert {CHAT_MODEL, EMBEDDING_MODEL} <= ids


@pytest.mark.parametrize("path", [CHAT_MODEL, CHAT_MODEL.replace("/", "%2F")], ids=["raw", "%2F"])
def test_get_model_with_slash(rest: httpx.Client, path: str) -> None:
    r = rest.get(f"/v1/models/{path}")
    assert r.status_code == 200, r.text
    model = r.json()
    # The bare Model (response_body: "model"), fields by their proto names, defaults printed.
    assert model["identifier"] == CHAT_MODEL
    assert model["provider_id"] == "llama-cpp"
    assert model["model_type"] == "MODEL_TYPE_LLM"
    assert "provider_resource_id" in model
    assert "model" not in model


def test_register_get_unregister(rest: httpx.Client) -> None:
    model_id = "rest-tests/alias-one"
    body = {
        "model_id": model_id,
        "provider_model_id": "SmolLM2-135M-Instruct",
        "provider_id": "llama-cpp",
        "model_type": "MODEL_TYPE_LLM",
    }
    rest.delete(f"/v1/models/{model_id}")  # leftovers of an interrupted run
    r = rest.post("/v1/models", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["identifier"] == model_id  # bare Model
    assert r.json()["provider_resource_id"] == "SmolLM2-135M-Instruct"

    again = rest.post("/v1/models", json=body)  # the same object again: idempotent
    assert again.status_code == 200, again.text

    other = rest.post("/v1/models", json={**body, "metadata": {"context_length": 7}})
    _error(other, 409, 6, model_id, reason="ERROR_REASON_RESOURCE_ALREADY_EXISTS")

    got = rest.get(f"/v1/models/{model_id}")
    assert got.status_code == 200, got.text
    assert got.json()["identifier"] == model_id

    gone = rest.delete(f"/v1/models/{model_id}")
    assert gone.status_code == 200, gone.text
    assert gone.json() == {}
    _error(rest.get(f"/v1/models/{model_id}"), 404, 5, model_id, reason=NOT_FOUND)
    _error(rest.delete(f"/v1/models/{model_id}"), 404, 5, model_id, reason=NOT_FOUND)


def test_register_invalid(rest: httpx.Client) -> None:
    r = rest.post("/v1/models", json={"provider_id": "llama-cpp"})
    _error(r, 400, 3, "model_id", reason=INVALID)
    r = rest.post("/v1/models", json={"model_id": "x", "provider_id": "no-such-provider"})
    _error(r, 404, 5, "no-such-provider", reason="ERROR_REASON_PROVIDER_NOT_FOUND")


# -- inference ---------------------------------------------------------------------------------


def test_chat_completion(rest: httpx.Client) -> None:
    r = rest.post(
        "/v1/inference/chat-completion",
        json={
            "model_id": CHAT_MODEL,
            "messages": [_user("Say hello.")],
            "sampling_params": {"greedy": {}, "max_tokens": 12},
        },
    )
    assert r.status_code == 200, r.text
    message = r.json()["completion_message"]
    assert message["role"] == "ROLE_ASSISTANT"
    assert "".join(c.get("text", "") for c in message["content"]).strip()
    assert message["stop_reason"] != "STOP_REASON_UNSPECIFIED"
    metrics = {m["metric"]: m["value"] for m in r.json()["metrics"]}
    assert metrics.get("completion_tokens", 0) > 0, r.json()["metrics"]


def test_chat_completion_stream_is_incremental(envoy) -> None:
    """`:stream` answers Server-Sent Events, several `data:` events, delivered as they are
    produced: the first event is read before the COMPLETE event has been sent."""
    request = {
        "model_id": CHAT_MODEL,
        "messages": [_user("Count from one to twenty, separated by commas.")],
        "sampling_params": {"greedy": {}, "max_tokens": 40},
    }
    reads: list[bytes] = []
    with (
        httpx.Client(base_url=envoy.base_url, timeout=120.0) as client,
        client.stream("POST", "/v1/inference/chat-completion:stream", json=request) as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for chunk in r.iter_raw():
            reads.append(chunk)
    text = b"".join(reads).decode()
    events = [json.loads(block.removeprefix("data: ")) for block in text.split("\n\n") if block]
    assert len(events) >= 3, text
    types = [e["event"]["event_type"] for e in events]
    assert types[-1] == "CHAT_COMPLETION_EVENT_TYPE_COMPLETE", types
    assert "CHAT_COMPLETION_EVENT_TYPE_COMPLETE" not in types[:-1], types
    deltas = "".join(e["event"].get("delta", {}).get("text", "") for e in events)
    assert deltas.strip(), events
    # Incremental: the events came in several reads, and the first read did not already
    # hold the end of the stream (a buffered answer arrives in one piece at the end).
    reads_with_events = [c for c in reads if b"data: " in c]
    assert len(reads_with_events) >= 2, f"all {len(events)} events arrived in one read"
    assert b"CHAT_COMPLETION_EVENT_TYPE_COMPLETE" not in reads_with_events[0]


def test_stream_on_unknown_model_is_404(rest: httpx.Client) -> None:
    r = rest.post(
        "/v1/inference/chat-completion:stream",
        json={"model_id": "no-such-model", "messages": [_user("hi")]},
    )
    _error(r, 404, 5, "no-such-model", reason=NOT_FOUND)


def test_embeddings(rest: httpx.Client) -> None:
    r = rest.post(
        "/v1/inference/embeddings",
        json={"model_id": EMBEDDING_MODEL, "contents": [{"text": "hello"}, {"text": "world"}]},
    )
    assert r.status_code == 200, r.text
    embeddings = r.json()["embeddings"]
    assert len(embeddings) == 2
    assert all(len(e["values"]) == 384 for e in embeddings)


def test_inference_errors(rest: httpx.Client) -> None:
    chat = "/v1/inference/chat-completion"
    r = rest.post(chat, json={"model_id": "nope", "messages": [_user("x")]})
    _error(r, 404, 5, "nope", reason=NOT_FOUND)
    _error(rest.post(chat, json={"model_id": CHAT_MODEL}), 400, 3, "messages", reason=INVALID)
    # An embedding model cannot chat.
    r = rest.post(chat, json={"model_id": EMBEDDING_MODEL, "messages": [_user("x")]})
    # The message names the provider's id of the model (the gateway rewrote the id).
    _error(r, 400, 3, "all-MiniLM-L6-v2", "embedding", reason="ERROR_REASON_RESOURCE_TYPE_MISMATCH")


# -- what Envoy rejects itself -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/no-such-route"), ("PUT", "/v1/models"), ("GET", "/")],
)
def test_unknown_route_is_rejected(rest: httpx.Client, method: str, path: str) -> None:
    _error(rest.request(method, path), 404, 5, path)


def test_bad_json_and_unknown_parameters(rest: httpx.Client) -> None:
    r = rest.post("/v1/inference/chat-completion", content=b'{"model_id": ', headers=JSON)
    _error(r, 400, 3)
    _error(rest.get("/v1/models", params={"pagesize": 2}), 400, 3, "pagesize")
    # Known limit of Envoy's transcoder (no option to reject, envoyproxy/envoy#46623): JSON
    # body fields the message does not define are dropped; the call goes on without them.
    r = rest.post(
        "/v1/inference/chat-completion",
        json={"model_id": "no-such-model", "messages": [_user("x")], "stream": True},
    )
    _error(r, 404, 5, "no-such-model", reason=NOT_FOUND)


def test_oversize_body_is_413(strict_rest: httpx.Client, rest: httpx.Client) -> None:
    big = {"model_id": "no-such-model", "messages": [_user("a" * (SMALL_LIMIT + 1))]}
    _error(strict_rest.post("/v1/inference/chat-completion", json=big), 413, 8, str(SMALL_LIMIT))
    # The default limit (16 MiB) is really the limit: 2 MiB (above Envoy's 1 MiB default
    # buffers) reach the gateway, which answers for the unknown model.
    huge = {"model_id": "no-such-model", "messages": [_user("a" * (2 << 20))]}
    _error(rest.post("/v1/inference/chat-completion", json=huge), 404, 5, "no-such-model")


# -- CORS, gRPC-Web, native gRPC through the same listener ------------------------------------


def test_cors_preflight(strict_rest: httpx.Client, rest: httpx.Client) -> None:
    preflight = {
        "origin": ALLOWED_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    r = strict_rest.options("/v1/inference/chat-completion", headers=preflight)
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"]
    assert r.headers["access-control-max-age"] == "600"

    r = strict_rest.get("/v1/models", headers={"origin": ALLOWED_ORIGIN})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED_ORIGIN

    other = strict_rest.options(
        "/v1/models", headers={**preflight, "origin": "https://evil.example.test"}
    )
    assert "access-control-allow-origin" not in other.headers
    # CORS is off by default.
    off = rest.options("/v1/models", headers=preflight)
    assert "access-control-allow-origin" not in off.headers


def _grpc_web_frames(body: bytes) -> tuple[list[bytes], dict[str, str]]:
    messages, trailers, i = [], {}, 0
    while i < len(body):
        flag, length = body[i], struct.unpack(">I", body[i + 1 : i + 5])[0]
        payload = body[i + 5 : i + 5 + length]
        i += 5 + length
        if flag & 0x80:
            for line in payload.decode().strip().split("\r\n"):
                key, _, value = line.partition(":")
                trailers[key.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    return messages, trailers


@pytest.mark.parametrize("model_id", [CHAT_MODEL, "no-such/model"])
def test_grpc_web(strict_rest: httpx.Client, model_id: str) -> None:
    request = model_service_pb2.GetModelRequest(model_id=model_id).SerializeToString()
    r = strict_rest.post(
        "/llamastack.registry.v1.ModelService/GetModel",
        content=b"\x00" + struct.pack(">I", len(request)) + request,
        headers={
            "content-type": "application/grpc-web+proto",
            "x-grpc-web": "1",
            "origin": ALLOWED_ORIGIN,
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/grpc-web")
    assert "grpc-status" in r.headers["access-control-expose-headers"]
    messages, trailers = _grpc_web_frames(r.content)
    if model_id == CHAT_MODEL:
        assert trailers.get("grpc-status") == "0", trailers
        (msg,) = messages
        assert model_service_pb2.GetModelResponse.FromString(msg).model.identifier == model_id
    else:
        status = trailers.get("grpc-status") or r.headers.get("grpc-status")
        assert status == str(grpc.StatusCode.NOT_FOUND.value[0]), (trailers, r.headers)


def test_native_grpc_through_envoy(envoy) -> None:
    with grpc.insecure_channel(envoy.address) as channel:
        stub = model_service_pb2_grpc.ModelServiceStub(channel)
        got = stub.GetModel(model_service_pb2.GetModelRequest(model_id=CHAT_MODEL), timeout=30)
        assert got.model.identifier == CHAT_MODEL  # not unwrapped: gRPC keeps the envelope
        with pytest.raises(grpc.RpcError) as info:
            stub.GetModel(model_service_pb2.GetModelRequest(model_id="nope/x"), timeout=30)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND
        assert "nope/x" in info.value.details()


# -- the whole REST surface is wired -----------------------------------------------------------

_VAR = re.compile(r"\{([^}=]+)(?:=[^}]*)?\}")


def _bindings() -> list[tuple[str, str, str]]:
    out = []
    for m in descriptors.methods():
        if m.package in descriptors.INTERNAL_PACKAGES:
            continue
        for b in m.http:
            out.append((b.method, b.path, m.path))
    return sorted(set(out))


@pytest.mark.parametrize(("method", "template", "grpc_path"), _bindings())
def test_every_route_reaches_the_gateway(
    rest: httpx.Client, method: str, template: str, grpc_path: str
) -> None:
    """Every HTTP rule of every public service is known to Envoy: the answer comes from the
    gateway (success, or a gRPC status as JSON), never Envoy's "Could not resolve" 404."""
    path = _VAR.sub("rest-probe", template)
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    r = rest.request(method, path, **kwargs)
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        return  # a stream that started: the route works
    assert r.headers.get("content-type", "").startswith("application/json"), (r, r.text)
    body = r.json()
    assert "Could not resolve" not in body.get("message", ""), (grpc_path, body)
    assert r.status_code != 500 or body.get("code") not in (None, 2), (grpc_path, body)
