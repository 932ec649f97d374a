from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from api.convert import facets, passage_out, report_summary
from api.deps import Service, Writer, require_api_key
from api.routes.documents import accepted
from api.schemas import (
    JobAccepted,
    ReportDetail,
    ReportsResponse,
    YearParam,
    error_responses,
)
from retrieval.defaults import MAX_REPORTS_OFFSET, MAX_REPORTS_PAGE, REPORTS_PAGE
from retrieval.service import NotFoundError

router = APIRouter(prefix="/api/reports", tags=["reports"])
ReportId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("", response_model=ReportsResponse, responses=error_responses(400))
def reports(
    service: Service,
    limit: Annotated[int, Query(ge=1, le=MAX_REPORTS_PAGE)] = REPORTS_PAGE,
    offset: Annotated[int, Query(ge=0, le=MAX_REPORTS_OFFSET)] = 0,
    jurisdiction: str | None = None,
    exclude_jurisdiction: str | None = None,
    level: str | None = None,
    year_from: YearParam = None,
    year_to: YearParam = None,
    doc_type: str | None = None,
) -> ReportsResponse:
    """Reports in the corpus, filtered, in ingest order, with report counts by place,
    level and year under the same filters."""
    filters = {
        "jurisdiction": jurisdiction,
        "exclude_jurisdiction": exclude_jurisdiction,
        "level": level,
        "year_from": year_from,
        "year_to": year_to,
        "doc_type": doc_type,
    }
    total, rows = service.reports(limit, offset, **filters)
    return ReportsResponse(
        total=total,
        reports=[report_summary(r) for r in rows],
        facets=facets(service.report_facets(**filters)),
    )


@router.get("/{report_id}", response_model=ReportDetail, responses=error_responses(404))
def report(report_id: ReportId, service: Service) -> ReportDetail:
    """A report's fields, its text in the original script, and its passages."""
    r, passages = service.report(report_id)
    return ReportDetail(
        **report_summary(r).model_dump(),
        script=r.script,
        sources=r.sources,
        text=r.text or "",
        passages=[passage_out(p) for p in passages],
    )


@router.delete(
    "/{report_id}",
    status_code=202,
    response_model=JobAccepted,
    dependencies=[Depends(require_api_key)],
    responses=error_responses(401, 403, 404),
)
def delete(report_id: ReportId, service: Writer) -> JSONResponse:
    """Queue the removal of a report from the store and the indexes (needs the API key):
    ``202`` with a job to follow at ``/api/jobs/{id}``."""
    if not service.has_report(report_id):
        raise NotFoundError(f"no report {report_id!r}")
    return accepted(service.submit("delete", report_id=report_id))
