"""Every error is JSON with a code and a message; bad input is never a 500."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from index.filters import FilterError
from retrieval.export_docs import ExportError
from retrieval.query import QueryError
from retrieval.service import IndexUnavailableError, NotFoundError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}
# Errors the service raises for a request it cannot answer, and the status each means.
DOMAIN_ERRORS: tuple[tuple[type[Exception], int], ...] = (
    (QueryError, 400),
    (FilterError, 400),
    (ExportError, 400),
    (NotFoundError, 404),
)
log = logging.getLogger(__name__)


def error(
    status: int, message: str, details: object = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, dict[str, object]] = {
        "error": {"code": CODES.get(status, "error"), "message": message}
    }
    if details is not None:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _message_as(status: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        return error(status, str(exc))

    return handler


def install(app: FastAPI) -> None:
    # Starlette's class: the framework's own 404 (no route) and 405 land here too.
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error(500, "internal error: the server log has the details")

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(x) for x in first["loc"][1:]) or "request"
        return error(422, f"{where}: {first['msg']}", details)

    for exc_type, status in DOMAIN_ERRORS:
        app.add_exception_handler(exc_type, _message_as(status))

    @app.exception_handler(IndexUnavailableError)
    async def no_index(_: Request, exc: IndexUnavailableError) -> JSONResponse:
        return error(503, str(exc), headers={"Retry-After": "30"})
