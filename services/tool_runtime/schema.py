"""Tool argument schemas: checking arguments before a call, and the reference's flat
parameter list derived from a JSON schema."""

from __future__ import annotations

from typing import Any

from services.common.errors import InvalidArgument

__all__ = ["check_arguments", "check_schema", "parameters_of"]

_TYPES = {"string", "integer", "number", "boolean", "array", "object", "null"}


def check_schema(schema: dict[str, Any], tool: str) -> None:
    """INVALID_ARGUMENT when a tool's declared schema is not a valid JSON schema."""
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidArgument(
            f"tool {tool!r} declares an invalid input schema: {exc.message}"
        ) from None


def check_arguments(schema: dict[str, Any], arguments: dict[str, Any], tool: str) -> None:
    """INVALID_ARGUMENT naming the argument that does not fit the tool's schema."""
    if not schema:
        return
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(arguments))
    if error is None:
        return
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required" and not path:
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path = missing
    where = f"kwargs.{path}" if path else "kwargs"
    raise InvalidArgument(
        f"{where}: {error.message} (tool {tool!r} takes: {_summary(schema)})",
        field=where,
        tool=tool,
    )


def _summary(schema: dict[str, Any]) -> str:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    if not props:
        return "no arguments"
    parts = []
    for name, spec in props.items():
        kind = spec.get("type", "any") if isinstance(spec, dict) else "any"
        parts.append(f"{name}: {kind}{'' if name in required else '?'}")
    return ", ".join(parts)


def parameters_of(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level properties as the reference's ToolParameter list (name, parameter_type,
    description, required, default)."""
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    out = []
    for name, spec in props.items():
        spec = spec if isinstance(spec, dict) else {}
        kind = spec.get("type", "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        param: dict[str, Any] = {
            "name": name,
            "parameter_type": kind if kind in _TYPES else "string",
            "description": spec.get("description", "") or spec.get("title", ""),
            "required": name in required,
        }
        if "default" in spec:
            param["default"] = spec["default"]
        out.append(param)
    return out
