"""The theme taxonomy is a setting (JIEJIAN_THEMES) with its fingerprint in the index
manifest: an edited themes file makes the saved tags stale, loading refuses it naming the
themes, and `jiejian index` rebuilds with the new tags. Also: practices are written by
ingest only (the index reads them), and raw files inside the data directory are ingested
only from the folders the caller names (the API's uploads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.pipeline import PRACTICES_BACKFILLED, ingest
from corpus.store import CorpusStore
from corpus.themes import load_taxonomy, taxonomy_fingerprint
from index.builder import current_dir, refresh
from index.bundle import IndexBundle
from index.config import IndexConfig
from index.manifest import IndexMismatchError, Manifest
from retrieval.service import SearchService

REPORTS = {
    "a.txt": "凤凰镇工会2019年工作总结\n一、主要做法\n"
    "一是开展送温暖活动，春节前慰问困难职工120户，发放慰问金6万元。"
    "二是推进工资集体协商，签订工资专项集体合同18份，覆盖职工2300人。\n二、存在问题\n"
    "经费收缴难度大，活动形式单一。",
    "b.txt": "良渚街道总工会2021年工作总结\n一、主要做法\n"
    "一是推动快递员、外卖骑手入会，发展新就业形态劳动者会员412人。"
    "二是建成骑手驿站8个，配备饮水机、微波炉和充电柜，全年服务户外劳动者1.6万人次。\n"
    "二、存在问题\n会员流动性大。",
}
RIDERS = {
    "id": "riders",
    "name": "骑手驿站",
    "description": "户外劳动者服务站点",
    "terms": ["骑手驿站", "饮水机", "微波炉", "充电柜"],
}


def _corpus(root: Path) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in REPORTS.items():
        (root / name).write_text(text, encoding="utf-8")
    return sorted(root.iterdir())


def _themes_file(path: Path, extra: list[dict[str, object]], indent: int | None = None) -> Path:
    packaged = [
        {"id": t.theme_id, "name": t.name, "description": t.description, "terms": list(t.terms)}
        for t in load_taxonomy()
    ]
    path.write_text(json.dumps(packaged + extra, ensure_ascii=False, indent=indent), "utf-8")
    return path


@pytest.fixture
def built(tmp_path: Path) -> CorpusStore:
    store = CorpusStore(tmp_path / "data")
    ingest(_corpus(tmp_path / "src"), store)
    refresh(store, IndexConfig())
    return store


def test_manifest_records_the_taxonomy_fingerprint(built: CorpusStore) -> None:
    m = Manifest.load(current_dir(built.data_dir))  # type: ignore[arg-type]
    assert m.themes == taxonomy_fingerprint(load_taxonomy())
    assert m.themes.startswith("themes-")


def test_edited_themes_file_is_refused_then_rebuilt_with_new_tags(
    built: CorpusStore, tmp_path: Path
) -> None:
    edited = IndexConfig(themes=_themes_file(tmp_path / "themes.json", [RIDERS]))
    with pytest.raises(IndexMismatchError, match=r"themes: .*stale") as err:
        IndexBundle.load(built.data_dir, edited)
    assert "jiejian index" in str(err.value)
    # the server reports the stale index instead of serving old tags
    service = SearchService(built.data_dir, edited)
    try:
        assert service.searcher is None and "themes" in (service.index_problem or "")
    finally:
        service.close()
    report = refresh(built, edited)  # `jiejian index`: a mismatch rebuilds
    assert report.mode == "built"
    bundle = IndexBundle.load(built.data_dir, edited)
    assert [t.theme_id for t in bundle.taxonomy][-1] == "riders"
    assert bundle.practices is not None
    tables = (bundle.table, bundle.practices.table)
    tagged = {th for t in tables for d in range(len(t)) for th in t.themes_of(d)}
    assert "riders" in tagged  # the new theme's terms are in report b
    # the packaged taxonomy is now the stale one
    with pytest.raises(IndexMismatchError, match="themes"):
        IndexBundle.load(built.data_dir, IndexConfig())


def test_reformatting_the_themes_file_keeps_the_index(built: CorpusStore, tmp_path: Path) -> None:
    same = IndexConfig(themes=_themes_file(tmp_path / "themes.json", [], indent=4))
    assert IndexBundle.load(built.data_dir, same).taxonomy == load_taxonomy()
    assert refresh(built, same).mode == "unchanged"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "JSONDecodeError"),
        ('[{"id": "x", "name": "无词"}]', "KeyError"),
        ("[]", "empty"),
        (
            '[{"id": "x", "name": "a", "description": "", "terms": []},'
            ' {"id": "x", "name": "b", "description": "", "terms": []}]',
            "unique",
        ),
    ],
)
def test_a_malformed_themes_file_is_a_clear_error(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "themes.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value)


def test_practices_are_written_by_ingest_and_only_read_by_the_index(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path / "data")
    files = _corpus(tmp_path / "src")
    ingest(files, store)
    n = len(list(store.iter_practices()))
    assert n > 0
    # a store from before practices existed: none stored, never backfilled
    store.db.execute("DELETE FROM practices")
    store.db.execute("DELETE FROM meta WHERE key=?", (PRACTICES_BACKFILLED,))
    refresh(store, IndexConfig())
    assert list(store.iter_practices()) == []  # the index wrote nothing to the store
    ingest(files, store)  # unchanged files: ingest still gives old reports their practices
    assert len(list(store.iter_practices())) == n
    assert store.get_meta(PRACTICES_BACKFILLED) == "1"


def test_files_inside_the_data_directory_are_ingested_only_from_raw_dirs(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    store = CorpusStore(data)
    _corpus(data / "uploads" / "job1")
    (data / "other").mkdir()
    (data / "other" / "c.txt").write_text(REPORTS["a.txt"], encoding="utf-8")
    assert ingest([data], store).files_seen == 0  # the store's own folder: nothing is a source
    summary = ingest([data], store, raw_dirs=[data / "uploads"])
    assert sorted(Path(o["path"]).name for o in summary.outcomes) == sorted(REPORTS)
