"""OpenAI moderations over the safety service's logic: the `input` union and its limits, how
violations become OpenAI's categories and scores (policy rules, Llama Guard hazards), one
shield run per input, and the typed gRPC answer."""

from __future__ import annotations

import asyncio
import re

import pytest

from llamastack.provider.v1 import provider_service_pb2
from llamastack.registry.v1 import resources_pb2
from services.common.errors import InvalidArgument, NotFound
from services.common.providers import ProviderHost
from services.safety import convert
from services.safety.moderation import (
    MAX_INPUTS,
    OPENAI_CATEGORIES,
    ModerationService,
    input_texts,
    result,
)
from services.safety.providers.llama_guard.prompt import CATEGORIES, Verdict, to_violation
from services.safety.providers.policy.provider import PolicyProvider
from services.safety.service import SafetyService
from services.safety.types import Level, ModerationRequest, Violation
from services.safety.validation import MAX_TEXT_CHARS

CARD = "pay with 4111 1111 1111 1111"

# -- input ---------------------------------------------------------------------------------------


def test_inputs_a_string_strings_or_text_parts():
    assert input_texts("hi") == ("hi",)
    assert input_texts(["a", "b"]) == ("a", "b")
    parts = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    assert input_texts(parts) == ("a\nb",)


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        (None, "input", "input is null"),
        ({"text": "x"}, "input", "input is an object"),
        ("", "input", "input is empty"),
        ("  \n", "input", "input is empty"),
        ([], "input", "input is empty"),
        (["a", ""], "input[1]", "input[1] is empty"),
        ([" "], "input[0]", "input[0] is empty"),
        ([{"type": "text", "text": ""}], "input", "input is empty"),
        (["a", 3], "input[1]", "input[1] is a number"),
        ([[1, 2]], "input[0]", "input[0] is an array"),
        ([{"type": "text", "text": "a"}, "b"], "input[1]", "input[1] is a string"),
        ([{"type": "text", "text": "a"}, {"type": "image_url"}], "input[1]", "is an image"),
        ([{"type": "audio"}], "input[0]", 'must be a content part `{"type": "text"'),
        (["x"] * (MAX_INPUTS + 1), "input", f"at most {MAX_INPUTS}"),
        (["x" * MAX_TEXT_CHARS, "y"], "input", f"at most {MAX_TEXT_CHARS}"),
    ],
)
def test_bad_inputs_name_what_to_fix(value, field, message):
    with pytest.raises(InvalidArgument, match=re.escape(message)) as err:
        input_texts(value)
    assert err.value.metadata["field"] == field


# -- results -------------------------------------------------------------------------------------


def test_no_violation_is_openais_thirteen_categories_all_clear():
    r = result(None)
    assert r["flagged"] is False
    for key in ("categories", "category_scores", "category_applied_input_types"):
        assert list(r[key]) == list(OPENAI_CATEGORIES)
    assert not any(r["categories"].values()) and set(r["category_scores"].values()) == {0.0}
    assert r["category_applied_input_types"]["violence"] == ["text"]
    assert "user_message" not in r and "metadata" not in r


def test_blocking_categories_flag_and_warnings_only_score():
    violation = Violation(
        Level.ERROR,
        "blocked",
        {"violation_type": "secrets"},
        {"secrets": Level.ERROR, "contact": Level.WARN, "hate": Level.ERROR},
    )
    r = result(violation)
    assert r["flagged"] is True
    assert list(r["categories"])[-2:] == ["secrets", "contact"]  # own ones after OpenAI's
    assert (r["categories"]["secrets"], r["categories"]["contact"], r["categories"]["hate"]) == (
        True,
        False,
        True,
    )
    assert r["category_scores"]["contact"] == 0.5 and r["category_scores"]["secrets"] == 1.0
    assert r["user_message"] == "blocked"
    assert r["metadata"] == {"violation_type": "secrets", "violation_level": "error"}

    warned = result(Violation(Level.WARN, "careful", {}, {"contact": Level.WARN}))
    assert warned["flagged"] is False and not any(warned["categories"].values())
    assert warned["metadata"]["violation_level"] == "warn"


def test_llama_guard_hazards_as_openai_categories_or_their_own():
    violation = to_violation(Verdict(False, ("S1", "S7", "S10")), "p/m", "User")
    assert violation is not None
    r = result(violation)
    true = {k for k, v in r["categories"].items() if v}
    assert true == {"violence", "illicit", "illicit/violent", "privacy", "hate"}
    for code in CATEGORIES:  # every hazard maps to at least one category
        one = to_violation(Verdict(False, (code,)), "p/m", "User")
        assert one is not None and one.categories, code
    assert result(to_violation(Verdict(True), "p/m", "User"))["flagged"] is False


# -- the service over the real policy provider ---------------------------------------------------


@pytest.fixture
def moderation():
    policy = PolicyProvider("policy", {})
    host = ProviderHost("safety", [policy])
    asyncio.run(host.start())
    shield = resources_pb2.Shield(
        identifier="guard", provider_id="policy", provider_resource_id="default"
    )
    asyncio.run(policy.register_resource(provider_service_pb2.AnyResource(shield=shield)))
    return ModerationService(SafetyService(host))


async def test_one_shield_run_per_input_in_order(moderation):
    data = await moderation.moderate(
        None, ModerationRequest("guard", ["hello", CARD, "mail a@example.com"])
    )
    assert data["id"].startswith("modr-") and data["model"] == "guard"
    assert [r["flagged"] for r in data["results"]] == [False, True, False]
    assert data["results"][1]["categories"]["payment"] is True
    assert data["results"][2]["category_scores"]["contact"] == 0.5
    with pytest.raises(NotFound, match="'nope'"):
        await moderation.moderate(None, ModerationRequest("nope", "hi"))


class _OneFails:
    """A SafetyService whose run for "bad" fails while the others wait."""

    def __init__(self) -> None:
        self.cancelled = 0

    async def run_shield(self, provider_id, request):
        if request.messages[0].text == "bad":
            raise InvalidArgument("bad input")
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


async def test_a_failing_input_fails_the_call_and_cancels_the_other_runs():
    safety = _OneFails()
    service = ModerationService(safety)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="bad input"):
        await service.moderate(None, ModerationRequest("s", ["a", "b", "bad"]))
    await asyncio.sleep(0)
    assert safety.cancelled == 2


# -- the typed answer ----------------------------------------------------------------------------


async def test_typed_response_keeps_every_field(moderation):
    data = await moderation.moderate(None, ModerationRequest("guard", [CARD]))
    typed = convert.moderation_response(data)
    (r,) = typed.results
    assert typed.id == data["id"] and r.flagged and r.categories["payment"]
    assert r.category_scores["payment"] == 1.0 and len(r.categories) == len(OPENAI_CATEGORIES) + 1
    assert [v.string_value for v in r.category_applied_input_types["payment"].values] == ["text"]
    assert r.user_message and r.metadata["violation_type"] == "payment"
