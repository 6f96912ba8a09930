"""Scoring logic without processes: the basic checks, aggregations, params merging and the
checks providers make at registration."""

from __future__ import annotations

import pytest

from services.common.aggregation import aggregate
from services.common.errors import FailedPrecondition, InvalidArgument, NotFound
from services.common.providers import ProviderHost
from services.scoring.providers.basic.provider import BasicProvider
from services.scoring.providers.llm_as_judge.provider import LlmAsJudgeProvider
from services.scoring.service import ScoringService
from services.scoring.types import FnParams, ScoringFn


def fn(fn_id: str, provider: str = "basic", **params) -> ScoringFn:
    return ScoringFn(fn_id, provider, fn_id, FnParams(**params) if params else FnParams())


@pytest.fixture
def basic() -> BasicProvider:
    return BasicProvider("basic", {})


async def score(provider, fn_id, rows, **params):
    return await provider.score(provider.complete(fn(fn_id, **params)), rows)


async def test_equality_and_subset(basic):
    rows = [
        {"generated_answer": " Paris\n", "expected_answer": "Paris"},
        {"generated_answer": "The capital is Paris.", "answer": "Paris"},
        {"generated_answer": 4.0, "expected_answer": "4"},
    ]
    assert [r["score"] for r in await score(basic, "basic::equality", rows)] == [1.0, 0.0, 1.0]
    assert [r["score"] for r in await score(basic, "basic::subset_of", rows)] == [1.0, 1.0, 1.0]
    with pytest.raises(InvalidArgument, match="row 0 has no generated_answer"):
        await score(basic, "basic::equality", [{"expected_answer": "x"}])


async def test_multiple_choice_parses_the_last_answer_line(basic):
    rows = [
        {"generated_answer": "Let me think... Answer: B", "expected_answer": "B"},
        {"generated_answer": "答案\uff1aC", "expected_answer": "(C)"},  # full-width colon
        {"generated_answer": "Answer: \uff24", "expected_answer": "D"},  # full-width D
        {"generated_answer": "I like A", "expected_answer": "A"},
    ]
    out = await score(basic, "basic::regex_parser_multiple_choice_answer", rows)
    assert [r["score"] for r in out] == [1.0, 1.0, 1.0, 0.0]
    assert out[0]["parsed_answer"] == "B" and out[3]["parsed_answer"] is None


async def test_math_answers_compare_as_normalised_numbers(basic):
    cases = [
        ("so the answer is $\\boxed{\\frac{1}{2}}$", "0.5", 1.0),
        ("The final answer is 1,000.", "1000", 1.0),
        ("We get 12 apples, then 15 apples", "15", 1.0),
        ("Answer: 50\\%", "50%", 1.0),
        ("\\boxed{x+1}", "x + 1", 1.0),
        ("the answer is 3", "4", 0.0),
        ("She makes $18 a day.", "9 * 2 = <<9*2=18>>18 dollars\n#### 18", 1.0),  # GSM8K
        ("no numbers here", "4", 0.0),
    ]
    rows = [{"generated_answer": g, "expected_answer": e} for g, e, _ in cases]
    out = await score(basic, "basic::regex_parser_math_response", rows)
    assert [r["score"] for r in out] == [want for *_, want in cases]


async def test_unknown_functions_and_bad_params_are_refused(basic):
    with pytest.raises(InvalidArgument, match="set provider_scoring_fn_id"):
        basic.complete(fn("strict-eq"))
    with pytest.raises(InvalidArgument, match="not a valid regular expression"):
        basic.complete(fn("basic::regex_parser_math_response", kind="regex_parser",
                          parsing_regexes=("(",)))  # fmt: skip
    with pytest.raises(InvalidArgument, match="takes basic params, not llm_as_judge"):
        basic.complete(fn("basic::equality", kind="llm_as_judge", judge_model="m"))
    done = basic.complete(fn("basic::equality", kind="basic", aggregation_functions=("average",)))
    assert done.params.aggregation_functions == ("average",)  # the override's
    assert basic.complete(fn("basic::equality")).params.aggregation_functions == ("accuracy",)


def test_judge_functions_need_a_model_a_template_and_regexes():
    judge = LlmAsJudgeProvider("judge", {"judge_model": "m"})
    base = judge.complete(fn("llm-as-judge::base", "judge"))
    assert base.params.judge_model == "m" and base.params.judge_score_regexes
    custom = fn("my-judge", "judge", kind="llm_as_judge", prompt_template="Q {input_query}",
                judge_score_regexes=(r"(\d)",))  # fmt: skip
    assert judge.complete(custom).params.judge_model == "" or True
    with pytest.raises(InvalidArgument, match="names no judge_model"):
        LlmAsJudgeProvider("j2", {}).complete(fn("llm-as-judge::base", "j2"))
    with pytest.raises(InvalidArgument, match=r"uses \['answer'\]"):
        judge.complete(fn("x", "judge", kind="llm_as_judge", judge_model="m",
                          prompt_template="{answer}", judge_score_regexes=("(1)",)))  # fmt: skip
    with pytest.raises(InvalidArgument, match="literal braces"):
        judge.complete(fn("x", "judge", kind="llm_as_judge", judge_model="m",
                          prompt_template="{", judge_score_regexes=("(1)",)))  # fmt: skip


def test_aggregations():
    rows = [{"score": 1.0}, {"score": 0.0}, {"score": 1.0, "weight": 2}, {"score": None}]
    out = aggregate(["accuracy", "average", "median", "weighted_average"], rows)
    assert out["accuracy"] == {"accuracy": 2 / 3, "num_correct": 2.0, "num_total": 3}
    assert out["average"] == {"average": 2 / 3} and out["median"] == {"median": 1.0}
    assert out["weighted_average"] == {"weighted_average": 0.75}
    assert out["num_errors"] == 1
    labels = aggregate(["categorical_count"], [{"score": "A"}, {"score": "B"}, {"score": "A"}])
    assert labels == {"categorical_count": {"categorical_count": {"A": 2, "B": 1}}}
    with pytest.raises(ValueError, match="numeric scores"):
        aggregate(["average"], [{"score": "A"}])
    assert aggregate([], rows) == {"num_errors": 1}  # failed rows are counted even so


async def test_service_resolves_merges_and_routes_to_the_owning_provider(basic):
    registered = {
        "basic::equality": fn("basic::equality"),
        "elsewhere": ScoringFn("elsewhere", "other", "x"),
    }

    async def resolve(fn_id):
        if fn_id not in registered:
            raise NotFound(f"scoring function {fn_id!r} is not registered")
        return registered[fn_id]

    host = ProviderHost("scoring", [basic])
    host.ready = True
    service = ScoringService(host, resolve)
    rows = [{"generated_answer": "a", "expected_answer": "a"}]
    out = await service.score(rows, {"basic::equality": None})
    assert out["basic::equality"].aggregated_results["accuracy"]["accuracy"] == 1.0
    override = FnParams("basic", ("average", "median"))
    out = await service.score(rows, {"basic::equality": override})
    assert set(out["basic::equality"].aggregated_results) == {"average", "median"}
    with pytest.raises(NotFound):
        await service.score(rows, {"nope": None})
    with pytest.raises(FailedPrecondition, match="does not host"):
        await service.score(rows, {"elsewhere": None})
    with pytest.raises(InvalidArgument, match="input_rows is empty"):
        await service.score([], {"basic::equality": None})
