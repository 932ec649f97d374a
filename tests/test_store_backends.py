"""One contract for both store engines: SQLite (the default) and PostgreSQL.

The same corpus (the seeds and the demo corpus) is ingested into each; the stored reports,
passages, practices, sources, signatures, LSH band keys and de-duplication outcomes must be
equal, and so must every read the index and the API make. PostgreSQL is a real server
started once for this module from Debian's binaries (tests/pgserver.py), on 127.0.0.1;
the module is skipped, with the reason, only where those binaries (or psycopg) are absent.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from corpus.dedup import THRESHOLD, values_similarity
from corpus.pipeline import ingest
from corpus.store import CorpusStore, StoreError
from corpus.store_migrate import copy_store
from corpus.store_sql import TABLES
from tests import pgserver
from tests.conftest import DEMO, SEEDS, shared_dir

pytestmark = pytest.mark.skipif(
    pgserver.missing_reason() is not None, reason=str(pgserver.missing_reason())
)


_n = [0]


def _pg_url(pg: pgserver.PgServer) -> str:
    _n[0] += 1
    return pg.create_database(f"jj{os.getpid()}_{_n[0]}")


def _sources() -> list[Path]:
    return [shared_dir(SEEDS, "seed corpus"), DEMO]


@pytest.fixture(scope="module")
def pair(
    pg: pgserver.PgServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CorpusStore, CorpusStore, dict[str, Any]]]:
    """The same corpus ingested into SQLite and into PostgreSQL."""
    odd = tmp_path_factory.mktemp("odd")  # files skipped with a reason are stored too
    (odd / "empty.txt").write_bytes(b"")
    (odd / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    lite = CorpusStore(tmp_path_factory.mktemp("lite"))
    post = CorpusStore(tmp_path_factory.mktemp("post"), url=_pg_url(pg))
    s1 = ingest([*_sources(), odd], lite, workers=2)
    s2 = ingest([*_sources(), odd], post, workers=2)
    yield lite, post, {"sqlite": s1, "postgresql": s2}
    lite.close()
    post.close()


@pytest.fixture(scope="module")
def dumps(
    pair: tuple[CorpusStore, CorpusStore, dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    return _dump(pair[0]), _dump(pair[1])


def _dump(store: CorpusStore) -> dict[str, Any]:
    """Everything a reader can get from a store, in the order readers get it."""
    reports = [dataclasses.asdict(r) for r in store.iter_reports(with_text=True)]
    return {
        "counts": store.counts(),
        "reports": reports,
        "passages": [dataclasses.asdict(p) for p in store.iter_passages()],
        "practices": [dataclasses.asdict(x) for x in store.iter_practices()],
        "skipped": store.skipped_files(),
        "edge_lines": sorted(store.recurring_edge_lines(2)),
        "signatures": _rows(store, "SELECT id, sig FROM signatures ORDER BY id"),
        "report_bands": _rows(store, "SELECT key, report_id FROM report_bands ORDER BY 1, 2"),
        "passage_bands": _rows(store, "SELECT key, passage_id FROM passage_bands ORDER BY 1, 2"),
        "sources": _rows(store, SOURCES_SQL),
    }


SOURCES_SQL = (
    "SELECT path, sha256, size, format, encoding, status, reason, n_reports, pipeline "
    "FROM sources ORDER BY path"
)


def _rows(store: CorpusStore, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in
            store.db.execute(sql).fetchall()]  # fmt: skip


def test_same_ingest_outcome(pair: tuple[CorpusStore, CorpusStore, dict[str, Any]]) -> None:
    _, _, summaries = pair
    keys = ("files_read", "reports_new", "reports_duplicate", "passages_new",
            "passages_near_duplicate", "files_skipped")  # fmt: skip
    a, b = (summaries[k].as_dict() for k in ("sqlite", "postgresql"))
    assert {k: a[k] for k in keys} == {k: b[k] for k in keys}
    assert a["reports_new"] > 40 and a["reports_duplicate"] >= 1  # the demo's repost


@pytest.mark.parametrize(
    "part",
    ["counts", "reports", "passages", "practices", "skipped", "edge_lines", "signatures",
     "report_bands", "passage_bands", "sources"],
)  # fmt: skip
def test_same_stored_corpus(dumps: tuple[dict[str, Any], dict[str, Any]], part: str) -> None:
    a, b = dumps[0][part], dumps[1][part]
    assert a, f"nothing stored for {part}"
    assert a == b


def test_same_reads(pair: tuple[CorpusStore, CorpusStore, dict[str, Any]]) -> None:
    lite, post, _ = pair
    ids = [p.passage_id for p in lite.iter_passages()]
    rids = [r.report_id for r in lite.iter_reports()]
    for store in (lite, post):
        assert store.data_version() == 1
    assert lite.passages_by_ids(ids) == post.passages_by_ids(ids)
    assert lite.reports_by_ids(rids) == post.reports_by_ids(rids)
    assert lite.indexable_report_ids() == post.indexable_report_ids()
    groups = sorted({p.dup_group for p in lite.iter_passages() if p.dup_group} | {ids[0]})
    assert lite.group_members(groups) == post.group_members(groups)
    src = lite.get_report(rids[0])
    assert src is not None
    assert [r.report_id for r in lite.reports_of_source(src.source)] == [
        r.report_id for r in post.reports_of_source(src.source)
    ]
    assert lite.practices_of(rids[0]) == post.practices_of(rids[0])
    assert lite.get_passage(ids[5]) == post.get_passage(ids[5])


FILTERS: list[dict[str, Any]] = [
    {},
    {"places": ("江苏省",)},
    {"places": ("南京市", "苏州市")},
    {"exclude_places": ("江苏省",)},
    {"levels": ("乡镇", "街道")},
    {"doc_types": ("工作总结",)},
    {"year_from": 2018},
    {"year_from": 2015, "year_to": 2019, "limit": 5, "offset": 3},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: json.dumps(f, ensure_ascii=False))
def test_same_filtered_report_lists(
    pair: tuple[CorpusStore, CorpusStore, dict[str, Any]], filters: dict[str, Any]
) -> None:
    """Filters are exact on both engines (the place filter reads the JSON jurisdiction path
    with json_each on SQLite and json_array_elements_text on PostgreSQL)."""
    lite, post, _ = pair
    total_a, page_a = lite.list_reports(**filters)
    total_b, page_b = post.list_reports(**filters)
    assert total_a == total_b
    assert [r.report_id for r in page_a] == [r.report_id for r in page_b]
    if filters.get("places") == ("江苏省",):
        assert total_a > 0  # the filter is exercised, not vacuous


def test_no_two_stored_reports_are_near_duplicates(
    pair: tuple[CorpusStore, CorpusStore, dict[str, Any]],
) -> None:
    _, post, _ = pair
    _assert_no_near_duplicates(post)


def _assert_no_near_duplicates(store: CorpusStore) -> None:
    ids = [r.report_id for r in store.iter_reports()]
    sigs = store.signatures_of(ids)
    assert len(sigs) == len(ids)
    close = [(a, b) for a, b in combinations(ids, 2)
             if values_similarity(sigs[a], sigs[b]) >= THRESHOLD]  # fmt: skip
    assert not close


def _engine_store(engine: str, pg: pgserver.PgServer, tmp_path: Path) -> CorpusStore:
    url = _pg_url(pg) if engine == "postgresql" else None
    return CorpusStore(tmp_path / "data", url=url)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_group_leader_deletion_and_reingest(
    engine: str, pg: pgserver.PgServer, tmp_path: Path
) -> None:
    """Near-duplicate passages across reports, the leader's report deleted, the next member
    promoted, a changed file re-ingested: the same outcome on both engines."""
    shared = "二是开展送温暖活动。春节前走访慰问困难职工120户，发放慰问金6万元，为12名困难职工子女发放助学金。"  # noqa: E501
    problems = {
        "甲镇": "基层工会干部多为兼职，业务培训不足，部分企业工会作用发挥不明显，工作台账不健全。",
        "乙镇": "工会经费收缴难度较大，小微企业缴费意识淡薄，会员实名制信息更新不够及时准确。",
        "丙镇": "职工文体活动场地不足，书屋图书更新较慢，新就业形态劳动者入会工作刚刚起步。",
    }
    paths = []
    for name, text in problems.items():
        p = tmp_path / "src" / f"{name}.txt"
        p.parent.mkdir(exist_ok=True)
        p.write_text(f"{name}工会2019年工作总结\n一、主要做法\n{shared}\n二、存在问题\n{text}")
        paths.append(p)
    with _engine_store(engine, pg, tmp_path) as store:
        ingest(paths, store)

        def warm() -> list[str | None]:
            return [p.dup_group for p in store.iter_passages() if "送温暖" in p.text]

        g = warm()
        assert g[0] is None and g[1] == g[2] is not None
        first = next(iter(store.iter_reports())).report_id
        assert store.delete_report(first)
        assert not store.delete_report(first)
        g = warm()
        assert g[0] is None and g[1] is not None
        assert store.data_version() == 2
        paths[1].write_text(paths[1].read_text() + "\n三、下一步打算\n进一步加强工会经费收缴。")
        summary = ingest(paths, store)
        assert (summary.files_unchanged, summary.reports_new) == (2, 1)
        assert store.counts()["reports"] == 2


REPORT = (
    "凤凰镇总工会2019年工作总结\n"
    "一、主要做法\n"
    "（一）扎实推进工会组建。全年新建企业工会12家，发展会员860人，其中农民工会员520人，"
    "新就业形态劳动者入会230人，实现了百人以上企业建会全覆盖。\n"
    "（二）深入开展送温暖活动。春节前走访慰问困难职工120户，发放慰问金6万元，为12名"
    "困难职工子女发放助学金，帮助38名下岗职工实现再就业。\n"
    "二、存在问题\n"
    "基层工会干部多为兼职，业务培训不足，部分企业工会作用发挥不明显，工会经费收缴难度较大。\n"
)


OTHER_B = (
    "青山乡工会2020年工作总结\n一、主要做法\n"
    "（一）加强职工之家建设。投入资金45万元，新建标准化职工之家8个，职工书屋5个，"
    "配备图书3000余册，开展读书分享活动20场。\n"
    "（二）开展劳动技能竞赛。组织电工、焊工、厨师等6个工种技能比武，参赛职工420人次，"
    "评选技术能手15名，推荐省级劳动模范1名。\n"
    "二、存在问题\n部分非公企业负责人对工会工作认识不足，职工维权意识有待增强。\n"
)
OTHER_C = (
    "白云街道工会联合会2021年工作报告\n一、主要做法\n"
    "（一）推进新就业形态劳动者入会。针对快递员、外卖送餐员、网约车司机开展集中入会"
    "行动，新发展会员610人。\n"
    "（二）建设户外劳动者服务站点。在辖区建成爱心驿站12个，为环卫工人等户外劳动者"
    "提供饮水、休息、充电等服务。\n"
    "二、存在问题\n新就业形态劳动者流动性大，组织覆盖难以巩固，站点运行经费保障不足。\n"
)


@pytest.mark.parametrize("twin", ["exact", "near"])
def test_concurrent_writers_see_each_others_reports(
    twin: str, pg: pgserver.PgServer, tmp_path: Path
) -> None:
    """Writer A has stored a report but not committed; writer B, another connection, now
    stores the same report (or a near twin) under another path. B must wait for A and then
    find the twin: without the writer lock B sees nothing, and either fails on the primary
    key (exact) or keeps a second copy (near)."""
    import threading
    import time

    from corpus.limits import DEFAULT_LIMITS
    from corpus.passages import ChunkParams
    from corpus.pipeline import IngestSummary, _prepare, _store_report, _unslim

    url = _pg_url(pg)
    other = REPORT.replace("860人", "861人") if twin == "near" else REPORT
    files = []
    for name, text in (("a", REPORT), ("b", other)):
        (tmp_path / name).mkdir()
        files.append(tmp_path / name / "凤凰镇.txt")
        files[-1].write_text(text)
    prepared = [_prepare((str(f), ChunkParams(), DEFAULT_LIMITS, frozenset())) for f in files]
    for prep in prepared:
        assert len(prep.reports) == 1
        _unslim(prep.reports[0])
    a_store = CorpusStore(tmp_path / "da", url=url)
    b_store = CorpusStore(tmp_path / "db", url=url)
    a_in = threading.Event()
    got: dict[str, Any] = {}

    def writer_b() -> None:
        a_in.wait(30)
        try:
            with b_store.batch(), b_store.savepoint():
                got["b"] = _store_report(b_store, prepared[1].reports[0], "b", IngestSummary())
        except Exception as exc:
            got["error"] = exc
        got["b_done"] = time.monotonic()

    thread = threading.Thread(target=writer_b)
    thread.start()
    with a_store.batch(), a_store.savepoint():
        kind, rid = _store_report(a_store, prepared[0].reports[0], "a", IngestSummary())
        a_in.set()
        time.sleep(1.0)  # B decides now, while A's report is not committed
        a_commit = time.monotonic()
    thread.join(60)
    assert "error" not in got, got.get("error")
    assert kind == "added"
    assert got["b"] == ("duplicate", rid)
    assert got["b_done"] >= a_commit
    with a_store, b_store:
        assert b_store.counts()["reports"] == 1
        assert b_store.counts()["sources"] == 2


def test_migrate_there_and_back(
    pair: tuple[CorpusStore, CorpusStore, dict[str, Any]],
    pg: pgserver.PgServer,
    tmp_path: Path,
) -> None:
    """SQLite -> PostgreSQL -> SQLite through `jiejian migrate`: every table's rows and
    every read equal the original; a target that holds a corpus is refused."""
    from typer.testing import CliRunner

    from api.cli import app

    lite, post, _ = pair
    want = _dump(lite)
    url = _pg_url(pg)
    runner = CliRunner()
    env = {"JIEJIAN_STORE_URL": ""}
    r = runner.invoke(app, ["migrate", "--to", url, "--data", str(lite.data_dir)], env=env)
    assert r.exit_code == 0, r.output
    back = tmp_path / "back" / "corpus.sqlite3"
    r = runner.invoke(
        app,
        ["migrate", "--to", str(back), "--data", str(tmp_path / "unused")],
        env={"JIEJIAN_STORE_URL": url},
    )
    assert r.exit_code == 0, r.output
    with CorpusStore(tmp_path / "m1", url=url) as there, CorpusStore(back.parent) as again:
        assert _dump(there) == want
        assert _dump(again) == want
        for table in TABLES:
            sql = f"SELECT COUNT(*) FROM {table}"
            n = lite.db.execute(sql).fetchone()[0]
            assert there.db.execute(sql).fetchone()[0] == n == again.db.execute(sql).fetchone()[0]
        runs = [r[0] for r in lite.db.execute("SELECT run_id FROM ingest_runs")]
        assert there.start_run() > max(runs)  # the identity continues after copied ids
        with pytest.raises(StoreError, match="already holds a corpus"):
            copy_store(lite, post)
    r = runner.invoke(app, ["migrate", "--to", url, "--data", str(lite.data_dir)], env=env)
    assert r.exit_code == 2 and "already holds a corpus" in r.output


def test_bad_url_is_a_clear_error(tmp_path: Path, pg: pgserver.PgServer) -> None:
    bad = f"postgresql://postgres:secret@127.0.0.1:{pg.port}/no_such_db"
    with pytest.raises(StoreError, match="cannot open the store") as exc:
        CorpusStore(tmp_path, url=bad)
    assert "secret" not in str(exc.value)
    with pytest.raises(ValueError, match="SQLite file path or a postgresql"):
        CorpusStore(tmp_path, url="mysql://x/y")


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("送温暖", {}),
    ("工会经费收缴", {"jurisdiction": "江苏省"}),
    ("农民工入会", {"year_from": 2018}),
    ("存在问题", {"section_role": "存在问题"}),
    ("职工之家建设", {"exclude_jurisdiction": "江苏省", "level": ["乡镇", "街道"]}),
]


def test_same_search_results(pair: tuple[CorpusStore, CorpusStore, dict[str, Any]]) -> None:
    """An index built from the PostgreSQL store, searched with each store behind it (search
    reads passages, reports, sources and duplicate groups from the store): the same hits in
    the same order with the same fields, filters included."""
    from index.builder import refresh
    from index.bundle import IndexBundle
    from index.config import IndexConfig
    from retrieval.filters import make_filters
    from retrieval.searcher import Searcher, SearchOptions

    lite, post, _ = pair
    refresh(post, IndexConfig())
    bundle = IndexBundle.load(post.data_dir, IndexConfig())
    searchers = [Searcher(bundle, store) for store in (lite, post)]
    answered = 0
    for query, filters in QUERIES:
        opts = SearchOptions(k=10, filters=make_filters(**filters))
        a, b = (s.search(query, opts) for s in searchers)
        answered += bool(a.hits)
        assert [(h.passage.passage_id, h.score) for h in a.hits] == [
            (h.passage.passage_id, h.score) for h in b.hits
        ]
        assert [(h.report, h.sources, h.highlights, h.duplicates) for h in a.hits] == [
            (h.report, h.sources, h.highlights, h.duplicates) for h in b.hits
        ]
        assert (a.total, a.facets) == (b.total, b.facets)
    assert answered >= 3

    # The API server on the PostgreSQL store: health counts and a search that finds.
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    settings = Settings(data=post.data_dir, store_url=post.url)
    with TestClient(create_app(settings)) as client:
        health = client.get("/api/health").json()
        assert health["status"] == "ok", health
        assert health["waiting_reports"] == 0
        r = client.get("/api/search", params={"q": "送温暖"})
        assert r.status_code == 200 and r.json()["results"], r.text


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
@pytest.mark.parametrize("fault", ["python", "sql"])
def test_a_failing_file_leaves_no_rows(
    engine: str, fault: str, pg: pgserver.PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose storing fails half-way (a Python error, or an SQL error that PostgreSQL's
    pipeline mode reports only at the next read or the commit) is skipped with the reason,
    leaves no row behind, and the files around it are stored."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in (("a", REPORT), ("b", OTHER_B), ("c", OTHER_C)):
        (src / f"{name}.txt").write_text(text)
    real = CorpusStore.insert_practices

    def failing(self: CorpusStore, practices: list[Any]) -> None:
        real(self, practices)
        if practices and "青山乡" in (self.report_simplified(practices[0].report_id) or ""):
            if fault == "sql":
                self.db.execute("INSERT INTO meta VALUES(NULL, NULL)")  # NOT NULL violation
            else:
                raise RuntimeError("injected")

    monkeypatch.setattr(CorpusStore, "insert_practices", failing)
    with _engine_store(engine, pg, tmp_path) as store:
        summary = ingest([src], store)
        assert [Path(p).name for p, _ in summary.skipped] == ["b.txt"]
        assert "processing failed" in summary.skipped[0][1]
        titles = [r.title or "" for r in store.iter_reports()]
        assert len(titles) == 2 and not any("青山乡" in t for t in titles)
        ids = {r.report_id for r in store.iter_reports()}
        assert {p.report_id for p in store.iter_passages()} == ids
        assert {x.report_id for x in store.iter_practices()} == ids
        monkeypatch.setattr(CorpusStore, "insert_practices", real)
        again = ingest([src], store)
        assert (again.reports_new, again.files_unchanged) == (1, 2)
        assert store.counts()["reports"] == 3


def test_server_reads_share_a_bounded_pool(
    pair: tuple[CorpusStore, CorpusStore, dict[str, Any]],
) -> None:
    """An API process's request threads read PostgreSQL through one pool of at most
    ``pool_size`` connections (not one connection per thread), read-only."""
    import threading

    import psycopg

    from corpus.store import PerThreadStore
    from corpus.store_sql import READ_POOL_APP, PgReadPool

    post = pair[1]
    assert post.url is not None
    want = post.counts()
    store = PerThreadStore(post.data_dir, url=post.url, pool_size=2)
    got: list[dict[str, int]] = []
    try:
        assert isinstance(store._mine().db, PgReadPool)

        def read() -> None:
            for _ in range(10):
                got.append(store.counts())
                assert len(store.passages_of(next(iter(post.indexable_report_ids())))) > 0

        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert got == [want] * 80
        with psycopg.connect(post.url, autocommit=True) as conn:
            sessions = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                "AND datname = current_database()",
                (READ_POOL_APP,),
            ).fetchone()
        assert sessions is not None and 1 <= sessions[0] <= 2
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            store.db.execute("INSERT INTO meta VALUES('pool-test', 'x')")
    finally:
        store.close()
