"""Saved indexes: manifests, refusal on mismatch, atomic swaps, incremental refresh, and the
transformer embedder path with a tiny random model built here (no download)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.pipeline import ingest
from corpus.store import CorpusStore
from index import builder
from index.builder import current_dir, refresh
from index.bundle import IndexBundle
from index.config import IndexConfig
from index.manifest import IndexMismatchError, Manifest
from retrieval.floor import NO_FLOOR
from retrieval.searcher import Searcher, SearchOptions
from tests.random_models import random_sentence_transformer

REPORTS = {
    "a": "凤凰镇工会2019年工作总结\n一、主要做法\n"
    "一是开展送温暖活动，春节前慰问困难职工120户，发放慰问金6万元。"
    "二是推进工资集体协商，签订工资专项集体合同18份，覆盖职工2300人。\n二、存在问题\n经费收缴难度大，活动形式单一。",
    "b": "青山乡工会联合会2020年工作总结\n一、主要做法\n（一）开展安康杯竞赛，排查安全隐患46处。\n"
    "（二）建立劳动争议调解委员会3个，调解劳动争议11件，为农民工追讨欠薪18万元。\n二、下一步打算\n建设职工书屋。",
    "c": "良渚街道总工会2021年工作总结\n一、主要做法\n"
    "推动快递员、外卖骑手入会，发展新就业形态劳动者会员412人，"
    "建成骑手驿站8个，配备饮水机、微波炉和充电柜，全年服务户外劳动者1.6万人次。\n二、存在问题\n会员流动性大。",
}


def _write(d: Path, keys: str) -> list[Path]:
    d.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in keys:
        p = d / f"{k}.txt"
        p.write_text(REPORTS[k], encoding="utf-8")
        paths.append(p)
    return paths


def _search(store: CorpusStore, config: IndexConfig, q: str) -> list[str]:
    s = Searcher(IndexBundle.load(store.data_dir, config), store)
    return [h.report.title or "" for h in s.search(q, SearchOptions(k=10)).hits]


def test_manifest_records_the_build(tmp_path: Path, store: CorpusStore) -> None:
    ingest(_write(tmp_path / "src", "ab"), store)
    report = refresh(store, IndexConfig())
    m = Manifest.load(current_dir(store.data_dir))  # type: ignore[arg-type]
    assert report.mode == "built"
    assert m.embedder_setting == "corpus-static" and m.embedder_dim == 256
    assert m.tokenizer.startswith("rjieba-search:dict=")
    assert (m.chunk_min_chars, m.chunk_max_chars) == (150, 400)
    assert m.counts["passages"] == store.counts()["passages"] and m.counts["reports"] == 2
    assert m.vector_index == "flat"


def test_incremental_refresh_adds_and_deletes(tmp_path: Path, store: CorpusStore) -> None:
    cfg = IndexConfig()
    ingest(_write(tmp_path / "src", "ab"), store)
    refresh(store, cfg)
    first = current_dir(store.data_dir)
    assert refresh(store, cfg).mode == "unchanged"
    ingest(_write(tmp_path / "src2", "c"), store)
    report = refresh(store, cfg)
    assert report.mode == "refreshed" and report.added > 0 and report.removed == 0
    assert current_dir(store.data_dir) != first
    assert any("良渚街道" in t for t in _search(store, cfg, "外卖骑手入会"))
    rid = next(r.report_id for r in store.iter_reports() if "良渚" in (r.title or ""))
    store.delete_report(rid)
    report = refresh(store, cfg)
    assert report.mode == "refreshed" and report.removed > 0
    assert not any("良渚街道" in t for t in _search(store, cfg, "外卖骑手入会"))
    assert report.manifest.counts["reports"] == 2


def test_loading_refuses_a_mismatch(tmp_path: Path, store: CorpusStore) -> None:
    ingest(_write(tmp_path / "src", "ab"), store)
    refresh(store, IndexConfig())
    with pytest.raises(IndexMismatchError, match=r"embedder.*jiejian index --rebuild"):
        IndexBundle.load(store.data_dir, IndexConfig(embed_model="some/other-model"))
    terms = tmp_path / "terms.txt"
    terms.write_text("凤凰模式\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="dictionary"):
        IndexBundle.load(store.data_dir, IndexConfig(dictionary=terms))
    with pytest.raises(IndexMismatchError, match="chunking"):
        IndexBundle.load(store.data_dir, IndexConfig(chunk_max_chars=300))
    with pytest.raises(IndexMismatchError, match="run `jiejian index"):
        IndexBundle.load(tmp_path / "nothing-here", IndexConfig())


def test_crash_mid_build_leaves_the_previous_index(
    tmp_path: Path, store: CorpusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = IndexConfig()
    ingest(_write(tmp_path / "src", "ab"), store)
    refresh(store, cfg)
    before = current_dir(store.data_dir)
    real = builder.make_vector_index

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        index = real(*args, **kwargs)

        def save(directory: Path) -> None:
            raise OSError("disk full while writing vectors")

        index.save = save  # type: ignore[method-assign]
        return index

    monkeypatch.setattr(builder, "make_vector_index", broken)
    with pytest.raises(OSError, match="disk full"):
        refresh(store, cfg, rebuild=True)
    assert current_dir(store.data_dir) == before
    assert not list((store.data_dir / "indexes").glob("*.tmp"))
    assert any("凤凰镇" in t for t in _search(store, cfg, "送温暖"))


def _tiny_sentence_transformer(root: Path) -> Path:
    """A random 1-layer BERT with a character vocabulary, saved as a sentence-transformers
    model: exercises the transformer loading path without any download."""
    chars = set("".join(REPORTS.values())) | set("工会送温暖骑手入会")
    return random_sentence_transformer(root, chars)


# with tests/test_vectors.py's comparison, on the worker that imports sentence-transformers
@pytest.mark.xdist_group("transformers")
def test_transformer_model_end_to_end(tmp_path: Path, store: CorpusStore) -> None:
    model = _tiny_sentence_transformer(tmp_path / "models")
    cfg = IndexConfig(embed_model=str(model))
    ingest(_write(tmp_path / "src", "abc"), store)
    report = refresh(store, cfg)
    assert report.manifest.embedder_dim == 32
    assert report.manifest.embedder_setting == str(model)
    bundle = IndexBundle.load(store.data_dir, cfg)
    searcher = Searcher(bundle, store)
    res = searcher.search("骑手入会", SearchOptions(k=5))
    assert res.hits and "dense" in {k for h in res.hits for k in h.explain}
    # random weights: relevance comes from BM25, but every passage is reachable densely
    # (the engine itself, without the relevance floor that would judge the random cosines)
    opts = SearchOptions(k=50, mode="dense", per_report=0, floor=NO_FLOOR)
    dense = searcher.search("骑手入会", opts)
    assert len(dense.hits) == store.counts()["passages"]
