"""JIEJIAN_INDEX_BACKEND=milvus goes beyond one machine: `jiejian index` fills the Milvus
collections from the store and writes no tantivy, FAISS or doc-table file; a server opens
none either (it reads filter fields and hit metadata from Milvus output fields); facets,
highlights, collapse and filters still work; refreshes follow the store; a version whose
settings or collections do not match is refused with a message.

milvus-lite (a local .db) stands in for the server here; the per-worker memory this saves
is measured by scripts/bench_worker_rss.py against a separate milvus-lite server process.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from api.service import WriteService
from api.settings import Settings
from corpus.store import CorpusStore
from index.backends.hits import HitTable
from index.bundle import IndexBundle
from index.config import IndexConfig
from index.manifest import IndexMismatchError
from retrieval.filters import make_filters
from retrieval.searcher import SearchOptions
from retrieval.service import SearchService
from tests.conftest import DEMO, seed_files
from tests.test_index_backends import _need_milvus

# One worker builds this module's deployments (they are module fixtures).
pytestmark = pytest.mark.xdist_group("milvus-mode")


def _files() -> list[Path]:
    """The seeds and some demo reports (places, levels and years enough for the filters)."""
    return [*seed_files(), *sorted(DEMO.glob("*.txt"))[:12]]


FIRST = -2  # indexed first; the last two files are added by the refresh test
QUERIES = ("工会经费", "职工之家建设", "劳动竞赛", "困难职工帮扶")
LOCAL_INDEX_FILES = re.compile(r"(^|/)(bm25|vectors|practices)(/|$)|doctable\.(npz|json)$")


@dataclass
class Pair:
    """One store searched two ways: Milvus mode and the local default (the reference)."""

    settings: Settings
    milvus: SearchService
    local: SearchService

    @property
    def config(self) -> IndexConfig:
        with WriteService(self.settings).open_store() as store:
            return WriteService(self.settings).config(store)


def _service(settings: Settings) -> SearchService:
    writer = WriteService(settings)
    with writer.open_store() as store:
        config = writer.config(store)
    service = SearchService(settings.data, config, store_url=settings.store_url or None)
    assert service.searcher is not None, service.index_problem
    return service


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    _need_milvus()
    root = tmp_path_factory.mktemp("milvus-mode")
    settings = Settings(data=root / "data", index_backend="milvus", ingest_workers=1)
    writer = WriteService(settings)
    writer.ingest(_files()[:FIRST])
    report = writer.index()
    assert report.mode == "built" and report.manifest.backend == "milvus"
    # The local default over the same store file, in a data directory of its own.
    with writer.open_store() as store:
        local = settings.model_copy(
            update={"data": root / "local", "index_backend": "local", "store_url": str(store.path)}
        )
    WriteService(local).index()
    made = Pair(settings, _service(settings), _service(local))
    yield made
    for service in (made.milvus, made.local):
        if service.searcher is not None:
            service.searcher.bundle.close()
        service.close()


def _local_index_files(data: Path) -> list[str]:
    return [
        p.relative_to(data).as_posix()
        for p in data.rglob("*")
        if p.is_file()
        and "milvus.db" not in p.parts
        and LOCAL_INDEX_FILES.search(p.relative_to(data).as_posix())
    ]


def test_no_local_index_file_is_built(pair: Pair) -> None:
    data = pair.settings.data
    assert _local_index_files(data) == []
    version = (data / "index").resolve()
    names = {p.relative_to(version).parts[0] for p in version.rglob("*") if p.is_file()}
    assert names == {"manifest.json", "collections.json", "model"}
    # the reference does build them: the pattern above finds real index files
    assert _local_index_files(pair.local.data_dir)


def test_no_local_index_file_is_opened(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server loads and searches with every local index reader disabled."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a local index file was opened in Milvus mode")

    import index.bundle as bundle_module

    monkeypatch.setattr(bundle_module, "LexicalIndex", refuse)
    monkeypatch.setattr(bundle_module, "load_vector_index", refuse)
    monkeypatch.setattr(bundle_module.DocTable, "load", refuse)
    service = _service(pair.settings)
    try:
        assert service.searcher is not None
        bundle = service.searcher.bundle
        assert bundle.lexical is None and bundle.vectors is None
        assert isinstance(bundle.table, HitTable)
        result = service.search(QUERIES[0], SearchOptions(k=5))
        assert result.hits and result.facets["jurisdiction"]
    finally:
        if service.searcher is not None:
            service.searcher.bundle.close()
        service.close()


@pytest.mark.parametrize(
    "filters",
    [{"level": "county"}, {"jurisdiction": "江苏省"}, {"year_from": 2018}],
    ids=["county", "jiangsu", "from-2018"],
)
def test_filters_facets_and_highlights_are_served(pair: Pair, filters: dict) -> None:
    served = 0
    for q in QUERIES:
        f = make_filters(**filters)
        result = pair.milvus.search(q, SearchOptions(k=10, filters=f))
        for h in result.hits:
            served += 1
            r = h.report
            if "level" in filters:
                assert r.level == "county"
            elif "jurisdiction" in filters:
                assert "江苏省" in (r.jurisdiction_path or [])
            else:
                assert r.year is not None and r.year >= 2018
            for start, end in h.highlights:
                assert h.passage.text[start:end]
        if "level" in filters:  # facets over the candidates obey the filter too
            assert {x["value"] for x in result.facets["level"]} <= {"county"}
        # the dense list is exact (FLAT) in both engines: same candidates, same facets
        dense = SearchOptions(k=10, filters=f, mode="dense")
        assert pair.milvus.search(q, dense).facets == pair.local.search(q, replace(dense)).facets
    assert served > 0
    pages = [pair.milvus.search(q, SearchOptions()).hits for q in QUERIES]
    assert any(h.highlights for hits in pages for h in hits)


def _unordered(facets: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    """Facet counts without the order of ties (the engines scan in different orders)."""
    return {k: sorted((str(x["value"]), x["count"]) for x in v) for k, v in facets.items()}


def test_insights_match_the_local_default(pair: Pair) -> None:
    """Report facets, themes and trends count over the filtered corpus: a scan of the
    collection's output fields in Milvus mode, the doc table locally."""
    for filters in ({}, {"jurisdiction": "江苏省"}):
        mine, theirs = pair.milvus.report_facets(**filters), pair.local.report_facets(**filters)
        assert _unordered(mine) == _unordered(theirs)
        for a, b in zip(pair.milvus.themes(**filters), pair.local.themes(**filters), strict=True):
            assert (a["theme_id"], a["count"], a["by_year"]) == (
                b["theme_id"],
                b["count"],
                b["by_year"],
            )
            assert sorted(map(str, a["by_level"])) == sorted(map(str, b["by_level"]))
    assert pair.milvus.trends(None, "finance", "year") == pair.local.trends(None, "finance", "year")


def test_the_hit_table_is_bounded(pair: Pair) -> None:
    """Rows beyond the cache are dropped and read again from Milvus when needed: a
    search gives the same page with a cache of 5 rows as with the default."""
    assert pair.milvus.searcher is not None
    table = pair.milvus.searcher.bundle.table
    assert isinstance(table, HitTable)
    opts = SearchOptions(k=10)
    want = [h.passage.passage_id for h in pair.milvus.search(QUERIES[1], opts).hits]
    assert 0 < len(table) <= table.capacity
    saved = table.capacity
    try:
        table.capacity = 5
        got = [h.passage.passage_id for h in pair.milvus.search(QUERIES[1], opts).hits]
        assert len(table) <= 5
    finally:
        table.capacity = saved
    assert got == want


def test_a_mismatched_version_is_refused(pair: Pair, tmp_path: Path) -> None:
    config = pair.config
    with pytest.raises(IndexMismatchError, match="index backend"):
        IndexBundle.load(pair.settings.data, replace(config, index_backend="local"))
    words = tmp_path / "words.txt"
    words.write_text("新职工词条 100 n\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="dictionary"):
        IndexBundle.load(pair.settings.data, replace(config, dictionary=words))
    # and the other way round: a local version is not served as Milvus
    with pytest.raises(IndexMismatchError, match="index backend"):
        IndexBundle.load(pair.local.data_dir, replace(config, index_backend="milvus"))


def test_refresh_follows_the_store_and_rebuilds_under_a_new_build(pair: Pair) -> None:
    """Last in the module: it changes the deployment."""
    from index.backends.factory import milvus_uri
    from index.backends.milvus import _import_pymilvus

    writer = WriteService(pair.settings)
    bundle = pair.milvus.searcher.bundle if pair.milvus.searcher else None
    assert bundle is not None
    with writer.open_store() as store:
        assert bundle.freshness(store) == (0, 0)
        victim = next(r.report_id for r in store.iter_reports())
        n_victim = len(store.passages_of(victim))
        store.delete_report(victim)
        assert bundle.freshness(store) == (0, 1)
    report = writer.index()
    assert report.mode == "refreshed" and report.removed == n_victim
    assert report.manifest.build == bundle.manifest.build
    # new reports wait until indexed, then are served
    summary = writer.ingest(_files()[FIRST:])
    assert summary.reports_new > 0
    with writer.open_store() as store:
        assert bundle.freshness(store) == (summary.reports_new, 0)
        report = writer.index()
        assert bundle.freshness(store) == (0, 0)
    assert report.added > 0
    assert bundle.count() == report.manifest.counts["passages"]
    with writer.open_store() as store:
        assert bundle.count() == store.counts()["passages"]
    for q in QUERIES:
        hits = pair.milvus.search(q, SearchOptions(k=20)).hits
        assert hits and victim not in {h.report.report_id for h in hits}
    assert writer.index().mode == "unchanged"

    # A rebuild makes new collections; the previous build's stay for servers still on it.
    old = bundle.manifest.build
    rebuilt = writer.index(rebuild=True)
    assert rebuilt.manifest.build != old
    client = _import_pymilvus().MilvusClient(uri=milvus_uri("", pair.settings.data))
    try:
        names = set(client.list_collections())
        assert {f"jiejian_{old}_passages", f"jiejian_{rebuilt.manifest.build}_passages"} <= names
        # A version whose collections are gone is refused with the command that fixes it.
        client.drop_collection(f"jiejian_{rebuilt.manifest.build}_passages")
    finally:
        client.close()
    with pytest.raises(OSError, match="jiejian index"):
        IndexBundle.load(pair.settings.data, pair.config)
    with CorpusStore(pair.settings.data) as store:
        assert store.index_held(old, "passages") > 0  # kept with its collections


def test_hit_table_reads_like_the_doc_table_and_stays_bounded() -> None:
    """Pure: the same rows read through a HitTable (cache of 3, the rest fetched by id)
    and through a DocTable give the same ids, facets, themes and places."""
    from index.doctable import DocRow, DocTable

    rows = [
        DocRow("p0", "r0", "county", "工作报告", "主要做法", 2019, ["江苏省", "无锡市"], None),
        DocRow("p1", "r0", "county", "工作报告", "存在问题", 2019, ["江苏省", "无锡市"], "p0"),
        DocRow("p2", "r1", None, None, "", None, [], None, ["finance"]),
        DocRow("p3", "r2", "city", "讲话", "基本情况", 2024, ["浙江省"], None, ["relief"]),
        DocRow("p4", "r2", "city", "讲话", "工作成效", 2024, ["浙江省"], None),
    ]
    table = DocTable()
    table.append(rows)
    fetched: list[list[int]] = []

    def fetch(ids: object) -> dict[int, DocRow]:
        asked = [int(i) for i in ids]  # type: ignore[attr-defined]
        fetched.append(asked)
        return {i: rows[i] for i in asked if i < len(rows)}

    hits = HitTable(fetch, capacity=3)
    hits.remember(dict(enumerate(rows)))
    assert len(hits) == 3 and fetched == []  # the three latest are held
    for d in range(len(rows)):
        assert hits.passage_ids[d] == table.passage_ids[d]
        assert hits.report_ids[d] == table.report_ids[d]
        assert hits.dup_groups[d] == table.dup_groups[d]
        assert hits.facet_values(d) == table.facet_values(d)
        assert hits.themes_of(d) == table.themes_of(d)
        assert hits.places_of(d) == table.places_of(d)
    assert fetched and all(len(a) == 1 for a in fetched) and len(hits) == 3
    ids = [4, 0, 2, 1, 3, 0]
    assert hits.roles_of(ids) == table.roles_of(ids)
    assert hits.facet_counts(ids) == table.facet_counts(ids)
    with pytest.raises(KeyError, match="not in the Milvus collection"):
        hits.row(99)
