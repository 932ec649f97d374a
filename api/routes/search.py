from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.convert import request_filters, search_response
from api.deps import Service
from api.schemas import SearchRequest, SearchResponse, error_responses
from retrieval.searcher import SearchOptions

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", response_model=SearchResponse, responses=error_responses(400, 422, 503))
def search(req: Annotated[SearchRequest, Query()], service: Service) -> SearchResponse:
    """Passages that answer the query, from many places, best first, with facets."""
    filters = request_filters(req, service.taxonomy)
    opts = SearchOptions(
        k=req.k,
        offset=req.offset,
        filters=filters,
        mode=req.mode,
        group_by=req.group_by,
        sort=req.sort,
    )
    return search_response(service.search(req.q, opts))
