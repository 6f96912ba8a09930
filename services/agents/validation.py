"""Checks and limits of agent configs and turn requests (INVALID_ARGUMENT naming the field).

What the registry knows (the model, shields, tool groups) is checked against the registry
through the gateway when an agent is created and again when a turn overrides it; sampling,
response format and message details are checked by the inference service on the first
model call.
"""

from __future__ import annotations

from llamastack.agents.v1 import agents_pb2 as pb
from llamastack.common.v1 import message_pb2
from services.common.errors import InvalidArgument

__all__ = [
    "DEFAULT_MAX_INFER_ITERS",
    "MAX_DOCUMENTS",
    "MAX_DOCUMENT_BYTES",
    "MAX_INFER_ITERS",
    "MAX_INSTRUCTIONS",
    "MAX_NAME",
    "MAX_TURN_MESSAGES",
    "check_agent_config",
    "check_session_name",
    "check_tool_responses",
    "check_toolgroups",
    "check_turn_input",
]

DEFAULT_MAX_INFER_ITERS = 10
#: Model calls per turn: a loop that long is a mistake (each call is a full generation).
MAX_INFER_ITERS = 100
MAX_INSTRUCTIONS = 256 * 1024
#: Agent, session and tool names.
MAX_NAME = 256
MAX_TURN_MESSAGES = 100
MAX_DOCUMENTS = 32
#: Inline content of one attached document (URLs are read by the tool runtime, which has
#: its own limit).
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024
_TURN_ROLES = (message_pb2.ROLE_USER, message_pb2.ROLE_TOOL)


def check_agent_config(config: pb.AgentConfig) -> None:
    if not config.model.strip():
        raise InvalidArgument(
            "agent_config.model is required: a registered LLM (list them with ListModels)",
            field="agent_config.model",
        )
    if len(config.instructions) > MAX_INSTRUCTIONS:
        raise InvalidArgument(
            f"agent_config.instructions has {len(config.instructions)} characters; at most "
            f"{MAX_INSTRUCTIONS}",
            field="agent_config.instructions",
        )
    _name(config.name, "agent_config.name")
    if config.HasField("max_infer_iters") and not 1 <= config.max_infer_iters <= MAX_INFER_ITERS:
        raise InvalidArgument(
            f"agent_config.max_infer_iters must be between 1 and {MAX_INFER_ITERS} "
            f"(got {config.max_infer_iters}); leave it unset for {DEFAULT_MAX_INFER_ITERS}",
            field="agent_config.max_infer_iters",
        )
    for i, tool in enumerate(config.client_tools):
        _name(tool.name, f"agent_config.client_tools[{i}].name")
    for where, shields in (("input_shields", config.input_shields),
                           ("output_shields", config.output_shields)):  # fmt: skip
        for i, shield in enumerate(shields):
            if not shield.strip():
                raise InvalidArgument(
                    f"agent_config.{where}[{i}] is empty; name a registered shield",
                    field=f"agent_config.{where}",
                )
    check_toolgroups(config.toolgroups, "agent_config.toolgroups")


def check_toolgroups(groups, where: str) -> None:
    for i, group in enumerate(groups):
        if not group.name.strip():
            raise InvalidArgument(
                f"{where}[{i}].name is empty; name a registered tool group "
                "(`builtin::rag`, `mcp::<name>`) or one of its tools (`<group>/<tool>`)",
                field=f"{where}[{i}].name",
            )


def check_session_name(name: str) -> None:
    _name(name, "session_name")


def check_turn_input(messages, documents) -> None:
    if len(messages) > MAX_TURN_MESSAGES:
        raise InvalidArgument(
            f"a turn takes at most {MAX_TURN_MESSAGES} messages (got {len(messages)})",
            field="messages",
        )
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if m.role not in _TURN_ROLES:
            raise InvalidArgument(
                f"{where}: a turn takes user and tool messages (ROLE_USER, ROLE_TOOL), not "
                f"{message_pb2.Role.Name(m.role)}; the agent's instructions are its system "
                "message",
                field=f"{where}.role",
            )
        if m.role == message_pb2.ROLE_USER and not any(
            c.WhichOneof("item") == "image" or c.text for c in m.content
        ):
            raise InvalidArgument(f"{where}: a user message needs content", field=where)
        if m.role == message_pb2.ROLE_TOOL and not m.call_id:
            raise InvalidArgument(
                f"{where}: a tool message needs call_id (the tool call it answers)",
                field=f"{where}.call_id",
            )
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidArgument(
            f"a turn takes at most {MAX_DOCUMENTS} documents (got {len(documents)})",
            field="documents",
        )
    for i, d in enumerate(documents):
        has_content, has_url = bool(d.content), bool(d.url.uri)
        if has_content == has_url:
            raise InvalidArgument(
                f"documents[{i}]: set exactly one of content and url",
                field=f"documents[{i}]",
            )
        size = sum(len(c.text) + len(c.image.data) for c in d.content)
        if size > MAX_DOCUMENT_BYTES:
            raise InvalidArgument(
                f"documents[{i}] has {size} bytes of content; at most {MAX_DOCUMENT_BYTES} "
                "inline (give a URL for larger documents)",
                field=f"documents[{i}].content",
            )


def check_tool_responses(responses, pending: list[str], turn_id: str) -> None:
    """The responses must answer every pending client call, once each, and nothing else."""
    given = [r.call_id for r in responses]
    unknown = sorted({c for c in given if c not in pending})
    if unknown:
        raise InvalidArgument(
            f"tool_responses answer calls turn {turn_id} did not make or that already have a "
            f"result: {unknown}; pending: {pending}",
            field="tool_responses",
        )
    twice = sorted({c for c in given if given.count(c) > 1})
    if twice:
        raise InvalidArgument(
            f"tool_responses answer {twice} more than once", field="tool_responses"
        )
    missing = [c for c in pending if c not in given]
    if missing:
        raise InvalidArgument(
            f"tool_responses must answer every pending client tool call; missing call_id {missing}",
            field="tool_responses",
        )


def _name(value: str, where: str) -> None:
    if len(value) > MAX_NAME:
        raise InvalidArgument(
            f"{where} has {len(value)} characters; at most {MAX_NAME}", field=where
        )
