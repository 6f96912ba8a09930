"""Envoy's route table and the Lua filter that rewrites REST answers, for `config.py`.

Which filters run for a call depends on its route: native gRPC and gRPC-Web skip the Lua
filters and the buffer; REST calls run the Lua filter's response hook only on the routes of
methods whose answers it rewrites (OpenAI error bodies, `response_body` unwrapping), a request
hook only when they carry `x-llamastack-timeout-ms` (`TIMEOUT_LUA`), and the OpenAI defaults
filter only on the paths that have defaults (`OPENAI_DEFAULTS`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DEFAULTS_FILTER",
    "OPENAI_DEFAULTS",
    "OPENAI_PATHS",
    "REST_FILTER",
    "REST_HEADER",
    "REST_LUA",
    "SPAN_NAME",
    "TIMEOUT_LUA",
    "caller_content_type",
    "defaults_lua",
    "http_filter",
    "rest_caller",
    "rest_routes",
]

_T = "type.googleapis.com/envoy.extensions.filters"


#: REST paths of the OpenAI-compatible API (prefixes): their error bodies also carry OpenAI's
#: `{"error": {...}}`. `/v1/models` is shared with the native model listing.
OPENAI_PATHS = (
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/embeddings",
    "/v1/models",
    "/v1/moderations",
)
#: Fields OpenAI's API lets a REST request omit and fills itself, per path: without `model`, a
#: moderation names OpenAI's default model, the shield a distribution declares under that
#: identifier (the gateway must see an id to route by, and checks access to it).
OPENAI_DEFAULTS: dict[str, dict[str, str]] = {
    "/v1/moderations": {"model": "omni-moderation-latest"},
}

REST_FILTER = "llamastack.rest"
DEFAULTS_FILTER = "llamastack.openai_defaults"
#: Sent to the gateway with every REST call (never with a gRPC one): a REST stream that fails
#: after it started ends with an error event (gateway/streams.py).
REST_HEADER = "x-llamastack-rest"
#: Dynamic metadata the first filter sets from the caller's content-type: "grpc" for native
#: gRPC and gRPC-Web callers, the content-type (or "none") for REST callers. It survives the
#: transcoder (which makes every request gRPC), so routes and local replies can tell REST
#: callers apart after transcoding.
_CALLER = ("llamastack", "caller_content_type")
#: With tracing on: the caller's HTTP method and path without its query (the transcoder
#: makes every REST call a POST to the gRPC path): Envoy's span is named after them.
_METHOD = ("llamastack", "method")
_PATH = ("llamastack", "path")
#: Envoy's span name, from that metadata (`GET /v1/models`).
SPAN_NAME = "%DYNAMIC_METADATA(llamastack:method)% %DYNAMIC_METADATA(llamastack:path)%"

# `response_body` (REST answers one field of the response, e.g. the bare Model of GetModel) is
# not supported by Envoy's transcoder for non-HttpBody fields (envoyproxy/envoy#11136: Envoy
# refuses the config). So the descriptor Envoy gets has the rule cleared, and the Lua filter
# puts it back on the routes of those methods: the route's metadata names the field, and
# `{"model":{...}}` becomes `{...}`. The transcoder prints compact JSON and these responses
# have exactly that one field, so the unwrap is a prefix/suffix cut.
#
# OpenAI errors: on the routes of the OpenAI paths, an error body (`{"code", "message",
# "details"}` from convert_grpc_status or a local reply) gets OpenAI's error object in front:
# `{"error": {"message", "type", "param", "code"}, "code": ..., "message": ..., "details": ...}`.
# The SDKs read `error` (and map the HTTP status to their exception classes); native clients
# keep reading the rest. `message` is copied as the JSON string literal it already is; `type`
# follows the HTTP status; `code` is the ErrorInfo reason in lower case (`model_not_found` for
# an unknown model, or an unknown shield on `/v1/moderations`, as OpenAI says); `param` is the
# ErrorInfo `field`.
#
# Where it runs: Envoy picks the Lua code and the route metadata a response sees from the
# route of the request at that moment, i.e. after transcoding the gRPC method's route
# (`rest_routes`). Only REST callers reach those routes, and the script has no request half, so a
# successful REST call pays one response hook on these routes and nothing elsewhere.
REST_LUA = """\
-- The raw (still escaped) text of the first JSON string value under `key`, or nil.
local function json_string(text, key)
  local i = string.find(text, '"' .. key .. '":"', 1, true)
  if i == nil then return nil end
  local first = i + #key + 4
  local j = first
  while j <= #text do
    local c = string.sub(text, j, j)
    if c == "\\\\" then
      j = j + 2
    elseif c == '"' then
      return string.sub(text, first, j - 1)
    else
      j = j + 1
    end
  end
  return nil
end

local function quoted(raw)
  if raw == nil then return "null" end
  return '"' .. raw .. '"'
end

local function openai_error(handle, status)
  local body = handle:body()
  if body == nil then return end
  local text = body:getBytes(0, body:length())
  if string.sub(text, 1, 1) ~= "{" then
    local escaped = string.gsub(text, '[%c"\\\\]', function(c)
      return string.format("\\\\u%04x", string.byte(c))
    end)
    text = '{"message":"' .. escaped .. '"}'
    handle:headers():replace("content-type", "application/json")
  end
  local kind = "invalid_request_error"
  if status == "401" then kind = "authentication_error"
  elseif status == "403" then kind = "permission_error"
  elseif status == "429" then kind = "rate_limit_error"
  elseif string.sub(status, 1, 1) == "5" then kind = "server_error" end
  local reason = json_string(text, "reason")
  local code = nil
  if reason ~= nil then
    code = string.lower(string.gsub(reason, "^ERROR_REASON_", ""))
    local kind = json_string(text, "resourceKind")
    if code == "resource_not_found" and (kind == "model" or kind == "shield") then
      code = "model_not_found"
    end
  end
  local err = '{"error":{"message":' .. quoted(json_string(text, "message") or "")
    .. ',"type":"' .. kind .. '","param":' .. quoted(json_string(text, "field"))
    .. ',"code":' .. quoted(code) .. '}'
  if string.sub(text, 2, 2) == "}" then
    body:setBytes(err .. "}")
  else
    body:setBytes(err .. "," .. string.sub(text, 2))
  end
end

function envoy_on_response(handle)
  local route = handle:metadata()
  local headers = handle:headers()
  local status = headers:get(":status") or ""
  if route:get("openai") == true and string.sub(status, 1, 1) ~= "2" then
    openai_error(handle, status)
    return
  end
  local field = route:get("unwrap")
  if field == nil or status ~= "200" then return end
  local ct = headers:get("content-type") or ""
  if string.sub(ct, 1, 16) ~= "application/json" then return end
  local body = handle:body()
  if body == nil then return end
  local text = body:getBytes(0, body:length())
  local prefix = '{"' .. field .. '":'
  if string.sub(text, 1, #prefix) == prefix and string.sub(text, -1) == "}" then
    body:setBytes(string.sub(text, #prefix + 1, -2))
  end
end
"""


# A REST deadline (`x-llamastack-timeout-ms: <ms>`) becomes `grpc-timeout`, which the
# transcoder forwards to the gateway. Only requests with the header take the route that runs
# this request hook (`rest_routes`); a bad value is answered 400 here.
TIMEOUT_LUA = """\
function envoy_on_request(handle)
  local headers = handle:headers()
  local ms = headers:get("x-llamastack-timeout-ms")
  if ms == nil then return end
  if string.match(ms, "^[1-9]%d*$") == nil or #ms > 8 then
    -- The local reply mapper makes it {"code": 3, "message": ..., "details": []}.
    handle:respond({[":status"] = "400"},
      "x-llamastack-timeout-ms must be a whole number of milliseconds from 1 to 99999999")
    return
  end
  headers:replace("grpc-timeout", ms .. "m")
  headers:remove("x-llamastack-timeout-ms")
end
"""


def defaults_lua(defaults: Mapping[str, Mapping[str, str]]) -> str:
    """The OpenAI defaults filter (after the buffer filter, so the whole JSON body is there and
    within the REST limit): a REST request to a path of `defaults` gets the defaults written
    first in its JSON object; the transcoder keeps the last of repeated keys, so a field the
    request sets wins (and `null` leaves the default)."""
    # A JSON string literal of ASCII text is a Lua string literal too.
    members = {p: json.dumps(dict(f), separators=(",", ":"))[1:-1] for p, f in defaults.items()}
    rows = "\n".join(f"  [{json.dumps(p)}] = {json.dumps(m)}," for p, m in sorted(members.items()))
    return (
        "local DEFAULTS = {\n"
        f"{rows}\n"
        "}\n"
        + """\
function envoy_on_request(handle)
  local headers = handle:headers()
  local ct = headers:get("content-type") or ""
  if headers:get(":method") ~= "POST" or string.sub(ct, 1, 16) == "application/grpc" then
    return
  end
  local fields = DEFAULTS[string.match(headers:get(":path") or "", "^[^?]*")]
  if fields == nil then return end
  local body = handle:body()
  if body == nil then return end
  local open, rest = string.match(body:getBytes(0, body:length()), "^(%s*{)(.*)$")
  if open == nil then return end
  if string.match(rest, "^%s*}") == nil then fields = fields .. "," end
  body:setBytes(open .. fields .. rest)
end
"""
    )


def caller_content_type(tracing: bool = False) -> dict[str, Any]:
    """The first filter: the caller's content-type (`_CALLER`) as dynamic metadata, and with
    `tracing` its method and path (`_METHOD`, `_PATH`) for the span name."""

    def meta(where: tuple[str, str]) -> dict[str, Any]:
        return {"metadata_namespace": where[0], "key": where[1], "type": "STRING"}

    rule = meta(_CALLER)

    traced = [
        {"header": ":method", "on_header_present": meta(_METHOD), "remove": False},
        {
            "header": ":path",
            "on_header_present": {
                **meta(_PATH),
                "regex_value_rewrite": {
                    "pattern": {"regex": "^([^?]*).*$"},
                    "substitution": "\\1",
                },
            },
            "remove": False,
        },
    ]
    return http_filter(
        "envoy.filters.http.header_to_metadata",
        f"{_T}.http.header_to_metadata.v3.Config",
        {
            "request_rules": [
                {
                    "header": "content-type",
                    "on_header_present": {
                        **rule,
                        "regex_value_rewrite": {
                            "pattern": {"regex": "^application/grpc.*$"},
                            "substitution": "grpc",
                        },
                    },
                    "on_header_missing": {**rule, "value": "none"},
                    "remove": False,
                },
                *(traced if tracing else []),
            ]
        },
    )


def rest_caller() -> dict[str, Any]:
    """A metadata matcher: the caller is a REST caller (its content-type, or "none"; gRPC
    callers' is "grpc", without a slash). Not `invert` on "grpc": local reply mappers
    ignore it."""
    namespace, key = _CALLER
    return {
        "filter": namespace,
        "path": [{"key": key}],
        "value": {"string_match": {"safe_regex": {"regex": "none|.*/.*"}}},
    }


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith((p + "/", p + ":")) for p in prefixes)


def rest_routes(
    action: dict[str, Any], per_filter: dict[str, Any], unwrap: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The route table; each route says which filters run on it (see `REST_LUA`)."""
    from services.common import descriptors

    lua = f"{_T}.http.lua.v3.LuaPerRoute"
    lua_off = {REST_FILTER: {"@type": lua, "disabled": True}}
    defaults_off = {DEFAULTS_FILTER: {"@type": lua, "disabled": True}}
    buffer_off = {
        "envoy.filters.http.buffer": {
            "@type": f"{_T}.http.buffer.v3.BufferPerRoute",
            "disabled": True,
        }
    }
    rest_header = {
        "request_headers_to_add": [
            {
                "header": {"key": REST_HEADER, "value": "1"},
                "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
            }
        ]
    }
    grpc_content = {"name": "content-type", "string_match": {"prefix": "application/grpc"}}
    openai = {m.path for m in descriptors.methods() if any(_under(b.path, OPENAI_PATHS)
                                                           for b in m.http)}  # fmt: skip
    # Before transcoding: a REST call with a deadline header runs TIMEOUT_LUA's request hook.
    # (Envoy picks the first route before any filter ran: no dynamic metadata to match yet.)
    not_grpc = {**grpc_content, "invert_match": True, "treat_missing_header_as_empty": True}
    routes: list[dict[str, Any]] = [
        {
            "name": "rest-timeout",
            "match": {
                "prefix": "/",
                "headers": [
                    {"name": "x-llamastack-timeout-ms", "present_match": True},
                    not_grpc,
                ],
            },
            "route": action,
            "typed_per_filter_config": {
                **per_filter,
                REST_FILTER: {"@type": lua, "source_code": {"inline_string": TIMEOUT_LUA}},
            },
        }
    ]
    # After transcoding: the gRPC method's route, for REST callers of methods whose
    # responses are rewritten (the route's metadata tells the Lua filter what to do).
    for path in sorted(openai | set(unwrap)):
        meta = {"openai": True} if path in openai else {}
        if path in unwrap:
            meta["unwrap"] = unwrap[path]
        routes.append({
            "name": f"rest-response{path}",
            "match": {"path": path, "dynamic_metadata": [rest_caller()]},
            "route": action,
            "metadata": {"filter_metadata": {REST_FILTER: meta}},
            "typed_per_filter_config": {**per_filter, **buffer_off, **defaults_off},
            **rest_header,
        })  # fmt: skip
    routes += [
        # REST calls on the OpenAI paths that Envoy answers itself (bad JSON, unknown route,
        # body too large) get OpenAI's error object too; the paths with defaults get them.
        *(
            {
                "name": f"openai{prefix}",
                "match": {"path_separated_prefix": prefix},
                "route": action,
                "metadata": {"filter_metadata": {REST_FILTER: {"openai": True}}},
                "typed_per_filter_config": {
                    **per_filter,
                    **({} if prefix in OPENAI_DEFAULTS else defaults_off),
                },
            }
            for prefix in OPENAI_PATHS
        ),
        # REST calls of the other methods, after transcoding.
        {
            "name": "rest-grpc",
            "match": {
                "prefix": "/",
                "headers": [grpc_content],
                "dynamic_metadata": [rest_caller()],
            },
            "route": action,
            "typed_per_filter_config": {**per_filter, **buffer_off, **lua_off, **defaults_off},
            **rest_header,
        },
        # gRPC and gRPC-Web pass through unbuffered: buffering would deadlock bidirectional
        # streams (server reflection) and delay client streams; their size limit is the
        # servers' gRPC max message size.
        {
            "name": "grpc",
            "match": {"prefix": "/", "headers": [grpc_content]},
            "route": action,
            "typed_per_filter_config": {**per_filter, **buffer_off, **lua_off, **defaults_off},
            "request_headers_to_remove": [REST_HEADER],
        },
        # REST: bodies over max_request_bytes get 413 before anything is forwarded.
        {
            "name": "rest",
            "match": {"prefix": "/"},
            "route": action,
            "typed_per_filter_config": {**per_filter, **lua_off, **defaults_off},
        },
    ]
    return routes


def http_filter(name: str, type_url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """An entry of the HTTP connection manager's filter list."""
    return {"name": name, "typed_config": {"@type": type_url, **config}}
