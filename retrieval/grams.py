"""A character-bigram BM25 list over the candidate pool.

Word BM25 sees a query through the segmenter: 建家 inside 建家强家暖家, 评家 inside 会员评家
or 维权机制建设 split differently in the query and a passage all lose evidence there.
Character bigrams do not depend on segmentation, and adjacent bigrams reward passages that
hold the query's words *together* (维权机制建设 as a phrase, not 维权 … 建设 apart).

Scored over the candidates the engines already found (the texts the relevance floor reads
anyway), with document frequencies counted in that pool: no second index to build, store or
keep in step, and a few milliseconds per query. Pool statistics suit a re-ranking list: a
bigram every candidate holds (工会) weighs nothing, one that singles out a few weighs most.
Pure functions of strings and lists, tested from tables.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

K1 = 1.2
B = 0.75
_RUN = re.compile(r"[\u3400-\u9fffa-z0-9]+")


def bigrams(text: str) -> list[str]:
    """Character bigrams inside each run of CJK characters, letters or digits (a single
    character run is its own gram); ``text`` is simplified and lower-cased."""
    out: list[str] = []
    for run in _RUN.findall(text):
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def query_grams(
    text: str, ignore: Iterable[str] = (), extra: Sequence[tuple[str, float]] = ()
) -> dict[str, float]:
    """Weighted bigrams of a query (simplified, lower-cased): words in ``ignore`` (怎么办,
    如何: they shape a question, name nothing) are cut out first, so no gram spans them;
    ``extra``: (text, weight) pairs such as the lexicon's official terms."""
    for word in sorted(set(ignore), key=len, reverse=True):
        if word:
            text = text.replace(word, " ")
    out: dict[str, float] = {}
    for g in bigrams(text):
        out[g] = max(out.get(g, 0.0), 1.0)
    for term, w in extra:
        for g in bigrams(term.lower()):
            out[g] = max(out.get(g, 0.0), w)
    return out


def bigram_bm25(
    grams: dict[str, float], texts: Sequence[str], k1: float = K1, b: float = B
) -> list[float]:
    """BM25 of each text for the weighted ``grams``, document frequencies and mean length
    counted over ``texts`` (the pool)."""
    n = len(texts)
    if n == 0 or not grams:
        return [0.0] * n
    lengths = [max(1, len(t)) for t in texts]
    avg = sum(lengths) / n
    tfs = {g: [t.count(g) for t in texts] for g in grams}
    scores = [0.0] * n
    for g, w in grams.items():
        tf = tfs[g]
        df = sum(1 for c in tf if c)
        if df == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, c in enumerate(tf):
            if c:
                norm = c * (k1 + 1) / (c + k1 * (1 - b + b * lengths[i] / avg))
                scores[i] += w * idf * norm
    return scores
