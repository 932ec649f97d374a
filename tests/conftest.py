from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.pipeline import ingest
from corpus.store import CorpusStore

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JIEJIAN_SHARED", REPO.parent / "shared"))
SEEDS = Path(os.environ.get("JIEJIAN_SEEDS", SHARED / "corpus" / "seeds"))
REAL = SHARED / "corpus" / "real"


def shared_dir(path: Path, what: str) -> Path:
    """A folder of the shared data: skipped when absent, except under CI, where a missing
    ``../shared`` is a failure (tests must not pass by skipping)."""
    if not path.is_dir():
        message = f"{what} not found at {path} (set JIEJIAN_SHARED)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


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
