"""Spans and metrics of model calls, with the OpenTelemetry GenAI semantic conventions.

An API service wraps each provider call:

    with genai.operation("chat", request.model_id, provider) as op:
        result = await provider.chat_completion(request)
        op.usage(result.usage.prompt_tokens, result.usage.completion_tokens, ["end_of_turn"])

    op = genai.operation("chat", request.model_id, provider)
    async for item in op.stream(provider.stream_chat_completion(request)): ...

The span (`chat <model>`, INTERNAL for inline providers, CLIENT for remote ones) carries
`gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name`,
`gen_ai.usage.input_tokens`/`output_tokens` and `gen_ai.response.finish_reasons`; it is the
current span while the provider runs, so a remote provider's HTTP call is its child.
Metrics: `gen_ai.server.time_to_first_token` (streams), `llamastack.inference.tokens_per_second`
(output tokens over the call's duration) and the counters `prompt_tokens`,
`completion_tokens`, `total_tokens` (the reference's metric names).

With telemetry off, `services.common.telemetry.operation()` returns a shared object whose
methods do nothing.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

__all__ = ["GenAIInstruments", "GenAIOperation"]

T = TypeVar("T")
#: Bucket bounds: the GenAI conventions' for time to first token (seconds), and tokens/s.
TTFT_BOUNDS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
               5.0, 7.5, 10.0]  # fmt: skip
RATE_BOUNDS = [1.0, 2.0, 5.0, 10.0, 20.0, 35.0, 50.0, 75.0, 100.0, 150.0, 200.0, 500.0,
               1000.0, 5000.0]  # fmt: skip


class GenAIInstruments:
    """The tracer and metric instruments one process uses for model calls."""

    def __init__(self, tracer: trace.Tracer | None, meter: Any | None) -> None:
        self.tracer = tracer
        self.metered = meter is not None
        if meter is not None:
            self.ttft = meter.create_histogram(
                "gen_ai.server.time_to_first_token",
                unit="s",
                description="Time from the start of a streamed generation to its first token",
                explicit_bucket_boundaries_advisory=TTFT_BOUNDS,
            )
            self.rate = meter.create_histogram(
                "llamastack.inference.tokens_per_second",
                unit="{token}/s",
                description="Output tokens per second of a generation",
                explicit_bucket_boundaries_advisory=RATE_BOUNDS,
            )
            self.counters = {
                name: meter.create_counter(name, unit="{token}", description=description)
                for name, description in (
                    ("prompt_tokens", "Input tokens of model calls"),
                    ("completion_tokens", "Output tokens of model calls"),
                    ("total_tokens", "Input plus output tokens of model calls"),
                )
            }


class GenAIOperation:
    """One model call: its span and, when it ends, its metrics."""

    def __init__(
        self,
        instruments: GenAIInstruments,
        operation: str,
        model: str,
        provider_id: str,
        provider_type: str,
        request: dict[str, Any],
    ) -> None:
        self._instruments = instruments
        kind, _, short = provider_type.partition("::")
        self._labels = {
            "gen_ai.operation.name": operation,
            "gen_ai.request.model": model,
            "gen_ai.provider.name": short or kind,
            "llamastack.provider_id": provider_id,
        }
        self._span: trace.Span = trace.INVALID_SPAN
        if instruments.tracer is not None:
            self._span = instruments.tracer.start_span(
                f"{operation} {model}",
                kind=SpanKind.CLIENT if kind == "remote" else SpanKind.INTERNAL,
                attributes={**self._labels, **{k: v for k, v in request.items() if v}},
            )
        self._context = trace.set_span_in_context(self._span)
        self._token: object | None = None
        self._start = time.perf_counter()
        self._first: float | None = None
        self._input = self._output = 0
        self._reported = self._ended = False

    # -- unary calls -----------------------------------------------------------------------

    def __enter__(self) -> GenAIOperation:
        self._token = otel_context.attach(self._context)
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if self._token is not None:
            otel_context.detach(self._token)
            self._token = None
        self.end(exc)

    # -- streams ---------------------------------------------------------------------------

    async def stream(self, items: AsyncIterator[T]) -> AsyncIterator[T]:
        """`items`, with this span current while the provider produces each one; the first
        item is the first token. Ends the span when the stream ends, fails or is closed (an
        error, unless `usage()` was reported first: the consumer saw the end)."""
        error: BaseException | None = None
        try:
            while True:
                token = otel_context.attach(self._context)
                try:
                    item = await anext(items)
                except StopAsyncIteration:
                    break
                finally:
                    otel_context.detach(token)
                if self._first is None:
                    self._first = time.perf_counter()
                yield item
        except GeneratorExit as exc:
            # Closed by the consumer: after the end (usage reported) that is how it finishes.
            error = None if self._reported else exc
            raise
        except BaseException as exc:
            error = exc
            raise
        finally:
            aclose = getattr(items, "aclose", None)
            if aclose is not None:
                await aclose()
            self.end(error)

    # -- results ---------------------------------------------------------------------------

    def usage(
        self, input_tokens: int, output_tokens: int, finish_reasons: Sequence[str] = ()
    ) -> None:
        self._input, self._output = input_tokens, output_tokens
        self._reported = True
        span = self._span
        if span.is_recording():
            span.set_attribute("gen_ai.usage.input_tokens", input_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", output_tokens)
            reasons = [str(r) for r in finish_reasons if r]
            if reasons:
                span.set_attribute("gen_ai.response.finish_reasons", reasons)

    def end(self, error: BaseException | None = None) -> None:
        if self._ended:
            return
        self._ended = True
        now = time.perf_counter()
        span = self._span
        if span.is_recording():
            if error is not None:
                if isinstance(error, Exception):
                    span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
                    span.record_exception(error)
                else:
                    span.set_status(Status(StatusCode.ERROR, "cancelled"))
            span.end()
        ins = self._instruments
        if not ins.metered or error is not None:
            return
        labels = self._labels
        if self._first is not None:
            ins.ttft.record(self._first - self._start, labels)
        if self._output and now > self._start:
            ins.rate.record(self._output / (now - self._start), labels)
        for name, value in (
            ("prompt_tokens", self._input),
            ("completion_tokens", self._output),
            ("total_tokens", self._input + self._output),
        ):
            if value:
                ins.counters[name].add(value, labels)
