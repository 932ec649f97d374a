"""Every error is JSON with a code and a message; bad input is never a 500."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

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
    413: "too_large",
    422: "invalid_request",
    503: "unavailable",
}


def error(status: int, message: str, details: object = None) -> JSONResponse:
    body = {"error": {"code": CODES.get(status, "error"), "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(x) for x in first["loc"][1:]) or "request"
        return error(422, f"{where}: {first['msg']}", details)

    @app.exception_handler(QueryError)
    async def query_error(_: Request, exc: QueryError) -> JSONResponse:
        return error(400, str(exc))

    @app.exception_handler(FilterError)
    async def filter_error(_: Request, exc: FilterError) -> JSONResponse:
        return error(400, str(exc))

    @app.exception_handler(ExportError)
    async def export_error(_: Request, exc: ExportError) -> JSONResponse:
        return error(400, str(exc))

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error(404, str(exc))

    @app.exception_handler(IndexUnavailableError)
    async def no_index(_: Request, exc: IndexUnavailableError) -> JSONResponse:
        return error(503, str(exc))
