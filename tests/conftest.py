from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.pipeline import ingest
from corpus.store import CorpusStore

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("JIEJIAN_SEEDS", REPO.parent / "shared" / "corpus" / "seeds"))


def seed_files() -> list[Path]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed corpus not found at {SEEDS} (set JIEJIAN_SEEDS)")
    return sorted(SEEDS.glob("*.txt"))


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


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    s = CorpusStore(tmp_path / "data")
    yield s
    s.close()
