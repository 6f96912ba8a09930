"""The official `openai` Python SDK, unchanged, against the real mesh through Envoy
(`base_url=http://host:port/v1`): inline llama.cpp (SmolLM2) and MiniLM embeddings."""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator

import httpx
import openai
import pytest

from .conftest import CHAT_MODEL, EMBEDDING_MODEL

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture(scope="module")
def client(envoy) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{envoy.base_url}/v1", api_key="unused", max_retries=0) as c:
        yield c


def test_models_list_in_openai_shape(client):
    models = {m.id: m for m in client.models.list()}
    assert {CHAT_MODEL, EMBEDDING_MODEL} <= set(models)
    chat = models[CHAT_MODEL]
    assert chat.object == "model" and chat.owned_by == "llama-cpp"
    assert isinstance(chat.created, int) and chat.created > 1_700_000_000
    again = client.models.retrieve(CHAT_MODEL)  # the id has a '/'
    assert (again.id, again.created) == (CHAT_MODEL, chat.created)


def test_native_clients_still_read_the_model_list(rest):
    body = rest.get("/v1/models").json()
    assert body["object"] == "list" and "next_page_token" in body
    row = next(m for m in body["data"] if m["identifier"] == CHAT_MODEL)
    assert row["model_type"] == "MODEL_TYPE_LLM" and row["id"] == CHAT_MODEL


COUNT = {
    "model": CHAT_MODEL,
    "messages": [{"role": "user", "content": "Count from one to ten."}],
    "max_tokens": 12,
    "temperature": 0,
}


@pytest.fixture(scope="module")
def unary(client):
    return client.chat.completions.create(**COUNT)


def test_chat_unary(unary):
    r = unary
    assert r.object == "chat.completion" and r.id.startswith("chatcmpl-")
    assert r.model == CHAT_MODEL
    choice = r.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert r.usage.completion_tokens <= 12
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_chat_stream_is_incremental_and_ends_cleanly(client, unary):
    stream = client.chat.completions.create(
        **COUNT, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) >= 3, chunks  # one event per piece of text, not one blob
    assert "".join(texts) == unary.choices[0].message.content  # greedy: reproducible
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] in ("stop", "length") and not any(finishes[:-1])
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == len(texts)
    assert {c.id for c in chunks} == {chunks[0].id}


def test_stream_ends_with_done(envoy):
    body = {
        "model": CHAT_MODEL,
        "messages": [{"role": "user", "content": "Hi"}],
        "max_tokens": 3,
        "temperature": 0,
        "stream": True,
    }
    with httpx.stream("POST", f"{envoy.base_url}/v1/chat/completions", json=body) as r:
        assert r.headers["content-type"] == "text/event-stream"
        events = [line for line in r.iter_lines() if line]
    assert events[-1] == "data: [DONE]"
    assert all(e.startswith("data: {") for e in events[:-1])


def test_tool_choice_required_gives_json_arguments(client):
    r = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=[WEATHER],
        tool_choice="required",
        temperature=0,
    )
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather" and call.id
    assert isinstance(json.loads(call.function.arguments)["city"], str)


def test_tool_results_continue_the_conversation(client):
    r = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 24 C"},
        ],
        tools=[WEATHER],
        tool_choice="none",
        max_tokens=12,
        temperature=0,
    )
    assert r.choices[0].message.content and not r.choices[0].message.tool_calls


def test_json_schema_output_parses(client):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
    }
    r = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Invent a city."}],
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema}},
        max_tokens=48,
        temperature=0,
    )
    data = json.loads(r.choices[0].message.content)
    assert isinstance(data["city"], str) and isinstance(data["population"], int)


def test_multi_turn_with_system_and_content_parts(client):
    r = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[
            {"role": "system", "content": "You answer in one short sentence."},
            {"role": "user", "content": [{"type": "text", "text": "My name is Ada."}]},
            {"role": "assistant", "content": "Nice to meet you, Ada."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is "},
                    {"type": "text", "text": "my name?"},
                ],
            },
        ],
        max_tokens=12,
        temperature=0,
    )
    assert r.choices[0].message.content


def test_seeded_sampling_is_reproducible(client):
    kwargs = {
        "model": CHAT_MODEL,
        "messages": [{"role": "user", "content": "Tell me a word."}],
        "max_tokens": 6,
        "temperature": 1.0,
        "seed": 1234,
    }
    first = client.chat.completions.create(**kwargs).choices[0].message.content
    assert client.chat.completions.create(**kwargs).choices[0].message.content == first


def test_logprobs(client):
    r = client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": "Hi"}],
        max_tokens=3,
        temperature=0,
        logprobs=True,
        top_logprobs=2,
    )
    content = r.choices[0].logprobs.content
    assert content and "".join(t.token for t in content) == r.choices[0].message.content
    for t in content:
        assert t.logprob <= 0 and len(t.top_logprobs) == 2
        assert t.top_logprobs[0].token == t.token  # greedy: the chosen token is the likeliest


def test_image_parts_are_refused_for_a_text_model(client):
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(
            model=CHAT_MODEL,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is this?"},
                        {"type": "image_url", "image_url": {"url": "https://example.test/a.png"}},
                    ],
                }
            ],
        )
    assert "text only" in err.value.message


def test_completions(client):
    prompts = ["The capital of France is", "1, 2, 3,"]
    r = client.completions.create(model=CHAT_MODEL, prompt=prompts, max_tokens=4, temperature=0)
    assert r.object == "text_completion" and [c.index for c in r.choices] == [0, 1]
    assert all(c.text for c in r.choices)
    streamed = "".join(
        c.choices[0].text
        for c in client.completions.create(
            model=CHAT_MODEL, prompt="The capital of France is", max_tokens=4, temperature=0,
            stream=True,
        )
    )  # fmt: skip
    assert streamed == r.choices[0].text


def test_embeddings(client):
    r = client.embeddings.create(model=EMBEDDING_MODEL, input=["hello", "world"])
    assert [d.index for d in r.data] == [0, 1] and len(r.data[0].embedding) == 384
    assert r.model == EMBEDDING_MODEL and r.usage.prompt_tokens > 0
    floats = client.embeddings.create(
        model=EMBEDDING_MODEL, input="hello", encoding_format="float"
    ).data[0]
    assert floats.embedding == pytest.approx(r.data[0].embedding, abs=1e-6)
    packed = client.embeddings.create(
        model=EMBEDDING_MODEL, input="hello", encoding_format="base64"
    ).data[0]
    decoded = struct.unpack("<384f", base64.b64decode(packed.embedding))
    assert decoded == pytest.approx(floats.embedding, abs=1e-6)
    short = client.embeddings.create(model=EMBEDDING_MODEL, input="hello", dimensions=64)
    assert len(short.data[0].embedding) == 64


@pytest.mark.parametrize(
    ("kwargs", "status", "param"),
    [
        ({"n": 2}, 400, "n"),
        ({"temperature": 3}, 400, "temperature"),
        ({"tool_choice": "required"}, 400, "tool_choice"),
        ({"messages": [{"role": "tool", "content": "x"}]}, 400, "messages[0].tool_call_id"),
        ({"stop": ["a", "b", "c", "d", "e"]}, 400, "stop"),
    ],
)
def test_bad_requests_are_400_naming_the_field(client, kwargs, status, param):
    request = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": "x"}], **kwargs}
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(**request)
    assert err.value.status_code == status and err.value.param == param
    assert err.value.type == "invalid_request_error"


def test_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError) as err:
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    assert err.value.code == "model_not_found" and "nope" in err.value.message
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="nope", input="x")
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("nope")


def test_wrong_model_kind_is_a_clear_400(client):
    with pytest.raises(openai.BadRequestError) as err:
        client.embeddings.create(model=CHAT_MODEL, input="x")
    assert "embedding" in err.value.message
