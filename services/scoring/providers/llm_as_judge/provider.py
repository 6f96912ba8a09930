"""`inline::llm-as-judge`: each row's prompt (the function's `prompt_template` filled with the
row) goes to the judge model through the gateway, greedy so grades are reproducible; the first
`judge_score_regexes` match (group 1) is the score, a number when it reads as one.

A judge that fails on a row (an error from inference, an answer no regex matches) gives that
row `score: null` and an `error`; the other rows are graded and aggregates leave it out. A
judge model that is not registered fails the call before any row is judged.
"""

from __future__ import annotations

import asyncio
import string
from collections.abc import Mapping, Sequence
from typing import Any

import grpc

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2
from llamastack.inference.v1 import inference_service_pb2, inference_service_pb2_grpc
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc
from services.common.errors import InvalidArgument, NotFound
from services.common.gateway_client import GatewayClient
from services.common.settings import Settings
from services.scoring.columns import expected_of, generated_of, query_of
from services.scoring.provider import Builtin, ScoringProviderBase, compile_regexes
from services.scoring.providers.llm_as_judge import prompts
from services.scoring.providers.llm_as_judge.config import LlmAsJudgeConfig
from services.scoring.types import FnParams, Row, ScoringFn

__all__ = ["LlmAsJudgeProvider"]

_PLACEHOLDERS = {"input_query", "expected_answer", "generated_answer"}


class LlmAsJudgeProvider(ScoringProviderBase):
    provider_type = "inline::llm-as-judge"
    generic_kind = "llm_as_judge"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        self.config = LlmAsJudgeConfig.model_validate(dict(config))
        judge = self.config.judge_model
        self.builtins = {
            "llm-as-judge::base": Builtin(
                "a judge model rates the answer against the expected one (0-5)",
                FnParams("llm_as_judge", (), (), judge, prompts.BASE_PROMPT, prompts.BASE_REGEXES),
            ),
            "llm-as-judge::405b-simpleqa": Builtin(
                "SimpleQA grading: the judge answers A (correct), B (incorrect) or C (not "
                "attempted)",
                FnParams("llm_as_judge", ("categorical_count",), (), judge,
                         prompts.SIMPLEQA_PROMPT, prompts.SIMPLEQA_REGEXES),
                return_type="string",
            ),
        }  # fmt: skip
        super().__init__(provider_id, config)
        self._gateway: GatewayClient | None = None

    def generic_params(self) -> FnParams:
        """A registered judge (any id) gets the configured judge model and the base regexes
        unless its params name others; its prompt template is its own."""
        return FnParams(
            "llm_as_judge",
            judge_model=self.config.judge_model,
            judge_score_regexes=prompts.BASE_REGEXES,
        )

    @property
    def gateway(self) -> GatewayClient:
        if self._gateway is None:
            self._gateway = GatewayClient(Settings().gateway_addr)
        return self._gateway

    async def shutdown(self) -> None:
        if self._gateway is not None:
            await self._gateway.close()

    def check(self, fn: ScoringFn) -> None:
        super().check(fn)
        p, name = fn.params, fn.identifier
        if not p.judge_model:
            raise InvalidArgument(
                f"scoring function {name} names no judge_model; set params.llm_as_judge."
                "judge_model (a registered model) or the provider's judge_model config",
                field="judge_model",
            )
        if not p.prompt_template:
            raise InvalidArgument(f"scoring function {name} has no prompt_template")
        if not p.judge_score_regexes:
            raise InvalidArgument(f"scoring function {name} has no judge_score_regexes")
        compile_regexes(p.judge_score_regexes, "judge_score_regexes", name)
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(p.prompt_template) if f}
        except ValueError as exc:
            raise InvalidArgument(
                f"scoring function {name}: prompt_template is not a valid template ({exc}); "
                "write literal braces as {{ and }}"
            ) from None
        unknown = fields - _PLACEHOLDERS
        if unknown:
            raise InvalidArgument(
                f"scoring function {name}: prompt_template uses {sorted(unknown)}; the "
                f"placeholders are {sorted(_PLACEHOLDERS)}"
            )

    async def score(self, fn: ScoringFn, rows: Sequence[Row]) -> list[Row]:
        prompts_ = [self._prompt(fn, r, i) for i, r in enumerate(rows)]
        await self._check_judge(fn.params.judge_model)
        patterns = compile_regexes(fn.params.judge_score_regexes, "judge_score_regexes", "")
        gate = asyncio.Semaphore(self.config.max_concurrency)

        async def one(prompt: str) -> Row:
            async with gate:
                return await self._judge(fn.params.judge_model, prompt, patterns)

        return list(await asyncio.gather(*(one(p) for p in prompts_)))

    def _prompt(self, fn: ScoringFn, row: Row, index: int) -> str:
        return fn.params.prompt_template.format(
            input_query=query_of(row),
            expected_answer=expected_of(row, index, fn.identifier),
            generated_answer=generated_of(row, index, fn.identifier),
        )

    async def _check_judge(self, model_id: str) -> None:
        stub = self.gateway.stub(model_service_pb2_grpc.ModelServiceStub)
        try:
            await stub.GetModel(
                model_service_pb2.GetModelRequest(model_id=model_id), timeout=self.config.timeout_s
            )
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.NOT_FOUND:
                raise NotFound(
                    f"judge model {model_id!r} is not registered; register it or name another "
                    "judge_model",
                    identifier=model_id,
                ) from None
            raise

    async def _judge(self, model_id: str, prompt: str, patterns) -> Row:
        request = inference_service_pb2.ChatCompletionRequest(
            model_id=model_id,
            messages=[
                message_pb2.Message(
                    role=message_pb2.ROLE_USER, content=[content_pb2.ContentItem(text=prompt)]
                )
            ],
            sampling_params=sampling_pb2.SamplingParams(
                greedy=sampling_pb2.GreedySampling(), max_tokens=self.config.max_tokens
            ),
        )
        stub = self.gateway.stub(inference_service_pb2_grpc.InferenceServiceStub)
        try:
            resp = await stub.ChatCompletion(request, timeout=self.config.timeout_s)
        except grpc.aio.AioRpcError as err:
            return {
                "score": None,
                "judge_feedback": "",
                "error": f"the judge call failed: {err.code().name}: {err.details()}",
            }
        text = "".join(c.text for c in resp.completion_message.content if c.text)
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                value = m.group(1) if m.groups() else m.group(0)
                return {"score": _number_or_text(value), "judge_feedback": text}
        return {
            "score": None,
            "judge_feedback": text,
            "error": "the judge's answer matched none of judge_score_regexes",
        }


def _number_or_text(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value.strip()
