from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.convert import request_filters
from api.deps import Service
from api.schemas import (
    ExportRequest,
    FacetValue,
    PracticeGroupOut,
    PracticeOut,
    PracticesRequest,
    PracticesResponse,
    ThemeOut,
    ThemesResponse,
    TrendBucket,
    TrendsResponse,
    error_responses,
)
from retrieval.export_docs import FORMATS
from retrieval.searcher import SearchOptions

router = APIRouter(prefix="/api", tags=["practices and themes"])
ERRORS = error_responses(400, 422, 503)


@router.get("/practices", response_model=PracticesResponse, responses=ERRORS)
def practices(req: Annotated[PracticesRequest, Query()], service: Service) -> PracticesResponse:
    """Practice cards: one group per report (one per place and year), best first."""
    filters = request_filters(req)
    res = service.practices(req.q, SearchOptions(k=req.k, offset=req.offset, filters=filters))
    facets = {
        name: [FacetValue(value=v["value"], count=v["count"]) for v in values]  # type: ignore[arg-type]
        for name, values in res.facets.items()
    }
    return PracticesResponse(
        facets=facets,
        query=res.query,
        total=res.total,
        took_ms=res.took_ms,
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
            for g in res.groups
        ],
    )


@router.get("/themes", response_model=ThemesResponse, responses=ERRORS)
def themes(
    service: Service,
    jurisdiction: str | None = None,
    level: str | None = None,
    year_from: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    doc_type: str | None = None,
    section_role: str | None = None,
) -> ThemesResponse:
    """The taxonomy with report counts, by year and by level, under the filters."""
    rows = service.themes(
        jurisdiction=jurisdiction,
        level=level,
        year_from=year_from,
        year_to=year_to,
        doc_type=doc_type,
        section_role=section_role,
    )
    return ThemesResponse(themes=[ThemeOut(**r) for r in rows])


@router.get("/trends", response_model=TrendsResponse, responses=ERRORS)
def trends(
    service: Service,
    q: Annotated[str | None, Query(max_length=200)] = None,
    theme: str | None = None,
    by: Literal["year", "level", "region"] = "year",
    jurisdiction: str | None = None,
    level: str | None = None,
    year_from: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1949, le=2100)] = None,
) -> TrendsResponse:
    """Reports matching a query or a theme, counted per year, level or region."""
    buckets = service.trends(
        q, theme, by, jurisdiction=jurisdiction, level=level, year_from=year_from, year_to=year_to
    )
    return TrendsResponse(by=by, query=q, theme=theme, buckets=[TrendBucket(**b) for b in buckets])


@router.post(
    "/export",
    responses={
        200: {"content": {m: {} for m in FORMATS.values()}},
        **error_responses(400, 422),
    },
)
def export(req: ExportRequest, service: Service) -> Response:
    """The drafting basket as DOCX, Markdown or CSV; every item followed by its citation."""
    items = [{k: v for k, v in i.model_dump().items() if v} for i in req.items]
    data = service.export(items, req.format)
    return Response(
        data,
        media_type=FORMATS[req.format],
        headers={"Content-Disposition": f'attachment; filename="jiejian-export.{req.format}"'},
    )
