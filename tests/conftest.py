"""Fixtures built once per session (expensive: ingest, index, train), shared read-only;
a test that writes takes a copy (``copy_data``). Under pytest-xdist (scripts/test.sh runs
``-n 2 --dist loadgroup``) the tests that use one of these fixtures are kept on one worker,
so each is still built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.pipeline import ingest
from corpus.store import CorpusStore
from tests import pgserver
from tests.shared_paths import REAL, REPO, SEEDS, SHARED, under_ci

__all__ = ["REAL", "REPO", "SEEDS", "SHARED"]


def shared_dir(path: Path, what: str) -> Path:
    """A folder of the shared data: skipped when absent, except under CI, where a missing
    ``../shared`` (or a wrong JIEJIAN_SHARED / JIEJIAN_SEEDS) is a failure: tests must not
    pass by skipping."""
    if not path.is_dir():
        message = f"{what} not found at {path} (set JIEJIAN_SHARED)"
        if under_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


# Session fixtures that build data, and the xdist group of the tests that use each.
GROUPS = {
    "seed_store": "seeds",
    "real_store": "real",
    "demo_data": "demo",
    "api_data": "api",
    "big_index": "big",
    "pg": "postgres",  # tests/test_store_backends.py: one PostgreSQL server and its ingests
    "contract_store": "backends",  # tests/test_index_backends.py: local and Milvus builds
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        group = next((g for fixture, g in GROUPS.items() if fixture in names), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def copy_data(built: Path, to: Path) -> Path:
    """A private copy of a built data directory, for a test that writes (symlinks kept)."""
    shutil.copytree(built, to, symlinks=True)
    return to


def seed_files() -> list[Path]:
    return sorted(shared_dir(SEEDS, "seed corpus").glob("*.txt"))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    files = seed_files()
    store = CorpusStore(tmp_path_factory.mktemp("seeds"))
    summary = ingest(files, store)
    assert summary.files_read == len(files)
    return store


@pytest.fixture(scope="session")
def seed_searcher(seed_store: CorpusStore):  # type: ignore[no-untyped-def]
    """The seeds, indexed with the default (offline, corpus-built) configuration."""
    from index.builder import refresh
    from index.bundle import IndexBundle
    from index.config import IndexConfig
    from retrieval.searcher import Searcher

    refresh(seed_store, IndexConfig())
    return Searcher(IndexBundle.load(seed_store.data_dir, IndexConfig()), seed_store)


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> CorpusStore:
    """The real government reports and scraped union pages, ingested once."""
    real = shared_dir(REAL, "real report corpus")
    store = CorpusStore(tmp_path_factory.mktemp("real"))
    ingest([real], store, workers=2)
    return store


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    s = CorpusStore(tmp_path / "data")
    yield s
    s.close()


DEMO = REPO / "demo" / "corpus"
API_KEY = "test-key-123"
# The API tests' corpus: five demo files (simplified and traditional, a compilation).
API_FILES = (
    "sanhe.txt",
    "liangzhu.txt",
    "shishan_download.txt",
    "tianhe_big5.txt",
    "township_compilation.txt",
)


@pytest.fixture(scope="session")
def api_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``API_FILES`` ingested and indexed once; tests serve or write a copy of it."""
    from index.builder import refresh
    from index.config import IndexConfig

    data = tmp_path_factory.mktemp("api") / "data"
    with CorpusStore(data) as store:
        ingest([DEMO / name for name in API_FILES], store)
        refresh(store, IndexConfig())
    return data


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus ingested and indexed once for the web tests."""
    from index.builder import refresh
    from index.config import IndexConfig

    data = tmp_path_factory.mktemp("demo-data")
    with CorpusStore(data) as store:
        ingest([DEMO], store)
        refresh(store, IndexConfig())
    return data


@pytest.fixture(scope="session")
def live_server(demo_data: Path):  # type: ignore[no-untyped-def]
    """The real app under uvicorn on a free loopback port, started by the tests."""
    import socket
    import threading
    import time

    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data=demo_data, api_key=API_KEY, host="127.0.0.1", port=port)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def pg() -> Iterator[pgserver.PgServer]:
    """One throw-away PostgreSQL server for the store suites (tests/pgserver.py)."""
    reason = pgserver.missing_reason()
    if reason is not None:
        pytest.skip(reason)
    with pgserver.running() as server:
        yield server
