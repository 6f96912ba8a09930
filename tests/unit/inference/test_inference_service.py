"""The service logic over fake providers: provider choice, stream shape, batches."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.common.errors import FailedPrecondition, InvalidArgument, NotFound, ServiceUnavailable
from services.common.providers import ProviderHost
from services.inference.service import InferenceService
from services.inference.streams import collect_chat
from services.inference.types import (
    ChatRequest,
    ChatResponse,
    CompletionRequest,
    CompletionResponse,
    EventType,
    Message,
    ParseStatus,
    Role,
    Sampling,
    StopReason,
    StreamEnd,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)


class Fake:
    def __init__(self, provider_id: str, models: set[str], fail_first: bool = False) -> None:
        self.provider_id, self.models, self.fail_first = provider_id, models, fail_first
        self.calls: list[str] = []
        self.closed = False

    def knows(self, model_id: str) -> bool:
        return model_id in self.models

    async def chat_completion(self, req: ChatRequest) -> ChatResponse:
        self.calls.append(req.messages[0].text)
        return ChatResponse(Message(Role.ASSISTANT, [req.messages[0].text.upper()]), Usage(1, 1))

    async def stream_chat_completion(self, req: ChatRequest) -> AsyncIterator:
        try:
            if self.fail_first:
                raise NotFound("no such model")
            yield TextDelta("a")
            yield TextDelta("b")
            yield StreamEnd(StopReason.END_OF_TURN, Usage(2, 2))
        finally:
            self.closed = True

    async def completion(self, req: CompletionRequest) -> CompletionResponse:
        self.calls.append(req.content[0])
        return CompletionResponse(req.content[0], StopReason.END_OF_TURN, Usage(1, 1))

    async def stream_completion(self, req: CompletionRequest) -> AsyncIterator:
        yield StreamEnd(StopReason.END_OF_TURN, Usage(1, 0))


def service(*providers: Fake, ready: bool = True) -> InferenceService:
    host = ProviderHost("inference", list(providers))
    host.ready = ready
    return InferenceService(host)


def chat(text: str = "hi", model: str = "m", **kw) -> ChatRequest:
    return ChatRequest(model, [Message(Role.USER, [text])], **kw)


async def test_stream_is_start_progress_complete():
    svc = service(Fake("p", {"m"}))
    events = [e async for e in svc.stream_chat_completion("p", chat())]
    assert [e.event_type for e in events] == [
        EventType.START, EventType.PROGRESS, EventType.PROGRESS, EventType.COMPLETE,
    ]  # fmt: skip
    assert events[-1].stop_reason is StopReason.END_OF_TURN and events[-1].usage.total_tokens == 4


async def test_stream_error_comes_before_start():
    svc = service(Fake("p", {"m"}, fail_first=True))
    events = []
    with pytest.raises(NotFound):
        async for e in svc.stream_chat_completion("p", chat()):
            events.append(e)
    assert events == []


async def test_abandoned_stream_is_closed():
    fake = Fake("p", {"m"})
    stream = service(fake).stream_chat_completion("p", chat())
    await anext(stream)
    await stream.aclose()
    assert fake.closed


async def test_validation_happens_before_the_provider():
    fake = Fake("p", {"m"})
    with pytest.raises(InvalidArgument):
        await service(fake).chat_completion("p", chat(sampling=Sampling(max_tokens=-1)))
    assert fake.calls == []


async def test_provider_choice():
    a, b = Fake("a", {"x", "both"}), Fake("b", {"y", "both"})
    svc = service(a, b)
    await svc.chat_completion(None, chat(model="y"))
    assert b.calls == ["hi"] and a.calls == []
    await svc.chat_completion("a", chat(model="y"))  # the gateway's word wins
    assert a.calls == ["hi"]
    with pytest.raises(NotFound, match="'z'"):
        await svc.chat_completion(None, chat(model="z"))
    with pytest.raises(FailedPrecondition, match="several providers"):
        await svc.chat_completion(None, chat(model="both"))
    with pytest.raises(NotFound):
        await svc.chat_completion("c", chat())


async def test_not_ready_is_unavailable():
    with pytest.raises(ServiceUnavailable):
        await service(Fake("p", {"m"}), ready=False).chat_completion(None, chat())


async def test_batches_are_validated_first_and_run_in_order():
    fake = Fake("p", {"m"})
    svc = service(fake)
    out = await svc.batch_chat_completion("p", [chat("one"), chat("two"), chat("three")])
    assert [r.message.text for r in out] == ["ONE", "TWO", "THREE"]
    with pytest.raises(InvalidArgument, match="messages_batch\\[1\\]"):
        await svc.batch_chat_completion(
            "p", [chat("x"), chat(sampling=Sampling(top_k=0, strategy="top_k"))]
        )
    assert fake.calls == ["one", "two", "three"]
    done = await svc.batch_completion(
        "p", [CompletionRequest("m", ["a"]), CompletionRequest("m", ["b"])]
    )
    assert [r.content for r in done] == ["a", "b"]


async def test_collect_chat_folds_deltas_and_calls():
    call = ToolCall("c", "w", {})

    async def stream():
        yield ToolCallDelta(ParseStatus.STARTED)
        yield ToolCallDelta(ParseStatus.IN_PROGRESS, text="{...}")
        yield ToolCallDelta(ParseStatus.SUCCEEDED, parsed=call)
        yield StreamEnd(StopReason.END_OF_MESSAGE, Usage(3, 4), [{"x": -1.0}])

    r = await collect_chat(stream())
    assert r.message.tool_calls == [call] and r.message.text == ""
    assert r.message.stop_reason is StopReason.END_OF_MESSAGE and r.logprobs == [{"x": -1.0}]

    async def failed():
        yield TextDelta("raw ", [{"r": -0.5}])
        yield ToolCallDelta(ParseStatus.FAILED, text='{"name": "w"')
        yield StreamEnd(StopReason.OUT_OF_TOKENS, Usage(1, 1))

    r = await collect_chat(failed())
    assert r.message.text == 'raw {"name": "w"' and r.message.tool_calls == []
