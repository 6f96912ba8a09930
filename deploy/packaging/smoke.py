"""`helm test` (and the packaging tests): every component healthy, then one chat call.

    python -m deploy.packaging.smoke --check gateway=lls-gateway:50051 \
        --check inference=lls-inference:50061 --envoy http://lls-envoy:8321 \
        --envoy-ready http://lls-envoy:9902/ready --max-tokens 8

Each `--check` waits (up to --timeout) for gRPC health `readiness`; then the chat goes through
Envoy's REST API when --envoy is given (GET /v1/models, POST /v1/inference/chat-completion),
else through the gateway over gRPC ($LLS_GATEWAY_ADDR). The model is --model or the first LLM
the gateway lists. Exit 0 on success, 1 with the reason otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
from collections.abc import Callable

from deploy.packaging.model import READINESS
from deploy.packaging.probe import check_grpc, check_http

__all__ = ["chat_grpc", "chat_rest", "main"]

PROMPT = "Say hello in three words."


def _wait(what: str, check: Callable[[], str | None], deadline: float) -> None:
    while True:
        problem = check()
        if problem is None:
            print(f"ok      {what}", flush=True)
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"FAILED  {what}: {problem}")
        time.sleep(1.0)


def _mesh_metadata() -> tuple[tuple[str, str], ...]:
    """The mesh credential, when the pod has one (LLS_MESH_AUTH_DIR): with auth on, the smoke
    test calls the gateway as the mesh itself."""
    from services.common.security.mesh import MeshCredentials

    return MeshCredentials.load().metadata()


def _http_json(url: str, body: dict | None = None, timeout: float = 120.0) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    req.add_header("content-type", "application/json")
    for key, value in _mesh_metadata():
        req.add_header(key, value)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def chat_rest(base: str, model: str | None, max_tokens: int) -> tuple[str, str]:
    """(model, reply) from one chat completion through Envoy."""
    if not model:
        models = _http_json(f"{base}/v1/models").get("data", [])
        llms = [m["identifier"] for m in models if m.get("model_type") == "MODEL_TYPE_LLM"]
        if not llms:
            raise SystemExit(f"FAILED  chat: the gateway lists no LLM ({base}/v1/models)")
        model = llms[0]
    body = {
        "model_id": model,
        "messages": [{"role": "ROLE_USER", "content": [{"text": PROMPT}]}],
        "sampling_params": {"max_tokens": max_tokens},
    }
    out = _http_json(f"{base}/v1/inference/chat-completion", body)
    content = out.get("completion_message", {}).get("content", [])
    return model, "".join(part.get("text", "") for part in content)


def chat_grpc(gateway: str, model: str | None, max_tokens: int) -> tuple[str, str]:
    """(model, reply) from one chat completion through the gateway over gRPC."""
    import grpc

    from llamastack.common.v1 import message_pb2
    from llamastack.inference.v1 import inference_service_pb2 as inf
    from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
    from llamastack.registry.v1 import model_service_pb2 as ms
    from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
    from llamastack.registry.v1 import resources_pb2

    md = _mesh_metadata()
    with grpc.insecure_channel(gateway) as channel:
        if not model:
            listed = ms_grpc.ModelServiceStub(channel).ListModels(
                ms.ListModelsRequest(), timeout=30, metadata=md
            )
            llms = [
                m.identifier for m in listed.data if m.model_type == resources_pb2.MODEL_TYPE_LLM
            ]
            if not llms:
                raise SystemExit(f"FAILED  chat: the gateway at {gateway} lists no LLM")
            model = llms[0]
        request = inf.ChatCompletionRequest(
            model_id=model,
            messages=[message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": PROMPT}])],
        )
        request.sampling_params.max_tokens = max_tokens
        resp = inf_grpc.InferenceServiceStub(channel).ChatCompletion(
            request, timeout=120, metadata=md
        )
    return model, "".join(c.text for c in resp.completion_message.content)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.packaging.smoke")
    parser.add_argument("--check", action="append", default=[], metavar="NAME=HOST:PORT")
    parser.add_argument("--envoy", help="Envoy's REST base URL; the chat goes through it")
    parser.add_argument("--envoy-ready", help="Envoy's /ready URL (probe port)")
    parser.add_argument("--model", help="model to chat with (default: the first LLM listed)")
    parser.add_argument("--max-tokens", type=int, default=8)
    parser.add_argument("--no-chat", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to become healthy")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    for item in args.check:
        name, sep, address = item.partition("=")
        if not sep:
            parser.error(f"--check {item!r}: expected NAME=HOST:PORT")
        _wait(f"{name} {address} ({READINESS})", lambda a=address: check_grpc(a), deadline)
    if args.envoy_ready:
        _wait(f"envoy {args.envoy_ready}", lambda: check_http(args.envoy_ready), deadline)
    if args.no_chat:
        return
    try:
        if args.envoy:
            model, reply = chat_rest(args.envoy.rstrip("/"), args.model, args.max_tokens)
        else:
            gateway = os.environ.get("LLS_GATEWAY_ADDR", "localhost:50051")
            model, reply = chat_grpc(gateway, args.model, args.max_tokens)
    except SystemExit:
        raise
    except Exception as exc:
        raise SystemExit(f"FAILED  chat: {type(exc).__name__}: {exc}") from None
    if not reply.strip():
        raise SystemExit(f"FAILED  chat with {model}: empty reply")
    print(f"ok      chat with {model}: {reply.strip()!r}", flush=True)


if __name__ == "__main__":
    main()
