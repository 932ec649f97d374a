"""Shared fixtures of the reliability suite: a generated corpus big enough that its vector
file passes 1 MiB (the size the old refresh hard-linked and then overwrote in place)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from corpus.pipeline import ingest
from corpus.store import CorpusStore
from index.builder import refresh
from index.config import IndexConfig

REPO = Path(__file__).resolve().parents[2]


def generate_corpus(out: Path, mb: float, seed: int = 7) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from bench_ingest import generate
    finally:
        sys.path.remove(str(REPO / "scripts"))
    generate(out, mb, seed)


@pytest.fixture(scope="session")
def big_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with ~1,500 generated passages, ingested and indexed once."""
    root = tmp_path_factory.mktemp("big")
    generate_corpus(root / "src", 0.9)
    data = root / "data"
    with CorpusStore(data) as store:
        ingest([root / "src"], store, workers=2)
        refresh(store, IndexConfig())
    return data


@pytest.fixture
def big_copy(big_index: Path, tmp_path: Path) -> Path:
    """A private copy of ``big_index`` a test may damage (symlinks kept)."""
    data = tmp_path / "data"
    shutil.copytree(big_index, data, symlinks=True)
    return data
