"""The FastAPI application: JSON API under /api, the Chinese web UI at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api import errors
from api.routes import docs, documents, health, insights, passages, reports, search, ui
from api.settings import Settings
from retrieval.service import SearchService

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = SearchService(settings.data, settings.index_config(), settings.synonyms)
        try:
            yield
        finally:
            app.state.service.close()

    app = FastAPI(
        title="借鉴 jiejian",
        description="Search Chinese trade-union work reports: practices from other places, "
        "with where and when each came from.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by api/routes/docs.py from local assets (works offline)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    errors.install(app)
    for module in (search, insights, passages, reports, documents, health, ui, docs):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    return app
