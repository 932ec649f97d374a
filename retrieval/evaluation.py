"""Offline relevance evaluation on the project's development set, scoring what is served.

Each dev query lists relevant passages by text spans with a grade (3 = answers the query
directly, 2 = clearly relevant, 1 = related). A passage's grade is the highest grade of the
spans it contains, compared on simplified text without whitespace, so the judgements do not
depend on passage ids or chunking. Queries of kind ``no-answer`` have no relevant span:
the corpus cannot answer them, and the score is the share that come back empty.

Every query belongs to the ``tune`` half (thresholds, priors and the lexicon were chosen
looking at it), the ``check`` half (never tuned on), the ``fresh`` check set (a second
unseen set, written in a later round, after the check half had been looked at in aggregate:
it is scored only once the ranking it checks is settled) or the ``fresh2`` check set (a
third, written in a still later round by reading the seed texts alone, so that what was
changed after ``fresh`` had been seen is checked on queries nobody tuned on) or the
``fresh3`` check set (a fourth, written the same way after ``fresh2`` had been scored) or
the ``fresh4`` check set (a fifth, written the same way after ``fresh3`` had been scored);
``blind`` marks queries written and judged before any search result for them was seen.
Systems run with the options the API serves (the per-report cap, the relevance floor) unless
a system's settings say otherwise.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.script import to_simplified
from retrieval.defaults import DEFAULT_DEVSET as DEFAULT_DEVSET  # re-exported: scripts, tests
from retrieval.searcher import Searcher, SearchOptions

K = 10
NO_ANSWER = "no-answer"
SPLITS = ("tune", "check", "fresh", "fresh2", "fresh3", "fresh4")
# The table each split's answerable queries are summarised in.
SPLIT_TABLES = {
    "tune": "tune half",
    "check": "check half",
    "fresh": "fresh check set",
    "fresh2": "second fresh check set",
    "fresh3": "third fresh check set",
    "fresh4": "fourth fresh check set",
}
_WS = re.compile(r"\s+")


@dataclass
class DevQuery:
    qid: str
    query: str
    kind: str
    relevant: list[tuple[str, int]]
    filters: dict[str, Any] = field(default_factory=dict)
    split: str = "tune"
    blind: bool = False


def _norm(text: str) -> str:
    return _WS.sub("", to_simplified(text))


def load_devset(path: Path) -> list[DevQuery]:
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        d = json.loads(line)
        rel = [(_norm(r["span"]), int(r["grade"])) for r in d.get("relevant", [])]
        if d["kind"] == NO_ANSWER and rel:
            raise ValueError(f"{path}:{n}: a no-answer query lists no relevant span")
        if d["kind"] != NO_ANSWER and not rel:
            raise ValueError(f"{path}:{n}: a dev query needs at least one relevant span")
        split = d.get("split", "tune")
        if split not in SPLITS:
            raise ValueError(f"{path}:{n}: split must be one of {', '.join(SPLITS)}")
        out.append(
            DevQuery(
                d["id"],
                d["query"],
                d["kind"],
                rel,
                d.get("filters", {}),
                split,
                bool(d.get("blind", False)),
            )
        )
    return out


def grade(text: str, relevant: list[tuple[str, int]]) -> int:
    t = _norm(text)
    return max((g for span, g in relevant if span in t), default=0)


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def metrics(ranked: list[int], all_grades: list[int], k: int = K) -> dict[str, float]:
    """``ranked``: grades of the returned passages in order; ``all_grades``: of every
    relevant passage in the corpus."""
    ideal = dcg(sorted(all_grades, reverse=True)[:k])
    top = ranked[:k]
    n_rel = sum(1 for g in all_grades if g > 0)
    first = next((i for i, g in enumerate(ranked) if g > 0), None)
    return {
        "ndcg@10": dcg(top) / ideal if ideal else 0.0,
        "recall@10": sum(1 for g in top if g > 0) / n_rel if n_rel else 0.0,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
    }


SYSTEMS: dict[str, dict[str, Any]] = {
    "bm25": {"mode": "bm25"},
    "bm25 (no lexicon)": {"mode": "bm25", "use_lexicon": False},
    "dense": {"mode": "dense"},
    "hybrid": {"mode": "hybrid"},
    "hybrid (no lexicon)": {"mode": "hybrid", "use_lexicon": False},
}


def _mean_rows(vals: list[dict[str, float]]) -> dict[str, float]:
    row = {m: sum(v[m] for v in vals) / len(vals) for m in vals[0]} if vals else {}
    row["n"] = len(vals)
    return row


def evaluate(
    searcher: Searcher,
    queries: list[DevQuery],
    systems: dict[str, dict[str, Any]] | None = None,
    make_filters: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Per query and system: nDCG@10, recall@10, MRR and ``empty`` (1 when nothing came
    back) of the served result page; tables per split and kind. The ``no-answer`` kind's
    table reports ``empty`` only: the share of those queries answered with nothing."""
    from retrieval.filters import make_filters as default_make_filters

    build_filters = make_filters or default_make_filters
    systems = systems or SYSTEMS
    passages = list(searcher.store.iter_passages())
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    for q in queries:
        filters = build_filters(**q.filters)
        all_grades: list[int] = []
        if q.kind != NO_ANSWER:
            # The ideal ranking only holds passages the query's filters let through.
            view, ids = searcher.bundle.select(filters)
            allowed = {view.passage_ids[i] for i in ids}
            all_grades = [
                g for p in passages if p.passage_id in allowed and (g := grade(p.text, q.relevant))
            ]
            if not all_grades:
                raise ValueError(f"dev query {q.qid}: no passage in the store matches its spans")
        per_query[q.qid] = {}
        for name, cfg in systems.items():
            opts = SearchOptions(k=K, filters=filters, **cfg)
            result = searcher.search(q.query, opts)
            empty = 1.0 if result.total == 0 else 0.0
            if q.kind == NO_ANSWER:
                per_query[q.qid][name] = {"empty": empty}
                continue
            ranked = [grade(h.passage.text, q.relevant) for h in result.hits]
            per_query[q.qid][name] = {**metrics(ranked, all_grades), "empty": empty}
    tables: dict[str, dict[str, dict[str, float]]] = {}
    answerable = [q for q in queries if q.kind != NO_ANSWER]

    def add(title: str, chosen: list[DevQuery]) -> None:
        if chosen:
            tables[title] = {
                name: _mean_rows([per_query[q.qid][name] for q in chosen]) for name in systems
            }

    add("all queries", answerable)
    for split in SPLITS:
        add(SPLIT_TABLES[split], [q for q in answerable if q.split == split])
    add("blind queries", [q for q in answerable if q.blind])
    for kind in sorted({q.kind for q in queries}):
        add(f"kind: {kind}", [q for q in queries if q.kind == kind])
        for split in SPLITS:
            add(
                f"kind: {kind} ({split})",
                [q for q in queries if q.kind == kind and q.split == split],
            )
    return {"tables": tables, "per_query": per_query}
