"""Retrieval results -> API response models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

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
from corpus.themes import Theme
from index.filters import Filters
from retrieval.export_docs import issuer
from retrieval.filters import make_filters
from retrieval.practice_search import PracticeResult
from retrieval.searcher import Hit, SearchResult


def request_filters(req: FilterParams, taxonomy: tuple[Theme, ...] | None = None) -> Filters:
    """The filter fields that search and practice requests share, as engine filters;
    theme names resolve in ``taxonomy`` (the served index's)."""
    return make_filters(
        req.jurisdiction,
        req.exclude_jurisdiction,
        req.level,
        req.year_from,
        req.year_to,
        req.doc_type,
        req.section_role,
        req.theme,
        taxonomy=taxonomy,
    )


def _attrs(obj: object, model: type[BaseModel], *converted: str) -> dict[str, Any]:
    """The attributes of a record that a response model has fields for, less those the caller
    converts itself: one copy rule for every record -> model conversion, so a field added to
    both travels without a new line."""
    return {
        name: getattr(obj, name)
        for name in model.model_fields
        if name not in converted and hasattr(obj, name)
    }


def report_ref(r: ReportRecord) -> ReportRef:
    return ReportRef(**_attrs(r, ReportRef, "issuer"), issuer=issuer(r))


def report_summary(r: ReportRecord) -> ReportSummary:
    return ReportSummary(**_attrs(r, ReportSummary, "issuer"), issuer=issuer(r))


def passage_out(p: PassageRecord) -> PassageOut:
    return PassageOut(**_attrs(p, PassageOut))


def hit(h: Hit) -> SearchHit:
    return SearchHit(
        **_attrs(h.passage, PassageOut),
        highlights=h.highlights,
        score=h.score,
        sources=[SourceRef(**s) for s in h.sources],
        duplicates=h.duplicates,
        explain=h.explain,
        report=report_ref(h.report),
    )


def facets(counts: dict[str, list[dict[str, Any]]]) -> dict[str, list[FacetValue]]:
    return {
        name: [FacetValue(value=v["value"], count=v["count"]) for v in values]
        for name, values in counts.items()
    }


def search_response(result: SearchResult) -> SearchResponse:
    return SearchResponse(
        **_attrs(result, SearchResponse, "facets", "expansions", "groups"),
        results=[hit(h) for h in result.hits],
        facets=facets(result.facets),
        expansions=[Expansion(phrase=p, terms=t) for p, t in result.expansions],
        absent_terms=result.absent,
        groups=None
        if result.groups is None
        else [
            Group(jurisdiction=g, results=[h.passage.passage_id for h in hits])
            for g, hits in result.groups
        ],
    )


def practices_response(result: PracticeResult) -> PracticesResponse:
    return PracticesResponse(
        **_attrs(result, PracticesResponse, "facets", "groups"),
        facets=facets(result.facets),
        groups=[
            PracticeGroupOut(
                **_attrs(g.report, PracticeGroupOut, "issuer"),
                issuer=issuer(g.report),
                practices=[
                    PracticeOut(
                        **_attrs(h.practice, PracticeOut),
                        highlights=h.highlights,
                        score=round(h.score, 6),
                    )
                    for h in g.hits
                ],
            )
            for g in result.groups
        ],
    )
