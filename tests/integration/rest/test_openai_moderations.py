"""`POST /v1/moderations` with the official `openai` Python SDK, unchanged, through Envoy:
answered by the safety service's policy shield (the gateway routes by `model`, the shield)."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from services.safety.moderation import OPENAI_CATEGORIES

from .conftest import DEFAULT_SHIELD, SHIELD

CARD = "Please charge it to 4111 1111 1111 1111, thanks."
API_KEY = "my key is sk-proj-" + "Ab3_dE6-" * 5
EMAIL = "Write to me at jane.doe@example.com."
PLAIN = "The weather is lovely today; let's walk to the park."


@pytest.fixture(scope="module")
def client(envoy) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{envoy.base_url}/v1", api_key="unused", max_retries=0) as c:
        yield c


def only(response, model: str = SHIELD):
    assert response.id.startswith("modr-") and response.model == model
    (result,) = response.results
    return result


def found(result) -> dict[str, bool]:
    """The categories that are not OpenAI's (the shield's own), and OpenAI's that are true."""
    categories = result.categories.to_dict()
    assert set(OPENAI_CATEGORIES) <= set(categories)
    return {k: v for k, v in categories.items() if k not in OPENAI_CATEGORIES or v}


@pytest.mark.parametrize(("text", "rule"), [(CARD, "payment"), (API_KEY, "secrets")])
def test_payment_data_and_secrets_are_flagged(client, text, rule):
    result = only(client.moderations.create(model=SHIELD, input=text))
    assert result.flagged
    assert found(result) == {rule: True}
    scores = result.category_scores.to_dict()
    assert scores[rule] == 1.0 and scores["violence"] == 0.0
    assert result.category_applied_input_types.to_dict()[rule] == ["text"]
    extra = result.to_dict()
    assert extra["metadata"]["violation_type"] == rule
    assert extra["metadata"]["violation_level"] == "error" and extra["user_message"]


def test_plain_text_is_not_flagged(client):
    result = only(client.moderations.create(model=SHIELD, input=PLAIN))
    assert not result.flagged
    assert found(result) == {}
    assert set(result.category_scores.to_dict().values()) == {0.0}
    assert "user_message" not in result.to_dict()


def test_a_list_gives_one_result_per_item_in_order(client):
    r = client.moderations.create(model=SHIELD, input=[PLAIN, CARD, EMAIL, API_KEY])
    assert [x.flagged for x in r.results] == [False, True, False, True]
    # An e-mail address only warns: not flagged, scored 0.5, and said so in the metadata.
    warned = r.results[2]
    assert found(warned) == {"contact": False}
    assert warned.category_scores.to_dict()["contact"] == 0.5
    assert warned.to_dict()["metadata"]["violation_level"] == "warn"


def test_text_parts_are_one_input_and_images_are_refused(client):
    parts = [{"type": "text", "text": PLAIN}, {"type": "text", "text": CARD}]
    assert only(client.moderations.create(model=SHIELD, input=parts)).flagged
    image = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    with pytest.raises(openai.BadRequestError) as err:
        client.moderations.create(model=SHIELD, input=[parts[0], image])
    assert "image" in err.value.message and err.value.param == "input[1]"


def test_without_model_the_default_shield_answers(client):
    """OpenAI's default model name, declared as a shield; a rule named after an OpenAI
    category sets that category."""
    result = only(client.moderations.create(input="I will stab him."), DEFAULT_SHIELD["shield_id"])
    assert result.flagged and result.categories.violence
    assert found(result) == {"violence": True}
    assert only(client.moderations.create(input=CARD), DEFAULT_SHIELD["shield_id"]).flagged


def test_unknown_model_is_not_found(client):
    with pytest.raises(openai.NotFoundError) as err:
        client.moderations.create(model="no-such-shield", input=PLAIN)
    assert err.value.code == "model_not_found" and "no-such-shield" in err.value.message


@pytest.mark.parametrize(
    ("value", "param"), [("", "input"), ([], "input"), ([PLAIN, " "], "input[1]")]
)
def test_empty_input_is_a_bad_request(client, value, param):
    with pytest.raises(openai.BadRequestError) as err:
        client.moderations.create(model=SHIELD, input=value)
    assert err.value.param == param and "empty" in err.value.message


def test_rest_json_is_openais_shape(rest):
    """Field names with slashes, every OpenAI category in each map, a model left null gets
    the default."""
    r = rest.post("/v1/moderations", json={"model": None, "input": PLAIN})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"id", "model", "results"}
    assert body["model"] == DEFAULT_SHIELD["shield_id"]
    (result,) = body["results"]
    assert set(result) == {
        "flagged",
        "categories",
        "category_scores",
        "category_applied_input_types",
    }
    for key in ("categories", "category_scores", "category_applied_input_types"):
        assert list(result[key]) == list(OPENAI_CATEGORIES)


def test_the_default_keeps_an_empty_body_valid_json(rest):
    r = rest.post("/v1/moderations", content=b" {}", headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == "input"


def test_the_size_limit_is_the_shields_not_envoys(client):
    """A 1.2 MB body passes Envoy (and its Lua defaults filter) and is refused by the limit."""
    with pytest.raises(openai.BadRequestError) as err:
        client.moderations.create(input="word " * 240_000)
    assert "at most 1000000" in err.value.message
