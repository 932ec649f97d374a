"""The relevance floor: a passage is a result only with real evidence.

Every engine returns *something*: BM25 matches any one query word (工会 is in every
passage), and a dense engine always has nearest neighbours. The floor asks each candidate
for evidence instead:

* lexical evidence: the passage contains enough of the query's content (its *concepts*,
  weighted by idf, so a rare word counts more than 工会, and a word the corpus never uses
  weighs most of all: 火星探测器 cannot be "half matched" by 工会);
* dense evidence: a cosine above a calibrated threshold, backed by some lexical overlap
  (a neighbour that shares no content word is a guess, not a result).

Everything here is a pure function of lists and numbers so it can be tested from tables;
the searcher supplies the texts and idf values. Thresholds are data (:data:`FLOOR`),
calibrated on the development set (see ``jiejian eval``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from retrieval.fusion import Fused, scaled


@dataclass(frozen=True)
class Concept:
    """One thing the query asks about: any alternative occurring in a passage matches it;
    without one, its ``parts`` (inner words with their idf) present earn up to
    ``PART_CREDIT`` of its weight, in proportion to their idf: 工会 alone says little
    about 工会经费, 经费 says more."""

    alternatives: tuple[str, ...]
    weight: float
    parts: tuple[tuple[str, float], ...] = ()


# A compound's parts (经费 + 收缴 for 工会经费收缴) found apart are weaker evidence than the
# compound itself: together they earn at most this share of its weight.
PART_CREDIT = 0.5


@dataclass(frozen=True)
class FloorParams:
    lexical: float  # share of the query's concept weight a passage must contain
    dense: float  # cosine a dense-only hit needs ...
    dense_overlap: float  # ... together with at least this share of lexical evidence
    enabled: bool = True


# Calibrated on the tune half of the development set: the lowest values that keep the
# answerable queries' graded passages while every no-answer query comes back empty.
FLOOR = FloorParams(lexical=0.25, dense=0.35, dense_overlap=0.2)
NO_FLOOR = FloorParams(lexical=0.0, dense=-1.0, dense_overlap=0.0, enabled=False)


def longest_only(words: Sequence[str]) -> list[str]:
    """The words not inside another of ``words``, order kept: 光刻机, not also 光刻."""
    return [t for t in words if not any(t != o and t in o for o in words)]


def query_concepts(
    tokens: Sequence[str],
    rules: Sequence[tuple[str, Sequence[str]]],
    idf: Mapping[str, float],
    ignore: Iterable[str] = (),
) -> list[Concept]:
    """The query's concepts: each lexicon rule is one concept (its phrase or any official
    term matches it) standing in for the tokens inside its phrase; every other token of two
    or more characters is a concept of its own (single characters only when nothing else is
    left). Weights are idf: the rule takes the largest idf of the tokens it replaces.
    ``ignore``: tokens the query uses to name a section (问题 in 存在的问题), which the
    section list answers rather than the text), and the lexicon rules whose phrase holds
    nothing else."""
    skip = set(ignore)
    concepts: list[Concept] = []
    absorbed: set[str] = set()
    for phrase, terms in rules:
        inside = [t for t in tokens if t in phrase]
        absorbed.update(inside)
        if inside and all(t in skip for t in inside):
            continue  # a rule over ignored words only (问题 -> 存在问题) asks nothing either
        # The rule stands for its whole phrase: it weighs as much as the phrase's rarest
        # word (钱 in 交工会的钱) or its rarest official term, whichever is more.
        weights = [idf.get(t, 0.0) for t in inside] + [idf.get(t.lower(), 0.0) for t in terms]
        alts = tuple(dict.fromkeys([phrase, *(t.lower() for t in terms)]))
        concepts.append(Concept(alts, max(weights, default=1.0)))
    rest = [t for t in dict.fromkeys(tokens) if t not in absorbed and t not in skip]
    long = [t for t in rest if len(t) >= 2]
    # Search-mode segmentation also emits every dictionary word inside a compound (and
    # cross-boundary fragments like 会会 in 工会会员): only the longest tokens are concepts,
    # their inner tokens give partial credit.
    maximal = longest_only(long)
    every = [t for t in dict.fromkeys(tokens) if len(t) >= 2]  # absorbed ones too
    for t in maximal:
        parts = tuple((o, idf.get(o, 0.0)) for o in every if o != t and o in t)
        concepts.append(Concept((t,), idf.get(t, 0.0), parts))
    if not maximal and not concepts:
        concepts = [Concept((t,), idf.get(t, 0.0)) for t in rest]
    return concepts


def coverage(text: str, concepts: Sequence[Concept]) -> float:
    """Share of the concepts' weight whose alternatives occur in ``text`` (simplified,
    lower-cased). Substring tests, not tokens: robust to how a compound was segmented."""
    return coverages_of([text], concepts)[0]


def coverages_of(texts: Sequence[str], concepts: Sequence[Concept]) -> list[float]:
    """:func:`coverage` of each text. Each word is looked for in every text at once, and
    the shares are summed in the same order for each text as for one: a page asks this of
    some 400 candidates, and per-text calls cost more than the substring tests."""
    total = sum(c.weight for c in concepts)
    if total <= 0:
        return [0.0] * len(texts)
    words = {w for c in concepts for w in (*c.alternatives, *(p for p, _ in c.parts))}
    found_in = {w: [w in t for t in texts] for w in words}
    got = [0.0] * len(texts)
    for c in concepts:
        columns = [found_in[a] for a in c.alternatives]
        hit = columns[0] if len(columns) == 1 else [any(col) for col in zip(*columns, strict=True)]
        part_total = sum(w for _, w in c.parts)
        # Adding 0.0 leaves a float as it is: the sums equal coverage's, concept by concept.
        share = [
            c.weight
            if matched
            else c.weight * PART_CREDIT * sum(w for p, w in c.parts if found_in[p][i]) / part_total
            if part_total > 0
            else 0.0
            for i, matched in enumerate(hit)
        ]
        got = [g + x for g, x in zip(got, share, strict=True)]
    return [g / total for g in got]


def has_evidence(cover: float, dense_score: float | None, params: FloorParams) -> bool:
    """Lexical evidence alone, or a strong dense score backed by some lexical overlap."""
    if not params.enabled:
        return True
    if cover >= params.lexical and cover > 0:
        return True
    return dense_score is not None and dense_score >= params.dense and cover >= params.dense_overlap


def apply_floor(
    fused: Sequence[Fused],
    covers: Mapping[int, float],
    params: FloorParams,
) -> list[Fused]:
    """The candidates with evidence, order kept. A hit's dense score counts only when the
    dense engine found it; ``covers`` maps doc id -> :func:`coverage` (missing = 0)."""
    if not params.enabled:
        return list(fused)
    out = []
    for f in fused:
        dense = f.parts["dense"]["score"] if "dense" in f.parts else None
        if has_evidence(covers.get(f.doc_id, 0.0), dense, params):
            out.append(f)
    return out


def prior_boost(
    fused: Sequence[Fused], roles: Mapping[int, str], boosts: Mapping[str, float]
) -> list[Fused]:
    """Multiply fused scores by a per-section-role factor and re-sort (stable); a hit that
    moved records the factor in its parts (``prior``)."""
    return scaled(fused, {d: boosts[r] for d, r in roles.items() if r in boosts}, "prior")
