"""The FastAPI application: JSON API under /api, the Chinese web UI at /."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from api import errors
from api.logs import AccessLog
from api.routes import docs, documents, health, insights, passages, reports, search, ui
from api.service import AppService
from api.settings import Settings

HERE = Path(__file__).resolve().parent
# Cheap and needed to see an overloaded server: never turned away.
UNLIMITED = ("/api/health", "/static/")


class CapacityLimit:
    """Beyond ``limit`` API requests in progress in this process, answer 503 with
    Retry-After at once: a client (or a load balancer over ``--workers``) retries, instead
    of every request queueing behind the busy threads for seconds."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit
        self.inflight = 0
        self._guard = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        with self._guard:
            full = self.inflight >= self.limit
            if not full:
                self.inflight += 1
        if full:
            response = errors.error(
                503,
                f"busy: more than {self.limit} requests in progress; retry shortly",
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._guard:
                self.inflight -= 1


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = AppService(settings)
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
    app.include_router(ui.api_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    # Same-origin by default: no CORS headers unless origins are configured.
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(CapacityLimit, limit=settings.max_inflight)
    # Outermost: the access log sees every answer, 503s from the capacity limit included.
    app.add_middleware(AccessLog)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``jiejian serve --workers N``: each worker process reads the settings
    from the environment the command prepared."""
    return create_app(Settings())
