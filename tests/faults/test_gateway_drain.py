"""A gateway replica stopped with SIGTERM under load (two replicas share one registry; Envoy
in front of the stopping one).

What must hold: health turns NOT_SERVING at once; in-flight unary calls finish; streams that
end within the drain period complete, longer ones end with an error (REST: an error event) a
little before it is over; new calls are refused; the other replica serves on, and sees every
registration the stopped one acknowledged; the process exits by itself.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llamastack.common.v1 import message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2 as ms
from llamastack.registry.v1 import model_service_pb2_grpc as ms_grpc
from tests.faults.stack import ECHO, FaultStack, figure, read_sse

DRAIN_S = 3.0
_STREAM = "/v1/inference/chat-completion:stream"
CONFIG = {
    "version": 2,
    "image_name": "faults-drain",
    "providers": {
        "inference": [{"provider_id": "echo-llm", "provider_type": "test::echo", "config": {}}]
    },
    "services": {"inference": {}},
    "models": [{"model_id": "m1", "provider_id": "echo-llm"}],
}


def _sampling(n: int, pace: float) -> sampling_pb2.SamplingParams:
    return sampling_pb2.SamplingParams(
        max_tokens=n, top_p=sampling_pb2.TopPSampling(temperature=pace)
    )


def _messages():
    return [message_pb2.Message(role=message_pb2.ROLE_USER, content=[{"text": "x"}])]


def _rest_body(n: int, pace: float) -> dict:
    return {
        "model_id": "echo-llm/m1",
        "messages": [{"role": "ROLE_USER", "content": [{"text": "x"}]}],
        "sampling_params": {"max_tokens": n, "top_p": {"temperature": pace}},
    }


def test_a_replica_stopped_under_load_finishes_or_reports_every_call(tmp_path):
    env = {"LLS_DRAIN_SECONDS": str(DRAIN_S)}
    stack = FaultStack(tmp_path, CONFIG, {"inference": ECHO}, gateway_env=env)
    try:
        stack.start()  # gateway A, behind Envoy
        a = stack.gateway
        b = stack.add_gateway()
        with (
            grpc.insecure_channel(a.address) as ch_a,
            grpc.insecure_channel(b.address) as ch_b,
            httpx.Client(base_url=stack.rest, timeout=60) as http,
            ThreadPoolExecutor(24) as pool,
        ):
            chat_a = inf_grpc.InferenceServiceStub(ch_a)
            models_a = ms_grpc.ModelServiceStub(ch_a)
            models_a.RegisterModel(
                ms.RegisterModelRequest(model_id="before-term", provider_id="echo-llm"), timeout=10
            )
            statuses: list[str] = []
            watch = health_pb2_grpc.HealthStub(ch_a).Watch(
                health_pb2.HealthCheckRequest(service=""), timeout=DRAIN_S + 10
            )
            watcher = threading.Thread(
                target=lambda: [statuses.append(r.status) for r in _until_error(watch)],
                daemon=True,
            )
            watcher.start()

            def unary():
                request = inf.ChatCompletionRequest(
                    model_id="echo-llm/m1", messages=_messages(), sampling_params=_sampling(1, 1.0)
                )
                return chat_a.ChatCompletion(request, timeout=30)

            def grpc_stream():
                request = inf.StreamChatCompletionRequest(
                    model_id="echo-llm/m1",
                    messages=_messages(),
                    sampling_params=_sampling(200, 0.05),
                )
                got = 0
                try:
                    for _ in chat_a.StreamChatCompletion(request, timeout=60):
                        got += 1
                except grpc.RpcError as err:
                    return got, err.code(), err.details()
                return got, grpc.StatusCode.OK, ""

            unaries = [pool.submit(unary) for _ in range(6)]
            short = [pool.submit(read_sse, http, _STREAM, _rest_body(8, 0.1)) for _ in range(3)]
            long = [pool.submit(read_sse, http, _STREAM, _rest_body(200, 0.05)) for _ in range(3)]
            long_grpc = [pool.submit(grpc_stream) for _ in range(2)]
            time.sleep(0.4)  # all in flight
            term_at = time.monotonic()
            a.popen.terminate()  # SIGTERM
            time.sleep(0.3)

            # New calls are refused, by the replica and through its Envoy.
            refused = pool.submit(unary).exception()
            assert isinstance(refused, grpc.RpcError)
            assert refused.code() == grpc.StatusCode.UNAVAILABLE, refused
            rest_new = http.post("/v1/inference/chat-completion", json=_rest_body(1, 0))
            assert rest_new.status_code == 503

            assert all(f.result().completion_message.content for f in unaries)
            for f in short:
                sse = f.result()
                assert sse.status == 200 and len(sse.events) == 8 and sse.error is None
            for f in long:
                sse = f.result()
                assert sse.status == 200 and sse.error is not None, sse.events[-1:]
                assert sse.error["code"] == 14 and "shutting down" in sse.error["message"]
            for f in long_grpc:
                got, code, details = f.result()
                assert code == grpc.StatusCode.UNAVAILABLE and "shutting down" in details
                assert 0 < got < 200
            assert a.popen.wait(DRAIN_S + 10) == 0
            exited = time.monotonic() - term_at
            watcher.join(10)
            assert health_pb2.HealthCheckResponse.NOT_SERVING in statuses

            # The other replica: serving, and it knows what the stopped one registered.
            models_b = ms_grpc.ModelServiceStub(ch_b)
            got = models_b.GetModel(ms.GetModelRequest(model_id="echo-llm/before-term"))
            assert got.model.identifier == "echo-llm/before-term"
            assert (
                inf_grpc.InferenceServiceStub(ch_b)
                .ChatCompletion(
                    inf.ChatCompletionRequest(
                        model_id="echo-llm/before-term", messages=_messages()
                    ),
                    timeout=10,
                )
                .completion_message.content
            )
        figure(
            f"gateway SIGTERM under load (drain {DRAIN_S:g}s)",
            "health NOT_SERVING at once; 6/6 in-flight unary OK; 3/3 short REST streams "
            "complete; 3/3 long REST streams end with an UNAVAILABLE error event, 2/2 gRPC "
            f"streams with the status; new calls refused (503 / UNAVAILABLE); exited after "
            f"{exited:.1f}s; the other replica serves the registrations",
        )
    finally:
        stack.stop()


def _until_error(responses):
    try:
        yield from responses
    except grpc.RpcError:
        return
