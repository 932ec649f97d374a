from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import AppSettings

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, "index.html", {})


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
