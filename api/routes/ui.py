from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import AppSettings, Service
from api.schemas import VocabResponse
from api.vocab import vocabulary

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["vocabulary"])


@api_router.get("/vocab", response_model=VocabResponse)
def vocab(service: Service) -> VocabResponse:
    """Levels (value and label), doc types, section roles, the themes of the served index
    and the request bounds: what the web UI's menus offer."""
    return vocabulary(service.taxonomy)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, service: Service) -> HTMLResponse:
    # The vocabularies go into the page itself: the menus exist at first paint, no round
    # trip, and the script has no copy of them.
    vocab = vocabulary(service.taxonomy).model_dump()
    return request.app.state.templates.TemplateResponse(request, "index.html", {"vocab": vocab})


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, settings: AppSettings) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(
        request,
        "upload.html",
        {
            "enabled": settings.api_key is not None,
            "max_mb": settings.max_upload_mb,
            "max_files": settings.max_upload_files,
        },
    )
