from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.convert import practices_response, request_filters
from api.deps import Service
from api.schemas import (
    ExportRequest,
    PracticesRequest,
    PracticesResponse,
    ThemeOut,
    ThemesResponse,
    TrendBucket,
    TrendsResponse,
    YearParam,
    error_responses,
)
from retrieval.defaults import MAX_QUERY_CHARS
from retrieval.export_docs import FORMATS
from retrieval.searcher import SearchOptions

router = APIRouter(prefix="/api", tags=["practices and themes"])
ERRORS = error_responses(400, 422, 503)


@router.get("/practices", response_model=PracticesResponse, responses=ERRORS)
def practices(req: Annotated[PracticesRequest, Query()], service: Service) -> PracticesResponse:
    """Practice cards: one group per report (one per place and year), best first."""
    filters = request_filters(req, service.taxonomy)
    opts = SearchOptions(k=req.k, offset=req.offset, filters=filters)
    return practices_response(service.practices(req.q, opts))


@router.get("/themes", response_model=ThemesResponse, responses=ERRORS)
def themes(
    service: Service,
    jurisdiction: str | None = None,
    level: str | None = None,
    year_from: YearParam = None,
    year_to: YearParam = None,
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
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    theme: str | None = None,
    by: Literal["year", "level", "region"] = "year",
    jurisdiction: str | None = None,
    level: str | None = None,
    year_from: YearParam = None,
    year_to: YearParam = None,
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
    data = service.export(items, req.format, req.query)
    return Response(
        data,
        media_type=FORMATS[req.format],
        headers={"Content-Disposition": f'attachment; filename="jiejian-export.{req.format}"'},
    )
