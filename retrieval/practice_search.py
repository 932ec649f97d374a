"""Practice cards: "how did other places do X" answered one card per report (or per place
and year), each listing the concrete practices that match, with their figures."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from corpus.practices import Practice
from corpus.store import ReportRecord
from retrieval.floor import apply_floor
from retrieval.fusion import rrf
from retrieval.highlight import highlight_spans
from retrieval.query import QueryError
from retrieval.searcher import Searcher, SearchOptions

PER_GROUP = 3


@dataclass
class PracticeHit:
    practice: Practice
    score: float
    highlights: list[list[int]]


@dataclass
class PracticeGroup:
    report: ReportRecord
    hits: list[PracticeHit] = field(default_factory=list)
    score: float = 0.0


@dataclass
class PracticeResult:
    query: str
    total: int
    took_ms: float
    groups: list[PracticeGroup]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _group_key(r: ReportRecord) -> tuple[str, ...]:
    # Reports from one place are one card unless they are from different years.
    if r.jurisdiction:
        return ("place", r.jurisdiction, str(r.year))
    return ("report", r.report_id)


def search_practices(searcher: Searcher, query: str, opts: SearchOptions) -> PracticeResult:
    opts.validate()
    sub = searcher.bundle.practices
    if sub is None:
        raise QueryError("this index has no practices yet: run `jiejian index --rebuild`")
    t0 = time.perf_counter()
    q = searcher.parse(query, opts.use_lexicon)
    depth = opts.depth or max(100, 6 * (opts.offset + opts.k))
    fused = rrf(
        {
            "bm25": sub.lexical_search(q.lexical_terms(), depth, opts.filters),
            "dense": sub.dense_search(
                searcher.bundle.encode_query(q.dense_text()), depth, opts.filters
            ),
        }
    )
    if opts.floor.enabled:
        # The same floor as passages: a card lists only practices with evidence, so a
        # card may hold one item, and a query the corpus cannot answer gets no cards.
        covers = searcher.coverages(q, [f.doc_id for f in fused], practices=True)
        fused = apply_floor(fused, covers, opts.floor)
    ids = [sub.table.passage_ids[f.doc_id] for f in fused]
    practices = searcher.store.practices_by_ids(ids)
    reports = searcher.store.reports_by_ids([p.report_id for p in practices.values()])
    terms = [t for t, _ in q.lexical_terms()]
    groups: dict[tuple[str, ...], PracticeGroup] = {}
    for f, pid in zip(fused, ids, strict=True):
        p = practices.get(pid)
        if p is None or p.report_id not in reports:
            continue
        g = groups.setdefault(
            _group_key(reports[p.report_id]), PracticeGroup(reports[p.report_id], score=f.score)
        )
        if len(g.hits) < PER_GROUP:
            g.hits.append(PracticeHit(p, f.score, highlight_spans(p.text, terms)))
    ordered = sorted(groups.values(), key=lambda g: -g.score)
    themes = Counter(t for f in fused for t in sub.table.themes_of(f.doc_id))
    return PracticeResult(
        query=q.text,
        total=len(ordered),
        took_ms=round((time.perf_counter() - t0) * 1000, 2),
        groups=ordered[opts.offset : opts.offset + opts.k],
        facets={"theme": [{"value": t, "count": n} for t, n in themes.most_common()]},
    )
