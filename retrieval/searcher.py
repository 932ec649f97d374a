"""Hybrid search: lexical + dense candidates, fused, de-duplicated, diversified, explained."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from corpus.store import CorpusStore, PassageRecord, ReportRecord
from index.bundle import IndexBundle
from index.filters import Filters
from retrieval.diversity import cap_per_key, collapse, group
from retrieval.fusion import FUSIONS, Fused
from retrieval.highlight import highlight_spans
from retrieval.query import ParsedQuery, QueryError, parse_query
from retrieval.synonyms import SynonymLexicon

Mode = Literal["hybrid", "bm25", "dense"]
FACETS = ("jurisdiction", "level", "year", "doc_type", "section_role")
MAX_K = 100
MAX_OFFSET = 1000


@dataclass
class SearchOptions:
    k: int = 10
    offset: int = 0
    filters: Filters | None = None
    mode: Mode = "hybrid"
    use_lexicon: bool = True
    per_report: int = 2  # diversity: at most this many passages of one report per page
    group_by: str | None = None  # "jurisdiction"
    fusion: str = "rrf"
    weights: dict[str, float] = field(default_factory=lambda: {"bm25": 1.0, "dense": 1.0})
    depth: int | None = None  # candidates per engine; default from k and offset

    def validate(self) -> None:
        if not 1 <= self.k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise QueryError(f"offset must be between 0 and {MAX_OFFSET}")
        if self.mode not in ("hybrid", "bm25", "dense"):
            raise QueryError("mode must be hybrid, bm25 or dense")
        if self.group_by not in (None, "jurisdiction"):
            raise QueryError("group_by must be jurisdiction")
        if self.fusion not in FUSIONS:
            raise QueryError(f"fusion must be one of {', '.join(FUSIONS)}")


@dataclass
class Hit:
    passage: PassageRecord
    report: ReportRecord
    score: float
    highlights: list[list[int]]
    explain: dict[str, Any]
    sources: list[dict[str, Any]]
    duplicates: list[str] = field(default_factory=list)  # collapsed near-duplicate passages


@dataclass
class SearchResult:
    query: str
    total: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]]
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)
    groups: list[tuple[str | None, list[Hit]]] | None = None


class Searcher:
    def __init__(
        self, bundle: IndexBundle, store: CorpusStore, lexicon: SynonymLexicon | None = None
    ):
        self.bundle = bundle
        self.store = store
        self.lexicon = lexicon if lexicon is not None else SynonymLexicon.load()

    # ----- candidate generation --------------------------------------------------------

    def parse(self, query: str, use_lexicon: bool = True) -> ParsedQuery:
        return parse_query(query, self.bundle.tokenizer, self.lexicon if use_lexicon else None)

    def candidates(self, q: ParsedQuery, opts: SearchOptions) -> list[Fused]:
        depth = opts.depth or max(100, 4 * (opts.offset + opts.k))
        lists: dict[str, list[tuple[int, float]]] = {}
        if opts.mode in ("hybrid", "bm25"):
            lists["bm25"] = self.bundle.lexical_search(q.lexical_terms(), depth, opts.filters)
        if opts.mode in ("hybrid", "dense"):
            lists["dense"] = self.bundle.dense_search(
                self.bundle.encode_query(q.dense_text()), depth, opts.filters
            )
        return FUSIONS[opts.fusion](lists, opts.weights)

    # ----- results ---------------------------------------------------------------------

    def _hydrate(self, fused: list[Fused]) -> list[tuple[Fused, PassageRecord, ReportRecord]]:
        pids = [self.bundle.table.passage_ids[f.doc_id] for f in fused]
        passages = self.store.passages_by_ids(pids)
        reports = self.store.reports_by_ids([p.report_id for p in passages.values()])
        out = []
        for f, pid in zip(fused, pids, strict=True):
            p = passages.get(pid)
            if p is not None and p.report_id in reports:  # deleted since the index was built
                out.append((f, p, reports[p.report_id]))
        return out

    def _facets(
        self, rows: list[tuple[Fused, PassageRecord, ReportRecord]]
    ) -> dict[str, list[dict[str, Any]]]:
        counts: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
        for _, p, r in rows:
            counts["jurisdiction"][r.jurisdiction] += 1
            counts["level"][r.level] += 1
            counts["year"][r.year] += 1
            counts["doc_type"][r.doc_type] += 1
            counts["section_role"][p.section_role] += 1
        return {
            name: [{"value": v, "count": n} for v, n in c.most_common() if v is not None]
            for name, c in counts.items()
        }

    def _hits(
        self, q: ParsedQuery, rows: list[tuple[Fused, PassageRecord, ReportRecord]], per_report: int
    ) -> list[Hit]:
        collapsed = collapse(rows, key=lambda row: row[1].dup_group or row[1].passage_id)
        capped = cap_per_key(collapsed, key=lambda c: c[0][2].report_id, limit=per_report)
        terms = [t for t, _ in q.lexical_terms()]
        groups = [
            c[0][1].dup_group or c[0][1].passage_id for c in capped if c[0][1].dup_group or c[1]
        ]
        members = self.store.group_members(groups) if groups else {}
        other_ids = {pid for ms in members.values() for pid in ms}
        other_passages = self.store.passages_by_ids(sorted(other_ids)) if other_ids else {}
        other_reports = self.store.reports_by_ids([p.report_id for p in other_passages.values()])
        hits = []
        for (f, p, r), dupes in capped:
            key = p.dup_group or p.passage_id
            sources = [_source(r)]
            dup_ids = []
            for pid in members.get(key, []):
                if pid == p.passage_id or pid not in other_passages:
                    continue
                dup_ids.append(pid)
                other = other_reports.get(other_passages[pid].report_id)
                if other is not None and other.report_id != r.report_id:
                    sources.append(_source(other))
            hits.append(
                Hit(
                    passage=p,
                    report=r,
                    score=f.score,
                    highlights=highlight_spans(p.text, terms),
                    explain={
                        "fused": round(f.score, 6),
                        **{
                            k: {"rank": v["rank"], "score": round(v["score"], 4)}
                            for k, v in f.parts.items()
                        },
                    },
                    sources=sources,
                    duplicates=dup_ids or [d[1].passage_id for d in dupes],
                )
            )
        return hits

    def search(self, query: str, opts: SearchOptions | None = None) -> SearchResult:
        opts = opts or SearchOptions()
        opts.validate()
        t0 = time.perf_counter()
        q = self.parse(query, opts.use_lexicon)
        rows = self._hydrate(self.candidates(q, opts))
        facets = self._facets(rows)
        hits = self._hits(q, rows, opts.per_report)
        total = len(hits)
        groups = None
        if opts.group_by == "jurisdiction":
            grouped = group(hits, key=lambda h: h.report.jurisdiction)
            page_groups = grouped[opts.offset : opts.offset + opts.k]
            groups = [(g, hs) for g, hs in page_groups]
            page = [h for _, hs in page_groups for h in hs]
            total = len(grouped)
        else:
            page = hits[opts.offset : opts.offset + opts.k]
        return SearchResult(
            query=q.text,
            total=total,
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            hits=page,
            facets=facets,
            expansions=q.rules,
            groups=groups,
        )

    def similar(
        self,
        passage_id: str,
        k: int = 10,
        same_jurisdiction: bool = False,
        filters: Filters | None = None,
    ) -> SearchResult:
        """Passages like this one from other reports; other places unless asked."""
        source = self.store.get_passage(passage_id)
        if source is None:
            raise KeyError(passage_id)
        report = self.store.get_report(source.report_id, with_text=False)
        base = filters or Filters()
        exclude = (
            (report.jurisdiction,)
            if report and report.jurisdiction and not (same_jurisdiction)
            else ()
        )
        f = replace(
            base,
            exclude_reports=(source.report_id,),
            exclude_jurisdiction=base.exclude_jurisdiction + exclude,
        )
        opts = SearchOptions(k=k, filters=f)
        opts.validate()
        t0 = time.perf_counter()
        tokens = self.bundle.tokenizer.tokenize(source.text)
        # The passage's most distinctive words, as a BM25 query (more-like-this).
        table = Counter(tokens)
        terms = [
            (t, 1.0)
            for t, _ in sorted(table.items(), key=lambda kv: (-len(kv[0]), -kv[1]))
            if len(t) >= 2
        ][:32]
        lists = {
            "bm25": self.bundle.lexical_search(terms, 100, f),
            "dense": self.bundle.dense_search(self.bundle.encode_query(source.text), 100, f),
        }
        q = ParsedQuery(source.text[:40], source.text[:40], [t for t, _ in terms])
        rows = self._hydrate(FUSIONS["rrf"](lists))
        hits = self._hits(q, rows, opts.per_report)
        return SearchResult(
            query=source.text[:40],
            total=len(hits),
            took_ms=round((time.perf_counter() - t0) * 1000, 2),
            hits=hits[:k],
            facets=self._facets(rows),
        )


def _source(r: ReportRecord) -> dict[str, Any]:
    return {
        "report_id": r.report_id,
        "title": r.title,
        "jurisdiction": r.jurisdiction,
        "year": r.year,
        "path": r.source,
    }
