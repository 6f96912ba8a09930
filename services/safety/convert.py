"""Protobuf ⇄ domain conversions for the safety servicers (the only module that knows both):
RunShield, and OpenAI's moderations (whose JSON the moderation logic writes)."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import message_pb2
from llamastack.openai.v1 import moderation_service_pb2 as moderation_pb
from llamastack.registry.v1 import resources_pb2
from llamastack.safety.v1 import safety_service_pb2 as pb
from services.common.errors import InvalidArgument
from services.common.structs import to_struct
from services.safety.types import (
    Level,
    ModerationRequest,
    Role,
    RunRequest,
    ShieldMessage,
    Violation,
)

__all__ = [
    "moderation_request",
    "moderation_response",
    "run_request",
    "run_response",
    "shield_params",
    "struct_dict",
]

_ROLES = {
    message_pb2.ROLE_SYSTEM: Role.SYSTEM,
    message_pb2.ROLE_USER: Role.USER,
    message_pb2.ROLE_ASSISTANT: Role.ASSISTANT,
    message_pb2.ROLE_TOOL: Role.TOOL,
}
_LEVELS = {
    Level.INFO: pb.VIOLATION_LEVEL_INFO,
    Level.WARN: pb.VIOLATION_LEVEL_WARN,
    Level.ERROR: pb.VIOLATION_LEVEL_ERROR,
}


def struct_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct, preserving_proto_field_name=True)


def shield_params(shield: resources_pb2.Shield) -> dict[str, Any]:
    return struct_dict(shield.params) if shield.HasField("params") else {}


def run_request(request: pb.RunShieldRequest, shield_id: str, timeout: float | None) -> RunRequest:
    """`shield_id` is the identifier the caller used (the gateway passes it in metadata and
    the provider's own id in the request)."""
    messages = tuple(_message(m, i) for i, m in enumerate(request.messages))
    params = struct_dict(request.params) if request.HasField("params") else {}
    return RunRequest(shield_id, messages, params, timeout)


def _message(m: message_pb2.Message, index: int) -> ShieldMessage:
    role = _ROLES.get(m.role)
    if role is None:
        raise InvalidArgument(
            f"messages[{index}].role is required: ROLE_USER, ROLE_ASSISTANT, ROLE_SYSTEM or "
            "ROLE_TOOL",
            field=f"messages[{index}].role",
        )
    lines = [item.text for item in (*m.content, *m.context) if item.WhichOneof("item") == "text"]
    for call in m.tool_calls:
        arguments = call.arguments_json or json.dumps(
            struct_dict(call.arguments), ensure_ascii=False, sort_keys=True
        )
        lines.append(f"{call.tool_name}({arguments})")
    return ShieldMessage(role, "\n".join(lines))


def run_response(violation: Violation | None) -> pb.RunShieldResponse:
    if violation is None:
        return pb.RunShieldResponse()
    return pb.RunShieldResponse(
        violation=pb.SafetyViolation(
            violation_level=_LEVELS[violation.level],
            user_message=violation.user_message,
            metadata=to_struct(violation.metadata),
        )
    )


def moderation_request(
    request: moderation_pb.CreateModerationRequest, shield_id: str, timeout: float | None
) -> ModerationRequest:
    raw = json_format.MessageToDict(request.input) if request.HasField("input") else None
    return ModerationRequest(shield_id, raw, timeout)


def moderation_response(data: dict[str, Any]) -> moderation_pb.CreateModerationResponse:
    """The typed face of the moderation JSON, built field by field (ParseDict is 10 times
    slower)."""
    response = moderation_pb.CreateModerationResponse(id=data["id"], model=data["model"])
    for r in data["results"]:
        out = response.results.add(flagged=r["flagged"], user_message=r.get("user_message"))
        out.categories.update(r["categories"])
        out.category_scores.update(r["category_scores"])
        for name, types in r["category_applied_input_types"].items():
            out.category_applied_input_types[name].extend(types)
        if "metadata" in r:
            out.metadata.update(r["metadata"])
    return response
