"""`llamastack chat`: one-shot chat completion through the gateway.

The answer goes to stdout (streamed tokens as they arrive with `--stream`), tool calls as one
JSON object per line after it, and the token usage to stderr so the answer pipes cleanly.
`--json` prints the response as proto3 JSON instead (one object per chunk when streaming).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import grpc
import typer
from google.protobuf import json_format

from cli.client import (
    DEFAULT_GATEWAY,
    GatewayOpt,
    JsonOpt,
    all_items,
    bad_input,
    connect,
    err,
    print_json,
    to_dict,
)
from cli.kinds import load_json
from llamastack.inference.v1 import inference_service_pb2, inference_service_pb2_grpc
from llamastack.registry.v1 import model_service_pb2, model_service_pb2_grpc, resources_pb2

__all__ = ["build_request", "chat", "first_llm", "parse_tool", "tool_config", "usage_text"]

_CHOICES = {
    "auto": "TOOL_CHOICE_AUTO",
    "required": "TOOL_CHOICE_REQUIRED",
    "none": "TOOL_CHOICE_NONE",
}
_USAGE = ("prompt_tokens", "completion_tokens", "total_tokens")


def parse_tool(spec: str) -> dict[str, Any]:
    """`NAME`, `NAME:<JSON schema of the parameters>` or `NAME:@schema.json` -> ToolDefinition.

    A JSON object without `type`/`properties` is taken as the properties themselves:
    `get_weather:{"city": {"type": "string"}}` (all of them required).
    """
    name, sep, schema_text = spec.partition(":")
    name = name.strip()
    if not name:
        bad_input(f"--tool {spec!r}: give NAME or NAME:JSON_SCHEMA")
    if not sep or not schema_text.strip():
        schema: dict[str, Any] = {"type": "object", "properties": {}}
    else:
        schema = load_json(schema_text.strip(), f"--tool {name}")
        if not isinstance(schema, dict):
            bad_input(f"--tool {name}: the parameters schema must be a JSON object")
        if "type" not in schema and "properties" not in schema:
            schema = {"type": "object", "properties": schema, "required": sorted(schema)}
    return {"tool_name": name, "input_schema": schema}


def tool_config(choice: str | None, tool_names: list[str]) -> dict[str, Any] | None:
    if choice is None:
        return None
    key = choice.strip()
    if key.lower() in _CHOICES:
        return {"tool_choice": _CHOICES[key.lower()]}
    if key not in tool_names:
        known = ", ".join(tool_names) or "no --tool given"
        bad_input(f"--tool-choice {key!r} is not auto, required, none or a tool name ({known})")
    return {"tool_name": key}


def build_request(
    model: str,
    message: str,
    *,
    system: str | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    top_p: float | None = None,
    json_schema: str | None = None,
    tools: list[str] | None = None,
    tool_choice: str | None = None,
) -> dict[str, Any]:
    """The ChatCompletionRequest (same fields as StreamChatCompletionRequest) as proto3 JSON."""
    messages = []
    if system:
        messages.append({"role": "ROLE_SYSTEM", "content": [{"text": system}]})
    messages.append({"role": "ROLE_USER", "content": [{"text": message}]})
    request: dict[str, Any] = {"model_id": model, "messages": messages}
    sampling: dict[str, Any] = {}
    if max_tokens is not None:
        sampling["max_tokens"] = max_tokens
    if temperature == 0:
        sampling["greedy"] = {}
    elif temperature is not None or top_p is not None:
        nucleus: dict[str, Any] = {"temperature": 1.0 if temperature is None else temperature}
        if top_p is not None:
            nucleus["top_p"] = top_p
        sampling["top_p"] = nucleus
    if sampling:
        request["sampling_params"] = sampling
    if json_schema:
        schema = load_json(json_schema, "--json-schema")
        if not isinstance(schema, dict):
            bad_input("--json-schema must be a JSON object (a JSON schema)")
        request["response_format"] = {"json_schema": schema}
    definitions = [parse_tool(t) for t in tools or []]
    if definitions:
        request["tools"] = definitions
    config = tool_config(tool_choice, [d["tool_name"] for d in definitions])
    if config:
        request["tool_config"] = config
    return request


def usage_text(metrics: Any) -> str:
    values = {m.metric: m.value for m in metrics}
    parts = [f"{k}={values[k]:g}" for k in _USAGE if k in values]
    parts += [f"{k}={v:g}" for k, v in values.items() if k not in _USAGE]
    return "usage: " + (" ".join(parts) if parts else "(not reported)")


def first_llm(channel: grpc.Channel, timeout: float) -> str:
    stub = model_service_pb2_grpc.ModelServiceStub(channel)
    req = model_service_pb2.ListModelsRequest(page_size=1000)
    for model in all_items(stub.ListModels, req, timeout):
        if model.model_type in (resources_pb2.MODEL_TYPE_LLM, resources_pb2.MODEL_TYPE_UNSPECIFIED):
            return model.identifier
    bad_input(
        "no LLM is registered: register one with `llamastack models register` "
        "or name it with --model"
    )


def _tool_call_json(call: Any) -> str:
    data = to_dict(call)
    if "arguments" in data:
        data.pop("arguments_json", None)
    return json.dumps(data, ensure_ascii=False)


def _text(content: Any) -> str:
    return "".join(item.text for item in content if item.WhichOneof("item") == "text")


def chat(
    message: Annotated[str, typer.Argument(help="What to say.", show_default=False)],
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model id (default: the first registered LLM)."),
    ] = None,
    system: Annotated[str | None, typer.Option("--system", "-s", help="A system message.")] = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="Print tokens as they are generated.")
    ] = False,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", min=1, help="Most tokens to generate.")
    ] = None,
    temperature: Annotated[
        float | None,
        typer.Option("--temperature", "-t", min=0.0, help="Sampling temperature (0 = greedy)."),
    ] = None,
    top_p: Annotated[
        float | None, typer.Option("--top-p", min=0.0, max=1.0, help="Nucleus sampling.")
    ] = None,
    json_schema: Annotated[
        str | None,
        typer.Option(
            "--json-schema", help="Constrain the answer to a JSON schema (file, @file or JSON)."
        ),
    ] = None,
    tool: Annotated[
        list[str] | None,
        typer.Option("--tool", help="A tool: NAME or NAME:JSON_SCHEMA_OF_PARAMS (repeatable)."),
    ] = None,
    tool_choice: Annotated[
        str | None, typer.Option("--tool-choice", help="auto, required, none or a tool name.")
    ] = None,
    gateway: GatewayOpt = DEFAULT_GATEWAY,
    as_json: JsonOpt = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Deadline, in seconds.")
    ] = 300.0,
) -> None:
    """One-shot chat completion: prints the answer, tool calls (JSON) and token usage."""
    with connect(gateway) as channel:
        model_id = model or first_llm(channel, min(timeout, 30.0))
        fields = build_request(
            model_id,
            message,
            system=system,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            json_schema=json_schema,
            tools=tool,
            tool_choice=tool_choice,
        )
        stub = inference_service_pb2_grpc.InferenceServiceStub(channel)
        if stream:
            request = json_format.ParseDict(
                fields, inference_service_pb2.StreamChatCompletionRequest()
            )
            _stream(stub, request, timeout, as_json)
        else:
            request = json_format.ParseDict(fields, inference_service_pb2.ChatCompletionRequest())
            resp = stub.ChatCompletion(request, timeout=timeout)
            if as_json:
                print_json(resp)
                return
            answer = resp.completion_message
            text = _text(answer.content)
            if text:
                sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
            for call in answer.tool_calls:
                sys.stdout.write(_tool_call_json(call) + "\n")
            sys.stdout.flush()
            err.print(f"[dim]{usage_text(resp.metrics)}[/]")


def _stream(stub: Any, request: Any, timeout: float, as_json: bool) -> None:
    metrics: list[Any] = []
    calls: list[Any] = []
    wrote = ""
    responses = stub.StreamChatCompletion(request, timeout=timeout)
    try:
        for chunk in responses:
            if as_json:
                print_json(chunk)
                continue
            if chunk.metrics:
                metrics = list(chunk.metrics)
            delta = chunk.event.delta
            which = delta.WhichOneof("delta")
            if which == "text" and delta.text:
                sys.stdout.write(delta.text)
                sys.stdout.flush()
                wrote = delta.text
            elif which == "tool_call" and delta.tool_call.WhichOneof("tool_call") == "parsed":
                calls.append(delta.tool_call.parsed)
    except KeyboardInterrupt:
        responses.cancel()
        sys.stdout.write("\n")
        raise typer.Exit(130) from None
    if as_json:
        return
    if wrote and not wrote.endswith("\n"):
        sys.stdout.write("\n")
    for call in calls:
        sys.stdout.write(_tool_call_json(call) + "\n")
    sys.stdout.flush()
    err.print(f"[dim]{usage_text(metrics)}[/]")
