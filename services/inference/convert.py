"""Protobuf ⇄ domain conversions for the inference servicer (the only module that knows both)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import content_pb2, message_pb2, sampling_pb2, tool_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as svc
from services.common.errors import InvalidArgument
from services.inference.types import (
    ChatEvent,
    ChatRequest,
    ChatResponse,
    CompletionRequest,
    CompletionResponse,
    EmbeddingsRequest,
    EmbeddingsResponse,
    EventType,
    Image,
    Message,
    ParseStatus,
    Part,
    ResponseFormat,
    Role,
    Sampling,
    StopReason,
    StreamEnd,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolChoice,
    ToolSpec,
    Truncation,
    Usage,
)

_ROLES = {
    message_pb2.ROLE_SYSTEM: Role.SYSTEM,
    message_pb2.ROLE_USER: Role.USER,
    message_pb2.ROLE_ASSISTANT: Role.ASSISTANT,
    message_pb2.ROLE_TOOL: Role.TOOL,
}
_STOP = {
    message_pb2.STOP_REASON_END_OF_TURN: StopReason.END_OF_TURN,
    message_pb2.STOP_REASON_END_OF_MESSAGE: StopReason.END_OF_MESSAGE,
    message_pb2.STOP_REASON_OUT_OF_TOKENS: StopReason.OUT_OF_TOKENS,
}
_STOP_PROTO = {v: k for k, v in _STOP.items()}
_CHOICE = {
    tool_pb2.TOOL_CHOICE_REQUIRED: ToolChoice.REQUIRED,
    tool_pb2.TOOL_CHOICE_NONE: ToolChoice.NONE,
}
_TRUNCATION = {
    inference_pb2.TEXT_TRUNCATION_START: Truncation.START,
    inference_pb2.TEXT_TRUNCATION_END: Truncation.END,
}
_TASK = {inference_pb2.EMBEDDING_TASK_TYPE_QUERY: "query"}
_TASK[inference_pb2.EMBEDDING_TASK_TYPE_DOCUMENT] = "document"
_EVENT = {
    EventType.START: inference_pb2.CHAT_COMPLETION_EVENT_TYPE_START,
    EventType.PROGRESS: inference_pb2.CHAT_COMPLETION_EVENT_TYPE_PROGRESS,
    EventType.COMPLETE: inference_pb2.CHAT_COMPLETION_EVENT_TYPE_COMPLETE,
}
_PARSE = {
    ParseStatus.STARTED: inference_pb2.TOOL_CALL_PARSE_STATUS_STARTED,
    ParseStatus.IN_PROGRESS: inference_pb2.TOOL_CALL_PARSE_STATUS_IN_PROGRESS,
    ParseStatus.FAILED: inference_pb2.TOOL_CALL_PARSE_STATUS_FAILED,
    ParseStatus.SUCCEEDED: inference_pb2.TOOL_CALL_PARSE_STATUS_SUCCEEDED,
}
#: Llama Stack's Python-ish parameter types, as JSON schema types.
_PARAM_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
_PARAM_TYPES |= {"list": "array", "dict": "object"}

# proto → domain ---------------------------------------------------------------------------


def plain_json(value: Any) -> Any:
    """JSON from a Struct, with integral floats back to ints (Struct numbers are doubles) and
    object keys sorted: a Struct is a map, which protobuf iterates in an order that changes
    from one process to the next, and the order reaches the prompt (tool schemas, past calls)
    and the grammars, so greedy output would too."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain_json(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    return value


def struct_dict(s: struct_pb2.Struct) -> dict[str, Any]:
    return plain_json(json_format.MessageToDict(s))


def parts(items: Iterable[content_pb2.ContentItem]) -> list[Part]:
    out: list[Part] = []
    for item in items:
        kind = item.WhichOneof("item")
        if kind == "text":
            out.append(item.text)
        elif kind == "image":
            src = item.image
            out.append(Image(url=src.url.uri, data=src.data))
    return out


def tool_call(c: message_pb2.ToolCall) -> ToolCall:
    args = struct_dict(c.arguments) if c.HasField("arguments") else {}
    if not args and c.arguments_json:
        try:
            args = json.loads(c.arguments_json)
        except ValueError:
            raise InvalidArgument(
                f"tool call {c.call_id or c.tool_name}: arguments_json is not valid JSON"
            ) from None
    return ToolCall(c.call_id, c.tool_name, args, c.arguments_json or json.dumps(args))


def messages(items: Iterable[message_pb2.Message]) -> list[Message]:
    out = []
    for i, m in enumerate(items):
        role = _ROLES.get(m.role)
        if role is None:
            raise InvalidArgument(
                f"messages[{i}].role is required (ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT "
                "or ROLE_TOOL)",
                field=f"messages[{i}].role",
            )
        out.append(
            Message(
                role=role,
                content=parts(m.content),
                context=parts(m.context),
                stop_reason=_STOP.get(m.stop_reason),
                tool_calls=[tool_call(c) for c in m.tool_calls],
                call_id=m.call_id,
            )
        )
    return out


def sampling(sp: sampling_pb2.SamplingParams) -> Sampling:
    s = Sampling(
        max_tokens=sp.max_tokens,
        repetition_penalty=sp.repetition_penalty if sp.HasField("repetition_penalty") else 1.0,
        stop=list(sp.stop),
    )
    kind = sp.WhichOneof("strategy")
    if kind == "top_p":
        s.strategy, s.temperature = "top_p", sp.top_p.temperature
        s.top_p = sp.top_p.top_p if sp.top_p.HasField("top_p") else 0.95
    elif kind == "top_k":
        s.strategy, s.top_k = "top_k", sp.top_k.top_k
    return s


def response_format(rf: sampling_pb2.ResponseFormat) -> ResponseFormat | None:
    kind = rf.WhichOneof("format")
    if kind == "json_schema":
        return ResponseFormat(json_schema=struct_dict(rf.json_schema))
    if kind == "grammar":
        return ResponseFormat(grammar=rf.grammar.bnf)
    return None


def tool_spec(t: tool_pb2.ToolDefinition) -> ToolSpec:
    if t.HasField("input_schema"):
        schema = struct_dict(t.input_schema)
    else:
        props: dict[str, Any] = {}
        required = []
        for name, p in sorted(t.parameters.items()):  # a map: its order is per process
            prop: dict[str, Any] = {}
            kind = _PARAM_TYPES.get(p.param_type, p.param_type)
            if kind:
                prop["type"] = kind
            if p.description:
                prop["description"] = p.description
            if p.HasField("default"):
                prop["default"] = plain_json(json_format.MessageToDict(p.default))
            props[name] = prop
            if not p.HasField("required") or p.required:
                required.append(name)
        schema = {"type": "object", "properties": props, "required": required}
    return ToolSpec(t.tool_name, t.description, schema)


def logprobs(request: Any) -> int:
    """Top-k requested (0 = none); an empty LogProbConfig means 1."""
    if not request.HasField("logprobs"):
        return 0
    k = request.logprobs.top_k
    return 1 if k == 0 else k


def chat_request(r: Any, conversation: Iterable[message_pb2.Message] | None = None) -> ChatRequest:
    """Any request with the chat fields (unary, stream, or one element of a batch)."""
    tc = r.tool_config
    return ChatRequest(
        model_id=r.model_id,
        messages=messages(r.messages if conversation is None else conversation),
        sampling=sampling(r.sampling_params),
        tools=[tool_spec(t) for t in r.tools],
        tool_choice=_CHOICE.get(tc.tool_choice, ToolChoice.AUTO),
        tool_name=tc.tool_name,
        replace_system_message=tc.system_message_behavior
        == tool_pb2.SYSTEM_MESSAGE_BEHAVIOR_REPLACE,
        response_format=response_format(r.response_format),
        logprobs=logprobs(r),
    )


def completion_request(
    r: Any, content: Iterable[content_pb2.ContentItem] | None = None
) -> CompletionRequest:
    return CompletionRequest(
        model_id=r.model_id,
        content=parts(r.content if content is None else content),
        sampling=sampling(r.sampling_params),
        response_format=response_format(r.response_format),
        logprobs=logprobs(r),
    )


def embeddings_request(r: svc.EmbeddingsRequest) -> EmbeddingsRequest:
    return EmbeddingsRequest(
        model_id=r.model_id,
        contents=parts(r.contents),
        truncation=_TRUNCATION.get(r.text_truncation, Truncation.NONE),
        output_dimension=r.output_dimension if r.HasField("output_dimension") else None,
        task_type=_TASK.get(r.task_type, ""),
    )


# domain → proto ---------------------------------------------------------------------------


def metrics(usage: Usage | None, embeddings: bool = False) -> list[sampling_pb2.Metric]:
    if usage is None:
        return []
    values = usage.metrics()
    if embeddings:
        values.pop("completion_tokens")
    return [sampling_pb2.Metric(metric=k, value=v, unit="tokens") for k, v in values.items()]


def token_logprobs(items: list[dict[str, float]] | None) -> list[sampling_pb2.TokenLogProbs]:
    return [sampling_pb2.TokenLogProbs(logprobs_by_token=d) for d in items or []]


def tool_call_proto(c: ToolCall) -> message_pb2.ToolCall:
    out = message_pb2.ToolCall(
        call_id=c.call_id, tool_name=c.tool_name, arguments_json=c.arguments_json
    )
    out.arguments.update(c.arguments)
    return out


def chat_response(r: ChatResponse) -> svc.ChatCompletionResponse:
    m = r.message
    message = message_pb2.Message(
        role=message_pb2.ROLE_ASSISTANT,
        content=[content_pb2.ContentItem(text=m.text)],
        stop_reason=_STOP_PROTO.get(m.stop_reason, 0) if m.stop_reason else 0,
        tool_calls=[tool_call_proto(c) for c in m.tool_calls],
    )
    return svc.ChatCompletionResponse(
        completion_message=message, logprobs=token_logprobs(r.logprobs), metrics=metrics(r.usage)
    )


def _delta(d: TextDelta | ToolCallDelta | None) -> inference_pb2.ContentDelta:
    if isinstance(d, ToolCallDelta):
        tc = inference_pb2.ToolCallDelta(parse_status=_PARSE[d.status])
        if d.parsed is not None:
            tc.parsed.CopyFrom(tool_call_proto(d.parsed))
        else:
            tc.text = d.text
        return inference_pb2.ContentDelta(tool_call=tc)
    return inference_pb2.ContentDelta(text=d.text if d is not None else "")


def chat_event(e: ChatEvent) -> svc.StreamChatCompletionResponse:
    logprobs_ = e.delta.logprobs if isinstance(e.delta, TextDelta) else None
    event = inference_pb2.ChatCompletionResponseEvent(
        event_type=_EVENT[e.event_type],
        delta=_delta(e.delta),
        logprobs=token_logprobs(logprobs_),
        stop_reason=_STOP_PROTO[e.stop_reason] if e.stop_reason else 0,
    )
    return svc.StreamChatCompletionResponse(event=event, metrics=metrics(e.usage))


def completion_response(r: CompletionResponse) -> svc.CompletionResponse:
    return svc.CompletionResponse(
        content=r.content,
        stop_reason=_STOP_PROTO[r.stop_reason],
        logprobs=token_logprobs(r.logprobs),
        metrics=metrics(r.usage),
    )


def completion_chunk(item: TextDelta | StreamEnd) -> svc.StreamCompletionResponse:
    if isinstance(item, TextDelta):
        return svc.StreamCompletionResponse(delta=item.text, logprobs=token_logprobs(item.logprobs))
    return svc.StreamCompletionResponse(
        stop_reason=_STOP_PROTO[item.stop_reason],
        logprobs=token_logprobs(item.logprobs),
        metrics=metrics(item.usage),
    )


def embeddings_response(r: EmbeddingsResponse) -> svc.EmbeddingsResponse:
    return svc.EmbeddingsResponse(
        embeddings=[inference_pb2.Embedding(values=v) for v in r.embeddings],
        metrics=metrics(r.usage, embeddings=True),
    )
