"""Dependencies: the settings and the service live on the app, never in module globals."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

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
    expected = settings.api_key.get_secret_value()
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), expected):
        raise HTTPException(401, "missing or wrong API key (Authorization: Bearer <key>)")


Service = Annotated[SearchService, Depends(get_service)]
AppSettings = Annotated[Settings, Depends(get_settings)]
