"""Vector IO logic without engines: fusion, filter checks, SQL filters, chunk ids."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.vector_io.chunks import check_chunks, chunk_id_for, stored
from services.vector_io.filters import check_filter, keys_of
from services.vector_io.fusion import fuse
from services.vector_io.providers.sqlite_vec.sql import fts_query, json_path, where
from services.vector_io.types import Chunk, Comparison, Compound, Hit, Ranker


def hits(*pairs):
    return [Hit(cid, score, {"id": cid}) for cid, score in pairs]


def test_rrf_rewards_chunks_both_lists_rank_high():
    vector = hits(("a", 0.9), ("b", 0.8), ("c", 0.7))
    keyword = hits(("c", 9.0), ("a", 5.0))
    fused = fuse(vector, keyword, Ranker("rrf", impact_factor=60))
    assert [h.chunk_id for h in fused] == ["a", "c", "b"]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 62)


def test_weighted_fusion_normalises_each_list():
    vector = hits(("a", 0.9), ("b", 0.5))
    keyword = hits(("b", 12.0), ("c", 2.0))
    only_vector = fuse(vector, keyword, Ranker("weighted", alpha=1.0))
    assert only_vector[0].chunk_id == "a" and only_vector[0].score == pytest.approx(1.0)
    only_keyword = fuse(vector, keyword, Ranker("weighted", alpha=0.0))
    assert only_keyword[0].chunk_id == "b"
    half = {h.chunk_id: h.score for h in fuse(vector, keyword, Ranker("weighted", alpha=0.5))}
    assert half == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0})


@pytest.mark.parametrize(
    ("flt", "needle"),
    [
        (Comparison("year", "gt", "2020"), "must be a number"),
        (Comparison("tags", "in", []), "non-empty list"),
        (Comparison("tags", "in", ["a", 1]), "all strings or all integers"),
        (Comparison("bad key", "eq", 1), "not a metadata key"),
        (Comparison("year", "like", 1), "op is missing or unknown"),
        (Compound("and", ()), "filters is empty"),
        (Comparison("x", "eq", float("nan")), "string, number or boolean"),
    ],
)
def test_bad_filters_name_what_to_fix(flt, needle):
    with pytest.raises(InvalidArgument) as err:
        check_filter(flt)
    assert needle in err.value.message


def test_filter_keys_and_sql():
    flt = Compound("or", (Comparison("a.b", "eq", True), Comparison("n", "nin", [1, 2])))
    check_filter(flt)
    assert keys_of(flt) == {"a.b", "n"}
    params: list = []
    sql = where(flt, params)
    assert sql.count("json_extract") == 3 and " OR " in sql
    assert params == ['$."a"."b"', 1, '$."n"', '$."n"', 1, 2]
    assert json_path('we"ird') == '$."we""ird"'
    assert fts_query('Who is "NEAR" here? who') == '"who" OR "is" OR "near" OR "here"'
    assert fts_query("?!") == ""


def test_chunk_ids_are_stable_and_chunks_checked():
    one = chunk_id_for("doc", [{"text": "hello"}])
    assert (
        one == chunk_id_for("doc", [{"text": "hello"}]) != chunk_id_for("doc2", [{"text": "hello"}])
    )
    c = Chunk([{"text": "hello"}], "hello", {"document_id": "doc"})
    assert stored(c, [1.0, 0.0], "m", 2, 10).chunk_id == one
    with pytest.raises(InvalidArgument, match=r"chunks\[0\].embedding has 3 values"):
        check_chunks([Chunk([{"text": "x"}], "x", embedding=[1.0, 0.0, 0.0])], 2, "db")
    with pytest.raises(InvalidArgument, match="all zeros"):
        check_chunks([Chunk([{"text": "x"}], "x", embedding=[0.0, 0.0])], 2, "db")
    with pytest.raises(InvalidArgument, match="no text to embed"):
        check_chunks([Chunk([{"image": {}}], "")], 2, "db")
