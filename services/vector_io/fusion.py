"""Hybrid search: fuse a vector and a keyword result list, the same way for every engine."""

from __future__ import annotations

from services.vector_io.types import Hit, Ranker

__all__ = ["candidates_for", "fuse"]


def candidates_for(max_chunks: int) -> int:
    """How many hits each half of a hybrid search fetches before fusing."""
    return min(max(max_chunks * 4, 20), 1000)


def fuse(vector: list[Hit], keyword: list[Hit], ranker: Ranker) -> list[Hit]:
    """Both lists fused, best first. RRF: sum of 1 / (impact_factor + rank) over the lists a
    chunk appears in (rank from 1). Weighted: alpha * vector + (1 - alpha) * keyword, each
    list's scores min-max normalised to [0, 1] (a chunk missing from a list scores 0 there)."""
    if ranker.kind == "weighted":
        v, k = _normalised(vector), _normalised(keyword)
        scores = {cid: ranker.alpha * s for cid, s in v.items()}
        for cid, s in k.items():
            scores[cid] = scores.get(cid, 0.0) + (1 - ranker.alpha) * s
    else:
        scores = {}
        for hits in (vector, keyword):
            for rank, hit in enumerate(hits, start=1):
                scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (
                    ranker.impact_factor + rank
                )
    payloads = {h.chunk_id: h.payload for h in (*keyword, *vector)}
    fused = [Hit(cid, score, payloads[cid]) for cid, score in scores.items()]
    fused.sort(key=lambda h: (-h.score, h.chunk_id))
    return fused


def _normalised(hits: list[Hit]) -> dict[str, float]:
    if not hits:
        return {}
    scores = [h.score for h in hits]
    low, high = min(scores), max(scores)
    span = high - low
    return {h.chunk_id: (h.score - low) / span if span > 0 else 1.0 for h in hits}
