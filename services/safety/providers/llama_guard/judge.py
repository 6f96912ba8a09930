"""The judging model, reached through the gateway: checked at registration (ModelService),
asked for a verdict at run time (InferenceService.ChatCompletion).

Errors become statuses that name the model: the shield never answers "safe" when it did not
get a verdict.
"""

from __future__ import annotations

import grpc

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2 as inf
from llamastack.inference.v1 import inference_service_pb2_grpc as inf_grpc
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc, resources_pb2
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    ResourceTypeMismatch,
    ServiceUnavailable,
)
from services.common.gateway_client import GatewayClient

__all__ = ["Judge"]

_LLM_TYPES = (resources_pb2.MODEL_TYPE_LLM, resources_pb2.MODEL_TYPE_UNSPECIFIED)
#: Codes that say the request itself was wrong (a conversation too long for the model...).
_CALLER_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
}


class Judge:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def registered_llm(self, model_id: str, shield_id: str, timeout: float) -> str:
        """The identifier of the registered LLM `model_id`; INVALID_ARGUMENT if there is
        none, UNAVAILABLE if the gateway cannot be asked."""
        stub = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        try:
            resp = await stub.GetModel(
                model_service_pb2.GetModelRequest(model_id=model_id), timeout=timeout
            )
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                llms = await self._llms(timeout)
                raise InvalidArgument(
                    f"shield {shield_id!r}: {model_id!r} is not a registered model; a Llama "
                    "Guard shield's provider_shield_id names the LLM that judges (registered "
                    f"LLMs: {', '.join(llms) or 'none'})",
                    field="provider_shield_id",
                ) from None
            raise ServiceUnavailable(
                f"shield {shield_id!r}: cannot check its model {model_id!r} through the "
                f"gateway at {self.gateway.address}: {err.code().name}: {err.details()}",
                modelId=model_id,
            ) from None
        model = resp.model
        if model.model_type not in _LLM_TYPES:
            raise ResourceTypeMismatch(
                f"shield {shield_id!r}: model {model.identifier!r} is not an LLM "
                f"({resources_pb2.ModelType.Name(model.model_type)}); Llama Guard needs a "
                "model that generates text",
                field="provider_shield_id",
            )
        return model.identifier

    async def _llms(self, timeout: float) -> list[str]:
        stub = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        try:
            resp = await stub.ListModels(
                model_service_pb2.ListModelsRequest(page_size=50), timeout=timeout
            )
        except grpc.aio.AioRpcError:
            return []
        return [m.identifier for m in resp.data if m.model_type in _LLM_TYPES]

    async def verdict(
        self, model_id: str, prompt: str, gbnf: str, max_tokens: int, timeout: float, *,
        shield_id: str, caller_deadline: bool,
    ) -> str:  # fmt: skip
        """The model's answer to the prompt, greedy and constrained by the grammar.
        `caller_deadline`: `timeout` is what is left of the caller's deadline (its expiry
        is the caller's DEADLINE_EXCEEDED, not the model's fault)."""
        request = inf.ChatCompletionRequest(
            model_id=model_id,
            messages=[
                message_pb2.Message(
                    role=message_pb2.ROLE_USER, content=[content_pb2.ContentItem(text=prompt)]
                )
            ],
            sampling_params=sampling_pb2.SamplingParams(
                greedy=sampling_pb2.GreedySampling(), max_tokens=max_tokens
            ),
            response_format=sampling_pb2.ResponseFormat(
                grammar=sampling_pb2.GrammarResponseFormat(bnf=gbnf)
            ),
        )
        stub = self.gateway.stub(inf_grpc.InferenceServiceStub)
        try:
            resp = await stub.ChatCompletion(request, timeout=timeout)
        except grpc.aio.AioRpcError as err:
            raise _error(err, model_id, shield_id, timeout, caller_deadline) from None
        return "".join(
            item.text
            for item in resp.completion_message.content
            if item.WhichOneof("item") == "text"
        )


def _error(
    err: grpc.aio.AioRpcError, model_id: str, shield_id: str, timeout: float, caller: bool
) -> Exception:
    code, details = err.code(), err.details() or ""
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and caller:
        return TimeoutError(f"shield {shield_id!r}: no verdict from {model_id!r} in time")
    if code in _CALLER_CODES:
        return _CALLER_CODES[code](
            f"shield {shield_id!r}: model {model_id!r} refused the Llama Guard prompt: {details}",
            modelId=model_id,
        )
    if code == grpc.StatusCode.NOT_FOUND:
        return FailedPrecondition(
            f"shield {shield_id!r} judges with model {model_id!r}, which is no longer "
            f"registered ({details}); register the model again",
            modelId=model_id,
        )
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        details = f"no answer within {timeout:.0f}s"
    return ServiceUnavailable(
        f"shield {shield_id!r} cannot reach its model {model_id!r}: {code.name}: {details}",
        modelId=model_id,
    )
