"""Client commands end to end against an in-process fake gateway (fake_gateway.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from llamastack.common.v1 import tool_pb2
from llamastack.registry.v1 import resources_pb2

from .fake_gateway import FakeGateway


@pytest.fixture
def gw():
    with FakeGateway() as gateway:
        yield gateway


@pytest.fixture
def cli(gw, monkeypatch):
    monkeypatch.setenv("LLS_GATEWAY_ADDR", gw.address)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def test_health_prints_status_and_version(cli, gw):
    result = cli("health")
    assert result.exit_code == 0
    assert "OK" in result.stdout and "version 9.9.9" in result.stdout
    data = json.loads(cli("health", "--json").stdout)
    assert data["status"] == "HEALTH_STATUS_OK" and data["version"] == "9.9.9"


def test_health_exits_1_when_a_service_is_down(cli, gw):
    gw.inspect.healthy = False
    result = cli("health")
    assert result.exit_code == 1
    assert "ERROR" in result.stdout and "unhealthy: inference" in result.stdout


def test_providers_list(cli):
    result = cli("providers", "list")
    assert result.exit_code == 0
    assert "llama-cpp" in result.stdout and "inline::llama-cpp" in result.stdout
    assert json.loads(cli("providers", "list", "--json").stdout)[0]["provider_id"] == "llama-cpp"


def test_models_register_get_list_unregister(cli, gw):
    result = cli(
        "models",
        "register",
        "my-embed",
        "--provider-id",
        "st",
        "--provider-model-id",
        "all-MiniLM-L6-v2",
        "--model-type",
        "embedding",
        "--metadata",
        '{"embedding_dimension": 384}',
    )
    assert result.exit_code == 0, result.output
    assert "registered model my-embed" in result.stdout
    [req] = gw.models.requests
    assert req.model_type == resources_pb2.MODEL_TYPE_EMBEDDING
    assert req.provider_model_id == "all-MiniLM-L6-v2" and req.provider_id == "st"
    assert req.metadata["embedding_dimension"] == 384

    assert cli("models", "register", "b-llm").exit_code == 0
    listed = cli("models", "list")
    assert "my-embed" in listed.stdout and "b-llm" in listed.stdout  # both pages
    assert "embedding" in listed.stdout.split("my-embed")[1]  # enum shown short
    data = json.loads(cli("models", "list", "--json").stdout)
    assert [m["identifier"] for m in data] == ["b-llm", "my-embed"]

    got = json.loads(cli("models", "get", "my-embed").stdout)
    assert got["provider_resource_id"] == "all-MiniLM-L6-v2"

    assert "unregistered model my-embed" in cli("models", "unregister", "my-embed").stdout
    assert "my-embed" not in cli("models", "list").stdout


def test_errors_show_status_code_reason_and_exit_1(cli):
    result = cli("models", "get", "nope")
    assert result.exit_code == 1
    assert "NOT_FOUND: model 'nope' is not registered" in result.stderr
    assert "ERROR_REASON_RESOURCE_NOT_FOUND" in result.stderr


def test_unreachable_gateway_says_how_to_fix_it(cli):
    result = cli("models", "list", "--gateway", "127.0.0.1:1")
    assert result.exit_code == 1
    assert "UNAVAILABLE" in result.stderr and "llamastack run local" in result.stderr


def test_unimplemented_kind_reports_the_grpc_status(cli):
    result = cli("shields", "list")  # the fake has no ShieldService
    assert result.exit_code == 1
    assert "UNIMPLEMENTED" in result.stderr


def test_bad_register_input_exits_2(cli):
    result = cli("models", "register", "x", "--model-type", "vision")
    assert result.exit_code == 2
    assert "--model-type must be one of llm, embedding" in result.stderr
    result = cli("models", "register", "x", "--metadata", "{not json")
    assert result.exit_code == 2 and "--metadata is not valid JSON" in result.stderr


def test_chat_picks_the_first_llm_and_prints_usage(cli, gw):
    cli("models", "register", "a-embed", "--model-type", "embedding")
    cli("models", "register", "b-llm")
    result = cli("chat", "hi", "--max-tokens", "5", "--system", "be brief", "--temperature", "0.5")
    assert result.exit_code == 0, result.output
    assert result.stdout == "echo from b-llm\n"
    assert "prompt_tokens=7 completion_tokens=3 total_tokens=10" in result.stderr
    [req] = gw.inference.requests
    assert [m.content[0].text for m in req.messages] == ["be brief", "hi"]
    assert req.sampling_params.max_tokens == 5
    assert req.sampling_params.top_p.temperature == pytest.approx(0.5)


def test_chat_stream_prints_tokens_and_tool_calls(cli, gw):
    result = cli(
        "chat",
        "weather?",
        "--model",
        "m",
        "--stream",
        "--tool",
        'get_weather:{"city": {"type": "string"}}',
        "--tool-choice",
        "get_weather",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Hello!"
    call = json.loads(lines[1])
    assert call["tool_name"] == "get_weather" and call["arguments"] == {"city": "Paris"}
    assert "total_tokens=10" in result.stderr
    [req] = gw.inference.requests
    assert req.tool_config.tool_name == "get_weather"
    assert req.tools[0].input_schema["required"] == ["city"]


def test_chat_json_output(cli):
    result = cli("chat", "hi", "--model", "m", "--json")
    data = json.loads(result.stdout)
    assert data["completion_message"]["content"] == [{"text": "echo from m"}]
    result = cli("chat", "hi", "--model", "m", "--json", "--stream")
    assert result.stdout.count('"event_type"') == 5


def test_chat_without_any_llm_says_so(cli):
    result = cli("chat", "hi")
    assert result.exit_code == 2 and "no LLM is registered" in result.stderr


def test_chat_tool_choice_must_name_a_tool(cli):
    result = cli("chat", "hi", "--model", "m", "--tool-choice", "other")
    assert result.exit_code == 2 and "not auto, required, none or a tool name" in result.stderr


def test_tool_choice_keywords():
    from cli.chat import tool_config

    assert tool_config("required", []) == {"tool_choice": "TOOL_CHOICE_REQUIRED"}
    assert tool_pb2.ToolChoice.Value("TOOL_CHOICE_NONE") == tool_pb2.TOOL_CHOICE_NONE


def test_every_group_has_help(cli):
    for group in (
        "models",
        "shields",
        "datasets",
        "vector-dbs",
        "scoring-functions",
        "benchmarks",
        "toolgroups",
    ):
        result = cli(group, "--help")
        assert result.exit_code == 0
        for verb in ("list", "get", "register", "unregister"):
            assert verb in result.stdout


def test_sampling_options():
    from cli.chat import build_request

    assert build_request("m", "x")["messages"] == [
        {"role": "ROLE_USER", "content": [{"text": "x"}]}
    ]
    assert "sampling_params" not in build_request("m", "x")
    assert build_request("m", "x", temperature=0)["sampling_params"] == {"greedy": {}}
    assert build_request("m", "x", top_p=0.9)["sampling_params"] == {
        "top_p": {"temperature": 1.0, "top_p": 0.9}
    }
    assert build_request("m", "x", temperature=0.7, max_tokens=3)["sampling_params"] == {
        "max_tokens": 3,
        "top_p": {"temperature": 0.7},
    }


def test_json_schema_from_a_file(tmp_path):
    from cli.chat import build_request

    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object"}')
    for arg in (str(schema), f"@{schema}", '{"type": "object"}'):
        assert build_request("m", "x", json_schema=arg)["response_format"] == {
            "json_schema": {"type": "object"}
        }


def test_long_cells_are_shortened_in_the_middle():
    from cli.client import CELL_MAX, shorten

    assert shorten("short") == "short"
    long = "provider/" + "x" * 300 + "/end"
    out = shorten(long)
    assert len(out) == CELL_MAX and out.startswith("provider/") and out.endswith("/end")
