"""Protobuf ⇄ domain conversions for the safety servicer (the only module that knows both)."""

from __future__ import annotations

import json
from typing import Any

from google.protobuf import json_format, struct_pb2

from llamastack.common.v1 import message_pb2
from llamastack.registry.v1 import resources_pb2
from llamastack.safety.v1 import safety_service_pb2 as pb
from services.common.errors import InvalidArgument
from services.safety.types import Level, Role, RunRequest, ShieldMessage, Violation

__all__ = ["run_request", "run_response", "shield_params", "struct_dict"]

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
    metadata = struct_pb2.Struct()
    metadata.update(violation.metadata)
    return pb.RunShieldResponse(
        violation=pb.SafetyViolation(
            violation_level=_LEVELS[violation.level],
            user_message=violation.user_message,
            metadata=metadata,
        )
    )
