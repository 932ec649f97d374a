"""Dependencies: the settings and the service live on the app, never in module globals."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from api.service import AppService
from api.settings import Settings
from retrieval.service import SearchService


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_service(request: Request) -> SearchService:
    return request.app.state.service


def require_api_key(
    settings: Annotated[Settings, Depends(get_settings)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """Write endpoints need ``Authorization: Bearer <JIEJIAN_API_KEY>``; with no key
    configured they are disabled, not open."""
    if settings.api_key is None:
        raise HTTPException(403, "uploads and deletions are disabled: set JIEJIAN_API_KEY")
    expected = settings.api_key.get_secret_value().encode("utf-8")
    scheme, _, token = (authorization or "").partition(" ")
    # bytes: compare_digest refuses non-ASCII str, and a malformed header is a 401, not a 500
    given = token.strip().encode("utf-8", "surrogateescape")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise HTTPException(401, "missing or wrong API key (Authorization: Bearer <key>)")


def get_app_service(request: Request) -> AppService:
    return request.app.state.service


Service = Annotated[SearchService, Depends(get_service)]
Writer = Annotated[AppService, Depends(get_app_service)]
AppSettings = Annotated[Settings, Depends(get_settings)]
