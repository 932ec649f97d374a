"""Search results as plain JSON-ready dicts (the shape the HTTP API and `--json` share)."""

from __future__ import annotations

from typing import Any

from corpus.store import ReportRecord
from retrieval.searcher import Hit, SearchResult


def report_json(r: ReportRecord) -> dict[str, Any]:
    return {
        "report_id": r.report_id,
        "title": r.title,
        "jurisdiction": r.jurisdiction,
        "jurisdiction_path": r.jurisdiction_path,
        "level": r.level,
        "org_type": r.org_type,
        "year": r.year,
        "doc_type": r.doc_type,
        "source": r.source,
    }


def hit_json(h: Hit) -> dict[str, Any]:
    p = h.passage
    return {
        "passage_id": p.passage_id,
        "text": p.text,
        "highlights": h.highlights,
        "score": round(h.score, 6),
        "section_path": p.section_path,
        "section_role": p.section_role,
        "start": p.start,
        "end": p.end,
        "sources": h.sources,
        "duplicates": h.duplicates,
        "explain": h.explain,
        "report": report_json(h.report),
    }


def result_json(result: SearchResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": result.query,
        "total": result.total,
        "took_ms": result.took_ms,
        "results": [hit_json(h) for h in result.hits],
        "facets": result.facets,
        "expansions": [{"phrase": p, "terms": t} for p, t in result.expansions],
    }
    if result.groups is not None:
        out["groups"] = [
            {"jurisdiction": g, "results": [h.passage.passage_id for h in hits]}
            for g, hits in result.groups
        ]
    return out
