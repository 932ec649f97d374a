from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.convert import passage_out, report_ref, search_response
from api.deps import Service
from api.schemas import PassageContextResponse, SearchResponse, error_responses
from retrieval.defaults import DEFAULT_K, MAX_CONTEXT, MAX_K

router = APIRouter(prefix="/api/passages", tags=["passages"])
PassageId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get(
    "/{passage_id}",
    response_model=PassageContextResponse,
    responses=error_responses(404),
)
def passage(
    passage_id: PassageId,
    service: Service,
    context: Annotated[int, Query(ge=0, le=MAX_CONTEXT)] = 2,
) -> PassageContextResponse:
    """The passage with its report's fields and the passages around it."""
    ctx = service.passage(passage_id, context)
    return PassageContextResponse(
        passage=passage_out(ctx.passage),
        report=report_ref(ctx.report),
        before=[passage_out(p) for p in ctx.before],
        after=[passage_out(p) for p in ctx.after],
    )


@router.get(
    "/{passage_id}/similar",
    response_model=SearchResponse,
    responses=error_responses(404, 503),
)
def similar(
    passage_id: PassageId,
    service: Service,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = DEFAULT_K,
    same_jurisdiction: bool = False,
) -> SearchResponse:
    """Similar passages from other reports; other places unless same_jurisdiction."""
    return search_response(service.similar(passage_id, k, same_jurisdiction))
