"""Fusion of ranked lists: pure functions over (doc_id, score) lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# RRF's k sets how much a rank near the top outweighs one further down. The usual 60 comes
# from fusing deep web-search runs; here the heads of short, precise lists carry the
# evidence, and k = 20 was the best of 5, 10, 15, 20, 30, 40 and 60 on the dev set's tune
# half (scripts/tune_fusion.py).
RRF_K = 20


@dataclass
class Fused:
    doc_id: int
    score: float
    parts: dict[str, dict[str, float]] = field(default_factory=dict)  # engine -> rank, score


def rrf(
    lists: dict[str, list[tuple[int, float]]],
    weights: dict[str, float] | None = None,
    k: int = RRF_K,
) -> list[Fused]:
    """Reciprocal-rank fusion: score = sum_w w / (k + rank). Ties keep first-seen order."""
    out: dict[int, Fused] = {}
    for name, ranked in lists.items():
        w = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, (doc, score) in enumerate(ranked, start=1):
            f = out.get(doc)
            if f is None:  # not setdefault: it would build a Fused for every list entry
                f = out[doc] = Fused(doc, 0.0)
            f.score += w / (k + rank)
            f.parts[name] = {"rank": rank, "score": score}
    return sorted(out.values(), key=lambda f: -f.score)


def weighted_sum(
    lists: dict[str, list[tuple[int, float]]],
    weights: dict[str, float] | None = None,
    k: int = RRF_K,  # unused: one signature for every fusion
) -> list[Fused]:
    """Min-max normalised scores, weighted and summed (an alternative to RRF)."""
    out: dict[int, Fused] = {}
    for name, ranked in lists.items():
        if not ranked:
            continue
        w = 1.0 if weights is None else weights.get(name, 1.0)
        scores = [s for _, s in ranked]
        lo, hi = min(scores), max(scores)
        for rank, (doc, score) in enumerate(ranked, start=1):
            norm = 1.0 if hi == lo else (score - lo) / (hi - lo)
            f = out.setdefault(doc, Fused(doc, 0.0))
            f.score += w * norm
            f.parts[name] = {"rank": rank, "score": score}
    return sorted(out.values(), key=lambda f: -f.score)


FUSIONS = {"rrf": rrf, "weighted": weighted_sum}


def scaled(fused: Sequence[Fused], factors: Mapping[int, float], key: str) -> list[Fused]:
    """Multiply the fused score of each doc id in ``factors`` by its factor and re-sort
    (stable). A hit whose score changed records the factor in its parts under ``key``, so
    its explanation shows why it moved past hits the engines ranked higher (the section-role
    prior, the place or level a query names)."""
    out = []
    for f in fused:
        factor = factors.get(f.doc_id, 1.0)
        parts = f.parts if factor == 1.0 else {**f.parts, key: {"factor": factor}}
        out.append(Fused(f.doc_id, f.score * factor, parts))
    return sorted(out, key=lambda f: -f.score)
