"""The steps of a turn, each an async generator of events that stores its step before
announcing `step_complete`: shields, memory retrieval, inference, server-side tools."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import json_format

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import content_pb2, message_pb2, tool_pb2
from llamastack.inference.v1 import inference_pb2
from llamastack.inference.v1 import inference_service_pb2 as inference_pb
from llamastack.safety.v1 import safety_service_pb2
from services.agents import documents as docs
from services.agents import events
from services.agents.events import Event
from services.agents.history import conversation, only_repeats
from services.agents.store import now
from services.agents.tools import call_kwargs

if TYPE_CHECKING:
    from services.agents.turn import TurnRun

__all__ = ["answered", "call_key", "inference", "memory", "shields", "tools"]

log = logging.getLogger(__name__)
_EventType = inference_pb2.ChatCompletionEventType
_Parse = inference_pb2.ToolCallParseStatus


async def _complete(run: TurnRun, step: pb.Step) -> Event:
    step.completed_at.CopyFrom(now())
    run.turn.steps.append(step)
    await run.save()
    return events.step_complete(step)


# -- shields ---------------------------------------------------------------------------------


async def shields(
    run: TurnRun, shield_ids: list[str], messages: list[message_pb2.Message], touchpoint: str
) -> AsyncIterator[Event]:
    """Run the shields at once; the worst violation goes in the step, and an ERROR one ends
    the turn with its user message as the answer (`run.violation`)."""
    step = events.new_step(run.turn.turn_id, "shield_call")
    yield events.step_start(step, touchpoint=touchpoint)
    results = await asyncio.gather(
        *(run.deps.upstream.run_shield(s, messages, run.remaining()) for s in shield_ids)
    )
    found = [r.violation for r in results if r.HasField("violation")]
    if found:
        worst = max(found, key=lambda v: v.violation_level)
        step.shield_call.violation.CopyFrom(worst)
        if worst.violation_level == safety_service_pb2.VIOLATION_LEVEL_ERROR:
            run.violation = message_pb2.Message(
                role=message_pb2.ROLE_ASSISTANT,
                content=[content_pb2.ContentItem(text=worst.user_message)],
                stop_reason=message_pb2.STOP_REASON_END_OF_TURN,
            )
    yield await _complete(run, step)


# -- memory ----------------------------------------------------------------------------------


async def memory(run: TurnRun, attached: list[pb.Document]) -> AsyncIterator[Event]:
    """Store the attached documents in the session's vector database, then retrieve the
    context of the user's message from it (and from the RAG group's own databases)."""
    step = events.new_step(run.turn.turn_id, "memory_retrieval")
    yield events.step_start(step)
    up, config = run.deps.upstream, run.deps.config
    if attached:
        await _session_db(run)
        await up.insert_documents(
            run.session.vector_db_id,
            docs.rag_documents(attached),
            config.chunk_size_in_tokens,
            run.remaining(),
        )
    rag = run.plan.rag_args or {}
    dbs = [*(rag.get("vector_db_ids") or [])]
    if run.session.vector_db_id not in dbs:
        dbs.insert(0, run.session.vector_db_id)
    query = [
        c for m in run.turn.input_messages if m.role == message_pb2.ROLE_USER for c in m.content
    ]
    found = await up.query_context(query, dbs, run.plan.rag_query_config, run.remaining())
    step.memory_retrieval.vector_db_ids.extend(dbs)
    step.memory_retrieval.inserted_context.extend(found.content)
    yield await _complete(run, step)


async def _session_db(run: TurnRun) -> None:
    if run.session.vector_db_id:
        return
    up, config = run.deps.upstream, run.deps.config
    db = f"session-{run.session.session_id}"
    embedding = config.embedding_model or await up.first_embedding_model()
    await up.register_vector_db(db, embedding, config.vector_io_provider_id)
    await run.deps.store.set_vector_db(run.session, db)


# -- inference -------------------------------------------------------------------------------


async def inference(run: TurnRun) -> AsyncIterator[Event]:
    """A model call: streamed (its deltas become step_progress events) when the caller
    streams the turn, else one unary call (no per-token messages through two hops)."""
    step = events.new_step(run.turn.turn_id, "inference")
    yield events.step_start(step)
    request = _chat_request(run)
    response = step.inference.model_response
    if not run.streaming:
        unary = inference_pb.ChatCompletionRequest.FromString(request.SerializeToString())
        reply = await run.deps.upstream.chat(unary, run.remaining())
        response.CopyFrom(reply.completion_message)
        yield await _complete(run, step)
        return
    text: list[str] = []
    calls: list[message_pb2.ToolCall] = []
    stop = message_pb2.STOP_REASON_END_OF_TURN
    stream = run.deps.upstream.stream_chat(request, run.remaining())
    async with contextlib.aclosing(stream):
        async for chunk in stream:
            event = chunk.event
            if event.event_type == _EventType.CHAT_COMPLETION_EVENT_TYPE_COMPLETE:
                stop = event.stop_reason or stop
                continue
            delta = event.delta
            kind = delta.WhichOneof("delta")
            if kind == "text" and delta.text:
                text.append(delta.text)
            elif kind == "tool_call":
                call = delta.tool_call
                if call.parse_status == _Parse.TOOL_CALL_PARSE_STATUS_SUCCEEDED and call.HasField(
                    "parsed"
                ):
                    calls.append(call.parsed)
                elif call.parse_status == _Parse.TOOL_CALL_PARSE_STATUS_FAILED:
                    text.append(call.text)  # not a valid call: the raw answer stays
            else:
                continue
            yield events.step_progress(step, delta)
    response.role = message_pb2.ROLE_ASSISTANT
    response.content.add(text="".join(text))
    response.tool_calls.extend(calls)
    response.stop_reason = stop
    yield await _complete(run, step)


def _chat_request(run: TurnRun) -> inference_pb.StreamChatCompletionRequest:
    config = run.config
    request = inference_pb.StreamChatCompletionRequest(
        model_id=config.model,
        messages=conversation(config.instructions, run.earlier, run.turn),
        sampling_params=config.sampling_params,
        tools=run.plan.definitions,
    )
    tool_config = tool_pb2.ToolConfig()
    tool_config.CopyFrom(run.tool_config)
    forced = bool(tool_config.tool_name) or tool_config.tool_choice == tool_pb2.TOOL_CHOICE_REQUIRED
    if forced and any(s.WhichOneof("details") == "tool_execution" for s in run.turn.steps):
        # A forced call applies to the turn's first tool step only, then the model may
        # answer (as OpenAI's agents reset tool_choice): otherwise every step would call a
        # tool again until max_infer_iters.
        tool_config.tool_name = ""
        tool_config.tool_choice = tool_pb2.TOOL_CHOICE_AUTO
        forced = False
    if run.turn.steps and only_repeats(run.turn.steps[-1]):
        # The model asked again for what it already has: it must answer now.
        tool_config.tool_name, tool_config.tool_choice = "", tool_pb2.TOOL_CHOICE_NONE
        forced = False
    if run.plan.definitions:
        request.tool_config.CopyFrom(tool_config)
    if config.HasField("response_format") and not forced:
        request.response_format.CopyFrom(config.response_format)
    return request


# -- tools -----------------------------------------------------------------------------------


async def tools(
    run: TurnRun, calls: list[message_pb2.ToolCall], repeats: dict[str, pb.ToolResponse]
) -> AsyncIterator[Event]:
    """Run server-side tool calls at once through the tool runtime. A tool's error (bad
    arguments, unknown tool, a failing MCP server) is its response, for the model to see.
    A call this turn already made (same tool, same arguments; `repeats`: call id → the
    earlier response) is not run again: it gets the earlier response, marked `repeat_of`."""
    step = events.new_step(run.turn.turn_id, "tool_execution")
    step.tool_execution.tool_calls.extend(calls)
    yield events.step_start(step)
    for call in calls:
        yield events.step_progress(
            step,
            inference_pb2.ContentDelta(
                tool_call=inference_pb2.ToolCallDelta(
                    parsed=call, parse_status=_Parse.TOOL_CALL_PARSE_STATUS_IN_PROGRESS
                )
            ),
        )

    async def respond(call: message_pb2.ToolCall) -> pb.ToolResponse:
        earlier = repeats.get(call.call_id)
        if earlier is None:
            return await _invoke(run, call)
        out = pb.ToolResponse()
        out.CopyFrom(earlier)
        out.call_id = call.call_id
        out.metadata.update({"repeat_of": earlier.call_id})
        return out

    responses = await asyncio.gather(*(respond(call) for call in calls))
    step.tool_execution.tool_responses.extend(responses)
    yield await _complete(run, step)


def answered(turn: pb.Turn) -> dict[tuple[str, str], pb.ToolResponse]:
    """The calls this turn has results for, by (tool, canonical arguments)."""
    out: dict[tuple[str, str], pb.ToolResponse] = {}
    for step in turn.steps:
        if step.WhichOneof("details") != "tool_execution":
            continue
        by_id = {r.call_id: r for r in step.tool_execution.tool_responses}
        for call in step.tool_execution.tool_calls:
            key = call_key(call)
            if key is not None and call.call_id in by_id:
                out.setdefault(key, by_id[call.call_id])
    return out


def call_key(call: message_pb2.ToolCall) -> tuple[str, str] | None:
    try:
        return call.tool_name, json.dumps(_arguments(call), sort_keys=True)
    except ValueError:
        return None


async def _invoke(run: TurnRun, call: message_pb2.ToolCall) -> pb.ToolResponse:
    out = pb.ToolResponse(call_id=call.call_id, tool_name=call.tool_name)
    tool = run.plan.server.get(call.tool_name)
    if tool is None:
        known = ", ".join(run.plan.names) or "none"
        return _error(out, f"unknown tool {call.tool_name!r}; the tools are: {known}")
    try:
        arguments = _arguments(call)
    except ValueError as exc:
        return _error(out, f"the arguments are not a JSON object: {exc}")
    kwargs = call_kwargs(tool, arguments, run.session.vector_db_id)
    timeout = run.remaining(run.deps.config.tool_timeout_seconds)
    try:
        resp = await run.deps.upstream.invoke_tool(call.tool_name, kwargs, timeout)
    except grpc.aio.AioRpcError as err:
        log.info("tool %s failed: %s %s", call.tool_name, err.code().name, err.details())
        return _error(out, f"{err.code().name}: {err.details()}", err.code().name)
    out.content.extend(resp.content)
    if resp.HasField("metadata"):
        out.metadata.CopyFrom(resp.metadata)
    if resp.error_message:
        out.content.add(text=f"error: {resp.error_message}")
        out.metadata.update({"error_message": resp.error_message, "error_code": resp.error_code})
    return out


def _arguments(call: message_pb2.ToolCall) -> dict[str, Any]:
    if call.HasField("arguments"):
        return json_format.MessageToDict(call.arguments)
    if not call.arguments_json:
        return {}
    value = json.loads(call.arguments_json)
    if not isinstance(value, dict):
        raise ValueError(call.arguments_json[:200])
    return value


def _error(out: pb.ToolResponse, message: str, code: str = "") -> pb.ToolResponse:
    out.content.add(text=f"error: {message}")
    out.metadata.update({"error_message": message, **({"error_code": code} if code else {})})
    return out
