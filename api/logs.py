"""One logging configuration for the server and the CLI (standard ``logging``).

``JIEJIAN_LOG_LEVEL`` (or ``--log-level``) sets the level of every ``jiejian`` logger, the
library's own (``corpus``, ``index``, ``retrieval``, ``api``) included; ``JIEJIAN_LOG_JSON``
writes one JSON object per line instead of plain text, for log collectors.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGGERS = ("jiejian", "corpus", "index", "retrieval", "api")
# Third-party loggers whose INFO lines read as errors to an operator: faiss's loader reports
# each CPU build it could not load (ModuleNotFoundError ... swigfaiss_avx512) before it
# loads the one that fits. Their warnings still show.
QUIET = ("faiss.loader",)
ACCESS = logging.getLogger("jiejian.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("method", "path", "status", "ms"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str = "INFO", as_json: bool = False) -> None:
    """Send every jiejian logger to stderr at ``level``; replaces an earlier configuration."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))


class AccessLog:
    """One line per request: method, path, status and duration (ms)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            ms = round((time.perf_counter() - started) * 1000, 1)
            ACCESS.info(
                "%s %s %s %.1f ms",
                scope["method"],
                scope["path"],
                status,
                ms,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": ms,
                },
            )
