"""Retrieval results -> API response models."""

from __future__ import annotations

from typing import Any

from api.schemas import (
    Expansion,
    FacetValue,
    FilterParams,
    Group,
    PassageOut,
    PracticeGroupOut,
    PracticeOut,
    PracticesResponse,
    ReportRef,
    ReportSummary,
    SearchHit,
    SearchResponse,
    SourceRef,
)
from corpus.store import PassageRecord, ReportRecord
from index.filters import Filters
from retrieval.filters import make_filters
from retrieval.practice_search import PracticeResult
from retrieval.searcher import Hit, SearchResult


def request_filters(req: FilterParams) -> Filters:
    """The filter fields that search and practice requests share, as engine filters."""
    return make_filters(
        req.jurisdiction,
        req.exclude_jurisdiction,
        req.level,
        req.year_from,
        req.year_to,
        req.doc_type,
        req.section_role,
        req.theme,
    )


def report_ref(r: ReportRecord) -> ReportRef:
    return ReportRef(
        report_id=r.report_id,
        title=r.title,
        jurisdiction=r.jurisdiction,
        jurisdiction_path=r.jurisdiction_path,
        level=r.level,
        org_type=r.org_type,
        year=r.year,
        year_delivered=r.year_delivered,
        date=r.date,
        review_period=r.review_period,
        doc_type=r.doc_type,
        source=r.source,
    )


def report_summary(r: ReportRecord) -> ReportSummary:
    return ReportSummary(**report_ref(r).model_dump(), n_passages=r.n_passages)


def passage_out(p: PassageRecord) -> PassageOut:
    return PassageOut(
        passage_id=p.passage_id,
        text=p.text,
        section_path=p.section_path,
        section_role=p.section_role,
        start=p.start,
        end=p.end,
        ocr=p.ocr,
    )


def hit(h: Hit) -> SearchHit:
    p = h.passage
    return SearchHit(
        passage_id=p.passage_id,
        text=p.text,
        highlights=h.highlights,
        score=h.score,
        section_path=p.section_path,
        section_role=p.section_role,
        start=p.start,
        end=p.end,
        sources=[SourceRef(**s) for s in h.sources],
        duplicates=h.duplicates,
        explain=h.explain,
        report=report_ref(h.report),
        ocr=p.ocr,
    )


def facets(counts: dict[str, list[dict[str, Any]]]) -> dict[str, list[FacetValue]]:
    return {
        name: [FacetValue(value=v["value"], count=v["count"]) for v in values]
        for name, values in counts.items()
    }


def search_response(result: SearchResult) -> SearchResponse:
    return SearchResponse(
        query=result.query,
        total=result.total,
        has_more=result.has_more,
        total_exact=result.total_exact,
        took_ms=result.took_ms,
        results=[hit(h) for h in result.hits],
        facets=facets(result.facets),
        expansions=[Expansion(phrase=p, terms=t) for p, t in result.expansions],
        groups=None
        if result.groups is None
        else [
            Group(jurisdiction=g, results=[h.passage.passage_id for h in hits])
            for g, hits in result.groups
        ],
    )


def practices_response(result: PracticeResult) -> PracticesResponse:
    return PracticesResponse(
        facets=facets(result.facets),
        query=result.query,
        total=result.total,
        took_ms=result.took_ms,
        groups=[
            PracticeGroupOut(
                report_id=g.report.report_id,
                title=g.report.title,
                jurisdiction=g.report.jurisdiction,
                jurisdiction_path=g.report.jurisdiction_path,
                level=g.report.level,
                year=g.report.year,
                doc_type=g.report.doc_type,
                source=g.report.source,
                practices=[
                    PracticeOut(
                        practice_id=h.practice.practice_id,
                        text=h.practice.text,
                        passage_id=h.practice.passage_id,
                        section_path=h.practice.section_path,
                        figures=h.practice.figures,
                        highlights=h.highlights,
                        score=round(h.score, 6),
                    )
                    for h in g.hits
                ],
            )
            for g in result.groups
        ],
    )
