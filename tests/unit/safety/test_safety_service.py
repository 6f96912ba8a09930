"""The safety service's own logic over fakes: conversion, limits, run params, shields keyed
by identifier, and how the Llama Guard provider turns model errors into statuses."""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys

import grpc
import pytest
from google.protobuf import struct_pb2

from llamastack.common.v1 import content_pb2, message_pb2
from llamastack.provider.v1 import provider_service_pb2
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc, resources_pb2
from llamastack.safety.v1 import safety_service_pb2 as pb
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceTypeMismatch,
    ServiceUnavailable,
)
from services.common.gateway_client import GatewayClient
from services.common.providers import ProviderHost
from services.safety import convert
from services.safety.providers.llama_guard import judge as judge_mod
from services.safety.providers.llama_guard.prompt import CATEGORIES
from services.safety.providers.llama_guard.provider import LlamaGuardProvider
from services.safety.providers.policy.provider import INLINE_MAX_CHARS, PolicyProvider
from services.safety.service import SafetyService
from services.safety.types import Level, Role, RunRequest, ShieldMessage, Violation
from services.safety.validation import MAX_MESSAGES, MAX_TEXT_CHARS


def text(t: str) -> content_pb2.ContentItem:
    return content_pb2.ContentItem(text=t)


def run(shield_id: str, *texts: str, **params) -> RunRequest:
    return RunRequest(shield_id, tuple(ShieldMessage(Role.USER, t) for t in texts), params)


# -- conversion ---------------------------------------------------------------------------------


def test_request_text_holds_content_context_and_tool_calls():
    args = struct_pb2.Struct()
    args.update({"city": "Paris"})
    request = pb.RunShieldRequest(
        shield_id="s",
        messages=[
            message_pb2.Message(
                role=message_pb2.ROLE_USER, content=[text("hi")], context=[text("ctx")]
            ),
            message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT,
                tool_calls=[message_pb2.ToolCall(tool_name="weather", arguments=args)],
            ),
        ],
    )
    request.params.update({"excluded_categories": ["S1"]})
    req = convert.run_request(request, "s", 5.0)
    assert req.messages == (
        ShieldMessage(Role.USER, "hi\nctx"),
        ShieldMessage(Role.ASSISTANT, 'weather({"city": "Paris"})'),
    )
    assert req.params == {"excluded_categories": ["S1"]} and req.timeout == 5.0


def test_a_message_without_role_is_invalid():
    request = pb.RunShieldRequest(
        shield_id="s", messages=[message_pb2.Message(content=[text("x")])]
    )
    with pytest.raises(InvalidArgument, match=r"messages\[0\].role"):
        convert.run_request(request, "s", None)


def test_violation_to_proto():
    resp = convert.run_response(Violation(Level.WARN, "careful", {"rules": ["a"], "n": 1}))
    assert resp.violation.violation_level == pb.VIOLATION_LEVEL_WARN
    assert resp.violation.user_message == "careful"
    assert dict(resp.violation.metadata) == {"rules": ["a"], "n": 1.0}
    assert not convert.run_response(None).HasField("violation")


# -- the service: limits and provider choice ----------------------------------------------------


@pytest.fixture
def service():
    policy = PolicyProvider("policy", {})
    host = ProviderHost("safety", [policy])
    asyncio.run(host.start())
    shield = resources_pb2.Shield(
        identifier="pii", provider_id="policy", provider_resource_id="pii"
    )
    asyncio.run(policy.register_resource(provider_service_pb2.AnyResource(shield=shield)))
    return SafetyService(host)


async def test_limits(service):
    with pytest.raises(InvalidArgument, match="messages is empty"):
        await service.run_shield(None, run("pii"))
    with pytest.raises(InvalidArgument, match=f"at most {MAX_MESSAGES}"):
        await service.run_shield(None, run("pii", *["x"] * (MAX_MESSAGES + 1)))
    with pytest.raises(InvalidArgument, match=f"at most {MAX_TEXT_CHARS}"):
        await service.run_shield(None, run("pii", "x" * (MAX_TEXT_CHARS + 1)))


async def test_unknown_shield_is_not_found_and_policy_takes_no_run_params(service):
    with pytest.raises(NotFound, match="'nope'"):
        await service.run_shield(None, run("nope", "hi"))
    with pytest.raises(InvalidArgument, match="does not take the run param"):
        await service.run_shield(None, run("pii", "hi", strict=True))
    violation = await service.run_shield("policy", run("pii", "a@example.com"))
    assert violation is not None and violation.level is Level.ERROR


async def test_long_texts_are_checked_off_the_event_loop(service):
    long = "word " * (INLINE_MAX_CHARS // 5) + "a@example.com"
    violation = await service.run_shield(None, run("pii", long))
    assert violation is not None and violation.metadata["violation_type"] == "pii"


# -- Llama Guard over a fake judge --------------------------------------------------------------


class FakeJudge:
    def __init__(self, answer: str = "safe", llms: tuple[str, ...] = ("p/m",)) -> None:
        self.answer, self.llms = answer, llms
        self.calls: list[dict] = []

    async def registered_llm(self, model_id: str, shield_id: str, timeout: float) -> str:
        if model_id not in self.llms:
            raise InvalidArgument(f"{model_id!r} is not a registered model")
        return model_id

    async def verdict(self, model_id, prompt, gbnf, max_tokens, timeout, **kw) -> str:
        self.calls.append(dict(model=model_id, prompt=prompt, gbnf=gbnf, timeout=timeout, **kw))
        return self.answer


def guard(answer: str = "safe", **config) -> tuple[LlamaGuardProvider, FakeJudge]:
    provider = LlamaGuardProvider("lg", config)
    provider.judge = fake = FakeJudge(answer)  # type: ignore[assignment]
    provider.ready.set()
    return provider, fake


async def register(provider, ident: str, model: str = "p/m", **params) -> None:
    shield = resources_pb2.Shield(identifier=ident, provider_id="lg", provider_resource_id=model)
    if params:
        shield.params.update(params)
    await provider.register_resource(provider_service_pb2.AnyResource(shield=shield))


async def test_registration_checks_the_model_and_the_categories():
    provider, _ = guard(excluded_categories=["S14"])
    with pytest.raises(InvalidArgument, match="not a registered model"):
        await register(provider, "s", model="other")
    with pytest.raises(InvalidArgument, match="excludes every category"):
        await register(provider, "s", excluded_categories=[f"S{i}" for i in range(1, 14)])
    with pytest.raises(InvalidArgument, match="S99"):
        await register(provider, "s", excluded_categories=["S99"])
    with pytest.raises(InvalidArgument, match=r"params\.threshold"):
        await register(provider, "s", threshold=0.5)
    assert len(provider.table) == 0


async def test_two_shields_on_one_model_keep_their_own_categories():
    provider, fake = guard("unsafe\nS1")
    await register(provider, "strict")
    await register(provider, "lenient", excluded_categories=["S1"])
    strict = await provider.run_shield(run("strict", "x"))
    assert strict is not None and strict.metadata["violation_type"] == "S1"
    assert await provider.run_shield(run("lenient", "x")) is None  # S1 is not in its grammar
    assert '"S1"' in fake.calls[0]["gbnf"] and '"S1"' not in fake.calls[1]["gbnf"]


async def test_run_params_narrow_categories_and_bad_ones_are_invalid():
    provider, fake = guard()
    await register(provider, "s")
    await provider.run_shield(run("s", "x", excluded_categories=["S3"]))
    assert '"S3"' not in fake.calls[-1]["gbnf"] and "S3: Sex Crimes" not in fake.calls[-1]["prompt"]
    with pytest.raises(InvalidArgument, match="excluded_categories: hazard categories"):
        await provider.run_shield(run("s", "x", threshold=1))
    with pytest.raises(InvalidArgument, match="exclude every category"):
        await provider.run_shield(run("s", "x", excluded_categories=list(CATEGORIES)))


async def test_a_non_verdict_is_failed_precondition_never_safe():
    provider, _ = guard("I think it is fine")
    await register(provider, "s")
    with pytest.raises(FailedPrecondition, match="did not answer with a Llama Guard verdict"):
        await provider.run_shield(run("s", "x"))


async def test_the_caller_deadline_bounds_the_model_call():
    provider, fake = guard(timeout_s=30)
    await register(provider, "s")
    await provider.run_shield(RunRequest("s", (ShieldMessage(Role.USER, "x"),), {}, 2.5))
    assert fake.calls[-1]["timeout"] == 2.5 and fake.calls[-1]["caller_deadline"] is True
    await provider.run_shield(RunRequest("s", (ShieldMessage(Role.USER, "x"),), {}, None))
    assert fake.calls[-1]["timeout"] == 30 and fake.calls[-1]["caller_deadline"] is False
    assert not math.isinf(fake.calls[-1]["timeout"])


def rpc_error(code: grpc.StatusCode, details: str = "boom") -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details)


@pytest.mark.parametrize(
    ("code", "caller", "expected", "text"),
    [
        (grpc.StatusCode.UNAVAILABLE, False, ServiceUnavailable, "cannot reach its model 'p/m'"),
        (grpc.StatusCode.INTERNAL, False, ServiceUnavailable, "cannot reach its model 'p/m'"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, False, ServiceUnavailable, "no answer within 30s"),
        (grpc.StatusCode.DEADLINE_EXCEEDED, True, TimeoutError, "in time"),
        (grpc.StatusCode.NOT_FOUND, False, FailedPrecondition, "no longer registered"),
        (grpc.StatusCode.INVALID_ARGUMENT, False, InvalidArgument, "refused the Llama Guard"),
    ],
)
def test_model_errors_become_statuses_naming_the_model(code, caller, expected, text):
    exc = judge_mod._error(rpc_error(code), "p/m", "s", 30.0, caller)
    assert isinstance(exc, expected) and text in str(exc)


def test_importing_the_service_loads_no_provider_library():
    code = (
        "import sys; import services.safety.__main__\n"
        "heavy = [m for m in ('phonenumbers', 're2', 'stdnum', 'llama_cpp') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- the registration check against a fake ModelService ------------------------------------------


class FakeModels(model_service_pb2_grpc.ModelServiceServicer):
    MODELS = {
        "p/llm": resources_pb2.MODEL_TYPE_LLM,
        "p/embed": resources_pb2.MODEL_TYPE_EMBEDDING,
    }

    async def GetModel(self, request, context):
        if request.model_id not in self.MODELS:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"model {request.model_id!r}")
        model = resources_pb2.Model(
            identifier=request.model_id, model_type=self.MODELS[request.model_id]
        )
        return model_service_pb2.GetModelResponse(model=model)

    async def ListModels(self, request, context):
        return model_service_pb2.ListModelsResponse(
            data=[resources_pb2.Model(identifier=i, model_type=t) for i, t in self.MODELS.items()]
        )


async def test_registration_check_through_a_model_service():
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    model_service_pb2_grpc.add_ModelServiceServicer_to_server(FakeModels(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    judge = judge_mod.Judge(GatewayClient(f"127.0.0.1:{port}"))
    try:
        assert await judge.registered_llm("p/llm", "s", 5) == "p/llm"
        with pytest.raises(ResourceTypeMismatch, match="'p/embed' is not an LLM"):
            await judge.registered_llm("p/embed", "s", 5)
        with pytest.raises(InvalidArgument, match=r"registered LLMs: p/llm\)"):
            await judge.registered_llm("nope", "s", 5)
    finally:
        await judge.gateway.close()
        await server.stop(0)
    down = judge_mod.Judge(GatewayClient(f"127.0.0.1:{port}"))
    with pytest.raises(ServiceUnavailable, match="cannot check its model 'p/llm'"):
        await down.registered_llm("p/llm", "s", 2)
    await down.gateway.close()
