"""One logging configuration: an access line per request, ingest summaries, warnings for
skipped files and a degraded index, plain or JSON lines."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.logs import ACCESS, LOGGERS, QUIET, JsonFormatter, configure_logging
from api.settings import Settings
from corpus.pipeline import ingest
from corpus.store import CorpusStore


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _collect(name: str) -> Collect:
    handler = Collect()
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


def test_access_line_per_request_and_degraded_index_warning(tmp_path: Path) -> None:
    access, service = _collect(ACCESS.name), _collect("retrieval.service")
    try:
        with TestClient(create_app(Settings(data=tmp_path / "empty"))) as c:
            assert c.get("/api/health").status_code == 200
            assert c.get("/api/nowhere").status_code == 404
    finally:
        logging.getLogger(ACCESS.name).removeHandler(access)
        logging.getLogger("retrieval.service").removeHandler(service)
    lines = [(r.method, r.path, r.status) for r in access.records]  # type: ignore[attr-defined]
    assert ("GET", "/api/health", 200) in lines and ("GET", "/api/nowhere", 404) in lines
    assert all(r.ms >= 0 for r in access.records)  # type: ignore[attr-defined]
    assert any("index not loaded" in r.getMessage() for r in service.records)


def test_skipped_files_are_warnings(tmp_path: Path) -> None:
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 8)
    handler = _collect("corpus.pipeline")
    try:
        with CorpusStore(tmp_path / "data") as store:
            ingest([tmp_path / "bin.txt"], store)
    finally:
        logging.getLogger("corpus.pipeline").removeHandler(handler)
    warnings = [r for r in handler.records if r.levelno == logging.WARNING]
    assert warnings and "skipped" in warnings[0].getMessage()


def test_json_lines_carry_the_request_fields() -> None:
    record = logging.LogRecord("jiejian.access", logging.INFO, "x", 1, "GET / 200", None, None)
    record.method, record.path, record.status, record.ms = "GET", "/", 200, 1.5
    doc = json.loads(JsonFormatter().format(record))
    assert doc["logger"] == "jiejian.access" and doc["status"] == 200 and doc["ms"] == 1.5


def test_log_level_option_and_setting(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("JIEJIAN_LOG_LEVEL", raising=False)
    runner = CliRunner()
    bad = runner.invoke(cli, ["--log-level", "LOUD", "export", "--data", str(tmp_path)])
    assert bad.exit_code == 2 and "log_level" in bad.output
    src = tmp_path / "a.txt"
    src.write_text("凤凰镇工会2019年工作总结\n2019年，镇工会开展送温暖活动3次。\n", "utf-8")
    args = ["--log-level", "WARNING", "ingest", str(src), "--data", str(tmp_path / "d")]
    ok = runner.invoke(cli, args)
    assert ok.exit_code == 0, ok.output
    assert logging.getLogger("corpus").level == logging.WARNING
    configure_logging("INFO")
    assert logging.getLogger("api").level == logging.INFO


@pytest.mark.parametrize(
    ("level", "info", "warning"), [("INFO", False, True), ("ERROR", False, False)]
)
def test_faiss_loader_info_is_quiet(level: str, info: bool, warning: bool) -> None:
    # Its fallback from the AVX512 build is logged at INFO with a ModuleNotFoundError.
    names = (*LOGGERS, *QUIET)
    saved = [
        (logging.getLogger(n).level, logging.getLogger(n).handlers, logging.getLogger(n).propagate)
        for n in names
    ]
    try:
        configure_logging(level)
        loader = logging.getLogger("faiss.loader")
        assert loader.isEnabledFor(logging.INFO) is info
        assert loader.isEnabledFor(logging.WARNING) is warning
    finally:
        for n, (lv, handlers, propagate) in zip(names, saved, strict=True):
            logger = logging.getLogger(n)
            logger.setLevel(lv)
            logger.handlers = handlers
            logger.propagate = propagate
