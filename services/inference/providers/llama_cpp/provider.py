"""`inline::llama-cpp`: GGUF models run in-process by llama-cpp-python.

Prompts are rendered with the model's own chat template (stored in the GGUF); tools are
described in the system prompt and forced calls are constrained by a grammar (see
`services.inference.tools`); structured output (JSON schema, GBNF) is constrained decoding.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from llamastack.provider.v1 import provider_pb2
from services.common import progress
from services.common.errors import InvalidArgument
from services.common.model_files import resolve_path
from services.common.providers import Health
from services.inference.provider import InferenceProviderBase, ModelEntry
from services.inference.providers.llama_cpp.config import LlamaCppConfig, LlamaCppModelConfig
from services.inference.providers.llama_cpp.engine import (
    Finished,
    GenerationParams,
    ModelRunner,
    Piece,
)
from services.inference.streams import collect_chat, collect_completion
from services.inference.tools import ToolCallDetector, call_schema, render_call, with_tool_prompt
from services.inference.types import (
    ChatRequest,
    ChatResponse,
    ChatStreamItem,
    CompletionRequest,
    CompletionResponse,
    Image,
    Message,
    ModelType,
    Part,
    ResponseFormat,
    Role,
    Sampling,
    StopReason,
    StreamEnd,
    TextDelta,
    Usage,
)

__all__ = ["LlamaCppProvider"]

log = logging.getLogger(__name__)

#: Used when a GGUF carries no chat template.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


class LlamaCppProvider(InferenceProviderBase):
    provider_type: ClassVar[str] = "inline::llama-cpp"

    def __init__(self, provider_id: str, config: Mapping[str, Any]) -> None:
        super().__init__(provider_id, config)
        self.config = LlamaCppConfig.model_validate(dict(config))
        self.runners: dict[str, ModelRunner] = {}
        self._formatters: dict[str, Any] = {}
        self._executor: ThreadPoolExecutor | None = None

    # lifecycle ---------------------------------------------------------------------------

    async def initialize(self) -> None:
        workers = self.config.parallelism * len(self.config.models)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=f"{self.provider_id}-gen")
        total = workers
        loaded = 0
        for m in self.config.models:
            instances = []
            for _ in range(self.config.parallelism):
                progress.report(f"{self.provider_id}: loading {m.model_id}", loaded, total)
                instances.append(await asyncio.to_thread(self._load, m))
                loaded += 1
            runner = ModelRunner(m.model_id, instances, self._executor)
            self.runners[m.model_id] = runner
            self._formatters[m.model_id] = self._formatter(instances[0], m)
            self.models.add_configured(
                m.model_id, ModelEntry(m.model_id, ModelType.LLM, {"context_length": runner.n_ctx})
            )
        progress.report(f"{self.provider_id}: models loaded", total, total)

    def _load(self, m: LlamaCppModelConfig) -> Any:
        from llama_cpp import Llama

        path = resolve_path(m.path)
        log.info("loading %s from %s", m.model_id, path)
        return Llama(
            model_path=str(path),
            n_ctx=m.n_ctx or self.config.n_ctx,
            n_threads=self.config.threads(),
            n_threads_batch=self.config.threads(),
            n_batch=self.config.n_batch,
            verbose=False,
        )

    @staticmethod
    def _formatter(llm: Any, m: LlamaCppModelConfig) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        def text(token: int) -> str:
            return llm._model.token_get_text(token) if token != -1 else ""

        template = m.chat_template or llm.metadata.get("tokenizer.chat_template")
        return Jinja2ChatFormatter(
            template or CHATML_TEMPLATE,
            eos_token=text(llm.token_eos()),
            bos_token=text(llm.token_bos()),
        )

    async def shutdown(self) -> None:
        if self._executor is not None:  # running generations stop at their cancel flag
            await asyncio.to_thread(self._executor.shutdown, True, cancel_futures=True)
        for runner in self.runners.values():
            for llm in runner.instances:
                llm.close()
        self.runners.clear()

    async def health(self) -> Health:
        if not self.runners:
            return Health(provider_pb2.HEALTH_STATUS_ERROR, "models not loaded")
        waiting = sum(r.pool.waiting for r in self.runners.values())
        return Health(message=f"{waiting} requests waiting" if waiting else "")

    # data plane --------------------------------------------------------------------------

    async def chat_completion(self, request: ChatRequest) -> ChatResponse:
        return await collect_chat(self.stream_chat_completion(request))

    async def stream_chat_completion(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]:
        self.model(request.model_id, ModelType.LLM, "chat completion")
        runner = self.runners[request.model_id]
        forced = request.forced_tools
        tools = request.offered_tools
        messages = with_tool_prompt(
            request.messages, tools, bool(forced), request.replace_system_message
        )
        prompt = self._render(request.model_id, messages)
        fmt = ResponseFormat(json_schema=call_schema(forced)) if forced else request.response_format
        params = self._params(runner, prompt, request.sampling, fmt, request.logprobs)
        # With a response format the grammar decides the output: it cannot be a call.
        detector = ToolCallDetector(tools if fmt is None or forced else [], forced=bool(forced))
        async for item in runner.stream(params):
            if isinstance(item, Piece):
                for delta in detector.feed(TextDelta(item.text, item.logprobs)):
                    yield delta
                continue
            deltas, calls = detector.finish()
            for delta in deltas:
                yield delta
            yield StreamEnd(
                StopReason.END_OF_MESSAGE if calls else _stop_reason(item),
                _usage(item),
                detector.call_logprobs or None,
            )

    async def completion(self, request: CompletionRequest) -> CompletionResponse:
        return await collect_completion(self.stream_completion(request))

    async def stream_completion(
        self, request: CompletionRequest
    ) -> AsyncIterator[TextDelta | StreamEnd]:
        self.model(request.model_id, ModelType.LLM, "completion")
        runner = self.runners[request.model_id]
        prompt = _text_only(request.content, request.model_id, "content")
        params = self._params(
            runner, prompt, request.sampling, request.response_format, request.logprobs
        )
        async for item in runner.stream(params):
            if isinstance(item, Piece):
                yield TextDelta(item.text, item.logprobs)
            else:
                yield StreamEnd(_stop_reason(item), _usage(item))

    # helpers -----------------------------------------------------------------------------

    def _render(self, model_id: str, messages: list[Message]) -> str:
        dicts = [_as_template_message(m, model_id, i) for i, m in enumerate(messages)]
        try:
            return self._formatters[model_id](messages=dicts).prompt
        except Exception as exc:  # jinja raises its own errors (and raise_exception: ValueError)
            raise InvalidArgument(
                f"model {model_id!r} cannot render this conversation with its chat template: {exc}"
            ) from exc

    def _params(
        self,
        runner: ModelRunner,
        prompt: str,
        sampling: Sampling,
        fmt: ResponseFormat | None,
        logprobs: int,
    ) -> GenerationParams:
        if sampling.max_tokens > runner.n_ctx:
            raise InvalidArgument(
                f"sampling_params.max_tokens is {sampling.max_tokens}, more than model "
                f"{runner.model_id!r} can ever generate (its context window is {runner.n_ctx} "
                "tokens, prompt included); ask for fewer, or 0 for the provider's default",
                field="sampling_params.max_tokens",
            )
        params = GenerationParams(
            prompt=prompt,
            max_tokens=sampling.max_tokens or self.config.default_max_tokens,
            repeat_penalty=sampling.repetition_penalty,
            frequency_penalty=sampling.frequency_penalty,
            presence_penalty=sampling.presence_penalty,
            min_p=sampling.min_p,
            seed=sampling.seed,
            stop=list(sampling.stop),
            grammar=_grammar(runner, fmt),
            logprobs=logprobs,
        )
        if sampling.strategy == "top_p":
            params.temperature, params.top_p = sampling.temperature, sampling.top_p
            params.top_k = sampling.top_k  # 0: no top-k filter (OpenAI's vendor top_k)
        elif sampling.strategy == "top_k":
            params.temperature, params.top_k = 1.0, sampling.top_k
        return params


def _grammar(runner: ModelRunner, fmt: ResponseFormat | None) -> str | None:
    """GBNF for the response format, checked by llama.cpp's own parser."""
    if fmt is None:
        return None
    if fmt.json_schema is not None:
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        try:
            text = json_schema_to_gbnf(json.dumps(fmt.json_schema))
        except Exception as exc:
            raise InvalidArgument(
                f"response_format.json_schema cannot be enforced: {exc or type(exc).__name__}",
                field="response_format.json_schema",
            ) from exc
        field = "response_format.json_schema"
    elif fmt.grammar is not None:
        text, field = fmt.grammar, "response_format.grammar.bnf"
    else:
        return None
    import llama_cpp

    vocab = runner.instances[0]._model.vocab  # read-only: safe while instances generate
    sampler = llama_cpp.llama_sampler_init_grammar(vocab, text.encode(), b"root")
    if not sampler:
        raise InvalidArgument(
            f"{field} is not a valid GBNF grammar with a `root` rule (llama.cpp could not "
            "parse it; see https://github.com/ggml-org/llama.cpp/blob/master/grammars/README.md)",
            field=field,
        )
    llama_cpp.llama_sampler_free(sampler)
    return text


def _as_template_message(m: Message, model_id: str, index: int) -> dict[str, str]:
    text = _text_only(m.content, model_id, f"messages[{index}].content")
    if m.context:
        text += "\n\n" + _text_only(m.context, model_id, f"messages[{index}].context")
    if m.tool_calls:
        calls = "\n".join(render_call(c) for c in m.tool_calls)
        text = f"{text}\n{calls}" if text else calls
    role = "tool" if m.role is Role.TOOL else m.role.value
    return {"role": role, "content": text}


def _text_only(parts: list[Part], model_id: str, where: str) -> str:
    for part in parts:
        if isinstance(part, Image):
            raise InvalidArgument(
                f"{where}: model {model_id!r} reads text only; remove the image", field=where
            )
    return "".join(p for p in parts if isinstance(p, str))


def _stop_reason(item: Finished) -> StopReason:
    return StopReason.OUT_OF_TOKENS if item.reason == "length" else StopReason.END_OF_TURN


def _usage(item: Finished) -> Usage:
    return Usage(item.prompt_tokens, item.completion_tokens)
