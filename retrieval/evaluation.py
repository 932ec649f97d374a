"""Offline relevance evaluation on the project's development set.

Each dev query lists relevant passages by text spans with a grade (3 = answers the query
directly, 2 = clearly relevant, 1 = related). A passage's grade is the highest grade of the
spans it contains, compared on simplified text without whitespace, so the judgements do not
depend on passage ids or chunking.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.script import to_simplified
from retrieval.searcher import Searcher, SearchOptions

DEFAULT_DEVSET = Path(__file__).resolve().parents[1] / "tests" / "eval" / "devset.jsonl"
K = 10
_WS = re.compile(r"\s+")


@dataclass
class DevQuery:
    qid: str
    query: str
    kind: str
    relevant: list[tuple[str, int]]
    filters: dict[str, Any] = field(default_factory=dict)


def _norm(text: str) -> str:
    return _WS.sub("", to_simplified(text))


def load_devset(path: Path) -> list[DevQuery]:
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        d = json.loads(line)
        rel = [(_norm(r["span"]), int(r["grade"])) for r in d["relevant"]]
        if not rel:
            raise ValueError(f"{path}:{n}: a dev query needs at least one relevant span")
        out.append(DevQuery(d["id"], d["query"], d["kind"], rel, d.get("filters", {})))
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


def evaluate(
    searcher: Searcher,
    queries: list[DevQuery],
    systems: dict[str, dict[str, Any]] | None = None,
    make_filters: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    from retrieval.filters import make_filters as default_make_filters

    build_filters = make_filters or default_make_filters
    systems = systems or SYSTEMS
    passages = list(searcher.store.iter_passages())
    table = searcher.bundle.table
    per_query: dict[str, dict[str, dict[str, float]]] = {}
    for q in queries:
        filters = build_filters(**q.filters)
        # The ideal ranking only holds passages the query's filters let through.
        allowed = {table.passage_ids[i] for i in np.flatnonzero(table.mask(filters))}
        all_grades = [
            g for p in passages if p.passage_id in allowed and (g := grade(p.text, q.relevant))
        ]
        if not all_grades:
            raise ValueError(f"dev query {q.qid}: no passage in the store matches its spans")
        per_query[q.qid] = {}
        for name, cfg in systems.items():
            opts = SearchOptions(k=K, per_report=0, filters=filters, **cfg)
            result = searcher.search(q.query, opts)
            ranked = [grade(h.passage.text, q.relevant) for h in result.hits]
            per_query[q.qid][name] = metrics(ranked, all_grades)
    tables: dict[str, dict[str, dict[str, float]]] = {}
    kinds = ["all", *sorted({q.kind for q in queries})]
    for kind in kinds:
        chosen = [q for q in queries if kind == "all" or q.kind == kind]
        rows = {}
        for name in systems:
            vals = [per_query[q.qid][name] for q in chosen]
            rows[name] = {m: sum(v[m] for v in vals) / len(vals) for m in vals[0]}
            rows[name]["n"] = len(vals)
        tables["all queries" if kind == "all" else f"kind: {kind}"] = rows
    return {"tables": tables, "per_query": per_query}
