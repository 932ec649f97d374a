"""Crash-safe publishing and self-check: a refresh that dies leaves the published version
untouched; damaged versions are recognised, never served, and `refresh` rebuilds them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from corpus.pipeline import ingest
from corpus.store import CorpusStore
from index.builder import VECTORS_DIR, check_version, current_dir, refresh
from index.bundle import IndexBundle, IndexDamagedError
from index.config import IndexConfig
from index.doctable import DocTable
from index.manifest import IndexMismatchError
from retrieval.searcher import Searcher, SearchOptions
from tests.conftest import copy_data

NEW = (
    "溧阳市总工会2021年工作总结\n一、主要做法\n一是开展天目湖职工驿站建设，新建驿站15个，"
    "服务环卫工人、快递员三万人次。二是推进茶叶行业工资集体协商，覆盖茶企120家。\n"
    "二、存在问题\n驿站运营经费保障不足。\n"
)


def _digests(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(directory).as_posix(): (p.stat().st_size, hash(p.read_bytes()))
        for p in directory.rglob("*")
        if p.is_file()
    }


def test_a_refresh_that_dies_after_saving_vectors_leaves_the_published_index_intact(
    big_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = current_dir(big_copy)
    assert published is not None
    vec = published / VECTORS_DIR / "vectors.faiss"
    assert vec.stat().st_size > 1 << 20  # the size the old code hard-linked
    before = _digests(published)
    (tmp_path / "new.txt").write_text(NEW, "utf-8")

    def die(self: DocTable, directory: Path) -> None:
        raise OSError("disk full (simulated) after the vectors were written")

    with CorpusStore(big_copy) as store:
        ingest([tmp_path / "new.txt"], store)
        monkeypatch.setattr(DocTable, "save", die)
        with pytest.raises(OSError, match="simulated"):
            refresh(store, IndexConfig())
        monkeypatch.undo()
        assert current_dir(big_copy) == published
        assert _digests(published) == before  # nothing written through a shared link
        assert check_version(published) == []
        bundle = IndexBundle.load(big_copy, IndexConfig())
        assert bundle.vectors.ntotal == bundle.table.n_alive
        hits = Searcher(bundle, store).search("职工驿站", SearchOptions(mode="dense")).hits
        assert hits
        # no half-written version is left behind, and the next refresh publishes the report
        assert not [d for d in (big_copy / "indexes").iterdir() if d.suffix == ".tmp"]
        report = refresh(store, IndexConfig())
        assert report.mode == "refreshed" and report.added > 0
        assert _digests(published) == before
        hits = Searcher(IndexBundle.load(big_copy, IndexConfig()), store).search("天目湖职工驿站")
        assert hits.hits[0].report.jurisdiction == "溧阳市"


def _segment(directory: Path) -> Path:
    return max((directory / "bm25").glob("*.idx"), key=lambda p: p.stat().st_size)


def _model_file(directory: Path) -> Path:
    return max((p for p in (directory / "model").rglob("*") if p.is_file()), key=os.path.getsize)


DAMAGE = {
    "truncated faiss": (lambda d: d / "vectors" / "vectors.faiss", "truncate"),
    "garbled faiss": (lambda d: d / "vectors" / "vectors.faiss", "garble"),
    "truncated tantivy": (_segment, "truncate"),
    "garbled tantivy": (_segment, "garble"),
    "truncated doc table": (lambda d: d / "doctable.npz", "truncate"),
    "garbled doc table": (lambda d: d / "doctable.json", "garble"),
    "truncated manifest": (lambda d: d / "manifest.json", "truncate"),
    "garbled manifest": (lambda d: d / "manifest.json", "garble"),
    "truncated model": (_model_file, "truncate"),
    "garbled model": (_model_file, "garble"),
    "deleted vectors": (lambda d: d / "vectors" / "vectors.faiss", "delete"),
}


def damage(path: Path, how: str) -> None:
    # A published file may be a hard link shared with no one else here (a private copy).
    data = path.read_bytes()
    path.unlink()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garble":
        rng = np.random.default_rng(1)
        buf = bytearray(data)
        at = rng.integers(0, len(buf), size=max(8, len(buf) // 1000))
        for i in at:
            buf[i] ^= 0x5A
        path.write_bytes(bytes(buf))


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_every_kind_of_damage_is_recognised_and_refresh_repairs_it(
    api_data: Path, tmp_path: Path, kind: str
) -> None:
    # Any size of index shows the damage; the small one rebuilds in a fraction of the time.
    data = copy_data(api_data, tmp_path / "data")
    published = current_dir(data)
    assert published is not None
    where, how = DAMAGE[kind]
    damage(where(published), how)
    with pytest.raises(IndexMismatchError, match="jiejian index"):
        IndexBundle.load(data, IndexConfig())
    assert check_version(published)
    with CorpusStore(data) as store:
        report = refresh(store, IndexConfig())
        assert report.mode == "built"
        bundle = IndexBundle.load(data, IndexConfig())
        assert bundle.table.n_alive == store.counts()["passages"]
        assert Searcher(bundle, store).search("送温暖").hits


def test_inconsistent_counts_are_damage(big_copy: Path) -> None:
    """Files intact against a manifest that records a different passage count."""
    published = current_dir(big_copy)
    assert published is not None
    bundle = IndexBundle.load(big_copy, IndexConfig())
    bundle.manifest.counts["passages"] += 1
    with pytest.raises(IndexDamagedError, match="inconsistent"):
        bundle.check_counts()


def test_cleanup_keeps_the_previous_version_for_readers_that_have_not_swapped(
    big_copy: Path, tmp_path: Path
) -> None:
    first = current_dir(big_copy)
    (tmp_path / "new.txt").write_text(NEW, "utf-8")
    with CorpusStore(big_copy) as store:
        ingest([tmp_path / "new.txt"], store)
        refresh(store, IndexConfig())
    assert first is not None and first.is_dir() and current_dir(big_copy) != first


def test_the_practices_index_is_refreshed_incrementally(big_copy: Path, tmp_path: Path) -> None:
    (tmp_path / "new.txt").write_text(NEW, "utf-8")

    def practices_of(rid: str) -> tuple[int, int]:
        p = IndexBundle.load(big_copy, IndexConfig()).practices
        assert p is not None and p.vectors.ntotal == p.table.n_alive == p.lexical.num_docs()
        mine = sum(1 for i, r in enumerate(p.table.report_ids) if r == rid and p.table.alive[i])
        return mine, p.table.n_alive

    with CorpusStore(big_copy) as store:
        ingest([tmp_path / "new.txt"], store)
        rid = next(r.report_id for r in store.iter_reports() if r.jurisdiction == "溧阳市")
        before = practices_of(rid)
        assert before[0] == 0
        refresh(store, IndexConfig())
        added = practices_of(rid)
        assert added[0] > 0 and added[1] == before[1] + added[0]
        assert added[1] == len(store.practices_of(rid)) + before[1]
        store.delete_report(rid)
        refresh(store, IndexConfig())
        assert practices_of(rid) == (0, before[1])
