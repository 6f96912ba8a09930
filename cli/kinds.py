"""The registry resource kinds the CLI handles, as one table.

Each `Kind` names its registry service (`ModelService`...), its id field and the extra
register options it takes (`Opt`). `cli.resources` builds the typer commands from it;
`google.protobuf.json_format.ParseDict` does the typing, so an option's value is plain JSON:
strings, enum names, objects for `Struct` fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from google.protobuf import json_format

from cli.client import bad_input
from services.common.kinds import KINDS as RESOURCE_KINDS
from services.common.kinds import KindSpec

__all__ = ["KINDS", "Kind", "Opt", "build_register", "load_json"]


def load_json(value: str, what: str) -> Any:
    """JSON given inline, as `@file`, or as the path of an existing file."""
    text = value
    path = Path(value[1:] if value.startswith("@") else value).expanduser()
    if value.startswith("@") or (not value.lstrip().startswith(("{", "[")) and path.is_file()):
        try:
            text = path.read_text()
        except OSError as exc:
            bad_input(f"{what}: cannot read {path}: {exc.strerror}")
    try:
        return json.loads(text)
    except ValueError as exc:
        bad_input(f"{what} is not valid JSON ({exc}): {value[:80]!r}")


def _json_object(value: str, what: str) -> dict:
    data = load_json(value, what)
    if not isinstance(data, dict):
        bad_input(f"{what} must be a JSON object, got {type(data).__name__}")
    return data


@dataclass(frozen=True)
class Opt:
    """An extra register option: `--<field>` filling request field `field`."""

    field: str
    help: str
    #: str | int | json (object) | rows (JSON list of objects) | list | url | enum
    type: str = "str"
    #: enum: CLI value -> proto enum value name.
    choices: dict[str, str] | None = None
    required: bool = False
    #: Request field it fills when not `field` (e.g. `--uri` fills `source`).
    target: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.field.replace("_", "-")

    def convert(self, value: Any) -> Any:
        what = self.flag
        if self.type == "int":
            return int(value)
        if self.type == "json":
            return _json_object(value, what)
        if self.type == "rows":
            rows = load_json(value, what)
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                bad_input(f"{what} must be a JSON list of objects")
            return {"rows": {"rows": rows}}
        if self.type == "list":
            return [p.strip() for v in value for p in v.split(",") if p.strip()]
        if self.type == "url":
            return {"uri": value}
        if self.type == "source_uri":
            return {"uri": {"uri": value}}
        if self.type == "enum":
            assert self.choices is not None
            key = value.strip().lower()
            if key not in self.choices:
                bad_input(f"{what} must be one of {', '.join(self.choices)}, got {value!r}")
            return self.choices[key]
        return value


@dataclass(frozen=True)
class Kind:
    """A resource kind (`services.common.kinds`) and how the CLI shows and registers it."""

    spec: KindSpec
    #: Extra list columns: (header, dotted path in the proto3 JSON of the resource).
    columns: tuple[tuple[str, str], ...] = ()
    extra: tuple[Opt, ...] = ()

    @property
    def command(self) -> str:  # CLI group: `models`
        return self.spec.command

    @property
    def rpc(self) -> str:  # RPC stem: RegisterModel, GetModel, ListModels, UnregisterModel
        return self.spec.label

    @property
    def pb2(self) -> ModuleType:
        return self.spec.pb2

    @property
    def grpc_module(self) -> ModuleType:
        return self.spec.grpc

    @property
    def id_field(self) -> str:
        return self.spec.id_field

    @property
    def provider_resource_field(self) -> str | None:
        return self.spec.provider_resource_field or None

    @property
    def id_optional(self) -> bool:
        return self.spec.id_optional

    @property
    def singular(self) -> str:
        return self.command[:-1].replace("-", " ")

    @property
    def response_field(self) -> str:  # RegisterModelResponse.model
        return "".join("_" + c.lower() if c.isupper() else c for c in self.rpc).lstrip("_")

    def stub(self, channel: Any) -> Any:
        return getattr(self.grpc_module, f"{self.rpc.split('.')[-1]}ServiceStub")(channel)

    def request(self, verb: str, fields: dict[str, Any]) -> Any:
        plural = "s" if verb == "List" else ""
        cls = getattr(self.pb2, f"{verb}{self.rpc}{plural}Request")
        try:
            return json_format.ParseDict(fields, cls())
        except json_format.ParseError as exc:
            bad_input(f"invalid {self.singular} fields: {exc}")


_PARAM_TYPES = (
    "string",
    "number",
    "boolean",
    "array",
    "object",
    "json",
    "union",
    "chat_completion_input",
    "completion_input",
    "agent_turn_input",
    "dialog",
)
_METADATA = Opt("metadata", "Metadata as a JSON object (inline, @file or a file path).", "json")

#: How each kind is shown and registered, by kind name; a kind missing here still gets the
#: generic list/get/register/unregister commands.
PRESENTATION: dict[str, dict[str, Any]] = {
    "model": {
        "columns": (("TYPE", "model_type"),),
        "extra": (
            Opt(
                "model_type",
                "llm (default) or embedding.",
                "enum",
                {"llm": "MODEL_TYPE_LLM", "embedding": "MODEL_TYPE_EMBEDDING"},
            ),
            _METADATA,
        ),
    },
    "shield": {"extra": (Opt("params", "Shield parameters as a JSON object.", "json"),)},
    "dataset": {
        "columns": (("PURPOSE", "purpose"),),
        "extra": (
            Opt(
                "purpose",
                "post-training/messages, eval/question-answer or eval/messages-answer.",
                "enum",
                {
                    "post-training/messages": "DATASET_PURPOSE_POST_TRAINING_MESSAGES",
                    "eval/question-answer": "DATASET_PURPOSE_EVAL_QUESTION_ANSWER",
                    "eval/messages-answer": "DATASET_PURPOSE_EVAL_MESSAGES_ANSWER",
                },
                required=True,
            ),
            Opt(
                "uri",
                "Rows at a URI (http(s), file, data: or huggingface://).",
                "source_uri",
                target="source",
            ),
            Opt(
                "rows",
                "Inline rows: a JSON list of objects (inline, @file or a path).",
                "rows",
                target="source",
            ),
            _METADATA,
        ),
    },
    "vector_db": {
        "columns": (("EMBEDDING MODEL", "embedding_model"), ("DIM", "embedding_dimension")),
        "extra": (
            Opt("embedding_model", "A registered embedding model.", required=True),
            Opt("embedding_dimension", "Vector size (default: the model's).", "int"),
            Opt("vector_db_name", "Human-readable name."),
        ),
    },
    "scoring_function": {
        "columns": (("DESCRIPTION", "description"),),
        "extra": (
            Opt("description", "What the function scores."),
            Opt(
                "return_type",
                "string, number, boolean, array, object, json, union, chat_completion_input, "
                "completion_input, agent_turn_input or dialog.",
                "enum",
                {t: f"PARAM_TYPE_{t.upper()}" for t in _PARAM_TYPES},
                required=True,
            ),
            Opt("params", 'Default parameters, e.g. {"basic": {}} (JSON).', "json"),
        ),
    },
    "benchmark": {
        "columns": (("DATASET", "dataset_id"),),
        "extra": (
            Opt("dataset_id", "A registered dataset.", required=True),
            Opt(
                "scoring_functions",
                "Registered scoring functions (repeat or comma-separate).",
                "list",
                required=True,
            ),
            _METADATA,
        ),
    },
    "tool_group": {
        "columns": (("MCP ENDPOINT", "mcp_endpoint.uri"),),
        "extra": (
            Opt(
                "mcp_endpoint", "The MCP server's URL (for remote::model-context-protocol).", "url"
            ),
            Opt("args", "Arguments merged into every tool call (JSON object).", "json"),
        ),
    },
}

KINDS: tuple[Kind, ...] = tuple(
    Kind(spec, **PRESENTATION.get(spec.name, {})) for spec in RESOURCE_KINDS
)


def build_register(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """The register request (as proto3 JSON) from the command's parsed options."""
    fields: dict[str, Any] = {}
    ident = values.get(kind.id_field)
    if ident:
        fields[kind.id_field] = ident
    if values.get("provider_id"):
        fields["provider_id"] = values["provider_id"]
    if kind.provider_resource_field and values.get(kind.provider_resource_field):
        fields[kind.provider_resource_field] = values[kind.provider_resource_field]
    for opt in kind.extra:
        raw = values.get(opt.field)
        if raw is None or raw == [] or raw == "":
            continue
        target = opt.target or opt.field
        if target in fields:
            bad_input(
                f"give only one of {', '.join(o.flag for o in kind.extra if o.target == target)}"
            )
        fields[target] = opt.convert(raw)
    missing = [o.flag for o in kind.extra if o.required and (o.target or o.field) not in fields]
    targets = {o.target for o in kind.extra if o.target}
    for target in sorted(targets - set(fields)):
        missing.append(" or ".join(o.flag for o in kind.extra if o.target == target))
    if missing:
        bad_input(f"{kind.command} register needs {', '.join(missing)}")
    return fields
