"""Agent configs from command-line options (`llamastack agents create`, `agents chat`)."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format

from cli.chat import parse_tool
from cli.client import bad_input
from cli.kinds import load_json
from llamastack.agents.v1 import agents_pb2

__all__ = ["build_config", "client_tool", "toolgroup"]

_CHOICES = {
    "auto": "TOOL_CHOICE_AUTO",
    "required": "TOOL_CHOICE_REQUIRED",
    "none": "TOOL_CHOICE_NONE",
}


def client_tool(spec: str) -> dict[str, Any]:
    """`NAME` or `NAME:<JSON schema of the parameters>` (as `llamastack chat --tool`) as a
    ToolDef with its top-level parameters."""
    schema = parse_tool(spec)["input_schema"]
    required = set(schema.get("required") or [])
    params = [
        {
            "name": name,
            "parameter_type": str(p.get("type", "string")),
            "description": str(p.get("description", "")),
            "required": name in required,
        }
        for name, p in (schema.get("properties") or {}).items()
    ]
    name, _, _ = spec.partition(":")
    return {"name": name.strip(), "parameters": params}


def toolgroup(spec: str) -> dict[str, Any]:
    """`GROUP` or `GROUP=<JSON args>` (e.g. `builtin::rag={"vector_db_ids": ["docs"]}`)."""
    name, sep, args = spec.partition("=")
    group: dict[str, Any] = {"name": name.strip()}
    if sep:
        group["args"] = load_json(args, f"--toolgroup {name}")
        if not isinstance(group["args"], dict):
            bad_input(f"--toolgroup {name}: the args must be a JSON object")
    return group


def build_config(
    model: str,
    *,
    instructions: str | None = None,
    name: str | None = None,
    tools: list[str] | None = None,
    groups: list[str] | None = None,
    input_shields: list[str] | None = None,
    output_shields: list[str] | None = None,
    tool_choice: str | None = None,
    max_infer_iters: int | None = None,
    max_tokens: int | None = None,
) -> agents_pb2.AgentConfig:
    """An AgentConfig (greedy sampling) from the options of `agents create` / `agents chat`."""
    config: dict[str, Any] = {"model": model, "sampling_params": {"greedy": {}}}
    if instructions:
        config["instructions"] = instructions
    if name:
        config["name"] = name
    if max_tokens:
        config["sampling_params"]["max_tokens"] = max_tokens
    config["client_tools"] = [client_tool(t) for t in tools or []]
    config["toolgroups"] = [toolgroup(g) for g in groups or []]
    config["input_shields"] = input_shields or []
    config["output_shields"] = output_shields or []
    if tool_choice:
        key = tool_choice.strip()
        config["tool_config"] = (
            {"tool_choice": _CHOICES[key.lower()]}
            if key.lower() in _CHOICES
            else {"tool_name": key}
        )
    if max_infer_iters is not None:
        config["max_infer_iters"] = max_infer_iters
    return json_format.ParseDict(config, agents_pb2.AgentConfig())
