"""Retrieval over the indexed seeds: relevance, filters, diversity, explain, similar."""

from __future__ import annotations

import copy
import gc
import os
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from corpus.script import to_simplified
from index.config import IndexConfig
from retrieval.evaluation import DEFAULT_DEVSET, SPLITS, evaluate, load_devset
from retrieval.filters import make_filters
from retrieval.floor import NO_FLOOR
from retrieval.parallel import SearchThreads, usable_cores
from retrieval.query import QueryError
from retrieval.searcher import Hit, Mode, Searcher, SearchOptions, simplified_lower
from retrieval.service import SearchService


def test_devset_is_big_enough_and_every_span_exists(seed_searcher: Searcher) -> None:
    queries = load_devset(DEFAULT_DEVSET)
    assert len(queries) >= 100
    assert {q.kind for q in queries} >= {
        "keyword",
        "colloquial",
        "traditional",
        "question",
        "section",
        "no-answer",
    }
    assert sum(q.blind for q in queries) * 2 >= len(queries)  # half written before results
    assert {q.split for q in queries} == set(SPLITS)
    # the check half and the fresh check sets (fresh, fresh2, fresh3, fresh4) are unseen
    assert all(q.blind for q in queries if q.split != "tune")
    assert len([q for q in queries if q.kind == "no-answer"]) >= 10


@pytest.fixture(scope="module")
def served_eval(seed_searcher: Searcher) -> dict:  # type: ignore[type-arg]
    return evaluate(seed_searcher, load_devset(DEFAULT_DEVSET))


def test_served_ranking_on_the_devset(served_eval) -> None:  # type: ignore[no-untyped-def]
    tables = served_eval["tables"]
    tune, check = tables["tune half"], tables["check half"]
    assert tune["hybrid"]["ndcg@10"] > tune["bm25"]["ndcg@10"] > 0.8
    assert check["hybrid"]["ndcg@10"] > check["dense"]["ndcg@10"]
    # Unseen queries: issue 10 asks hybrid >= BM25 here. It holds by a hair (0.719 against
    # 0.718 once a query's section words were left to the section list, from 0.709 against
    # 0.713); the margin guards against it slipping back further than noise.
    assert check["hybrid"]["ndcg@10"] >= check["bm25"]["ndcg@10"] - 0.02
    fresh = tables["fresh check set"]  # written blind, scored once the ranking was settled
    assert fresh["hybrid"]["ndcg@10"] > fresh["dense"]["ndcg@10"]
    assert fresh["hybrid"]["ndcg@10"] >= fresh["bm25"]["ndcg@10"] - 0.02
    # fresh3: written blind from the seed passages, scored once on the ranking as it stood
    # (hybrid 0.775, BM25 0.768, dense 0.721)
    fresh3 = tables["third fresh check set"]
    assert fresh3["hybrid"]["ndcg@10"] > fresh3["dense"]["ndcg@10"]
    assert fresh3["hybrid"]["ndcg@10"] >= fresh3["bm25"]["ndcg@10"] - 0.02
    # fresh4: written the same way after fresh3 had been scored, scored once (hybrid 0.597,
    # BM25 0.573, dense 0.590: its colloquial paraphrases share few words with the passages)
    fresh4 = tables["fourth fresh check set"]
    assert fresh4["hybrid"]["ndcg@10"] >= fresh4["bm25"]["ndcg@10"]
    assert fresh4["hybrid"]["ndcg@10"] >= fresh4["dense"]["ndcg@10"] - 0.02
    # the lexicon earns its place on colloquial wording
    colloquial = tables["kind: colloquial"]
    assert colloquial["hybrid"]["ndcg@10"] > colloquial["hybrid (no lexicon)"]["ndcg@10"]
    # answerable queries are (almost) never answered with nothing
    assert tables["all queries"]["hybrid"]["empty"] <= 0.05


def test_no_answer_queries_come_back_empty(served_eval) -> None:  # type: ignore[no-untyped-def]
    # The floor was calibrated on the tune half and first checked on the check half. The
    # fresh set's unanswerable queries mostly get answers (工会会员退会手续, 光刻机国产化进展,
    # 手机信号不好怎么办: a word the corpus never uses beside common ones it does), as does
    # the tune half's 工会会员证补办流程: issue 10 stays open on that.
    tables = served_eval["tables"]
    for system in ("bm25", "dense", "hybrid"):
        assert tables["kind: no-answer (check)"][system]["empty"] >= 0.9, system
        assert tables["kind: no-answer (tune)"][system]["empty"] >= 0.9, system


@pytest.mark.parametrize(
    "texts", [["工會經費收繳", "工会经费", "Ａ工會"], [], ["含\x1e标记的文本", "工會"], ["短"]]
)
def test_floor_texts_converted_together_equal_one_by_one(texts: list[str]) -> None:
    assert simplified_lower(texts) == [to_simplified(t).lower() for t in texts]


def test_section_words_beside_a_topic_are_left_to_the_section_list(
    seed_searcher: Searcher,
) -> None:
    topic = seed_searcher.parse("困难职工生活问题")
    role = seed_searcher.intent(topic)
    assert role == "存在问题" and seed_searcher.section_words(topic, role) == {"问题"}
    # a passage on needy workers' lives answers it without saying 问题
    hits = seed_searcher.search("困难职工生活问题").hits
    assert any(
        h.passage.section_role != role and "问题" not in to_simplified(h.passage.text) for h in hits
    )
    # a query naming nothing but the section keeps its words: they are the query
    only = seed_searcher.parse("存在的问题和不足")
    assert seed_searcher.section_words(only, seed_searcher.intent(only)) == frozenset()
    assert {h.passage.section_role for h in seed_searcher.search("存在的问题和不足").hits} == {
        "存在问题"
    }


@pytest.mark.parametrize("query", ["火星探测器发射", "红烧肉的家常做法", "区块链智能合约漏洞"])
def test_nonsense_finds_nothing_in_any_mode(seed_searcher: Searcher, query: str) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        res = seed_searcher.search(query, SearchOptions(mode=mode))  # type: ignore[arg-type]
        assert res.total == 0 and not res.hits and not res.facets["level"], mode
    unfloored = seed_searcher.search(query, SearchOptions(floor=NO_FLOOR))
    assert unfloored.total > 0  # the engines alone always find "neighbours"


@pytest.mark.parametrize(
    ("query", "absent"),
    [
        ("工会经费收缴", []),  # every word in the reports
        ("火星探测器发射", ["火星", "探测器", "发射"]),  # the longest, not 探测 inside 探测器
        ("工会会员证补办流程", ["补办"]),  # beside words the reports use
        ("基因测序技术推广情况", ["基因", "测序"]),  # 技术推广: its words 技术, 推广 are used
        ("企业不愿意建工会怎么办", ["愿意"]),  # 怎么办 is a question word, never reported
        ("交工会的钱怎么收上来", []),  # a lexicon rule stands for 工会的钱
        ("青得里", []),  # in a report title only: the engine searches headings too
    ],
)
def test_words_the_corpus_never_uses_are_reported(
    seed_searcher: Searcher, query: str, absent: list[str]
) -> None:
    res = seed_searcher.search(query)
    assert res.absent == absent
    if absent and res.hits:  # results hold the query's other words, not the absent ones
        assert not any(w in h.passage.text for h in res.hits for w in absent)


def test_floor_keeps_counts_meaningful(seed_searcher: Searcher) -> None:
    res = seed_searcher.search("工会经费收缴", SearchOptions())
    loose = seed_searcher.search("工会经费收缴", SearchOptions(floor=NO_FLOOR))
    assert 0 < res.total < loose.total
    # every hit shows its evidence: a marked part of the query in its text
    assert all(h.highlights for h in res.hits)
    assert sum("经费" in h.passage.text or "經費" in h.passage.text for h in res.hits) >= 3


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
@pytest.mark.parametrize("query", ["工会", "工会经费收缴", "农民工入会"])
def test_total_is_exact_when_every_match_was_a_candidate(
    seed_searcher: Searcher, mode: Mode, query: str
) -> None:
    """``total_exact`` says whether every passage with a query word was a candidate, as the
    engine's count says, at depths below, at and above that count (the local engine tells
    with its answer, no count query made)."""
    n = seed_searcher.count(seed_searcher.parse(query), SearchOptions(mode=mode))
    assert n > 1
    for depth in (1, n - 1, n, n + 1):
        res = seed_searcher.search(query, SearchOptions(mode=mode, depth=depth))
        assert res.total_exact == (n <= depth), (depth, n)


def test_served_snapshot_is_left_out_of_the_collectors_walk(seed_searcher: Searcher) -> None:
    """The served index's long-lived lists are frozen, so a full collection during a request
    does not walk them (36-50 ms at 1M passages)."""
    service = SearchService(seed_searcher.store.data_dir, IndexConfig())
    try:
        assert service.searcher is not None
        walked = {id(o) for o in gc.get_objects()}
        assert id(service.searcher.bundle.table.passage_ids) not in walked
    finally:
        service.close()


def test_swaps_leave_no_frozen_garbage(seed_searcher: Searcher) -> None:
    """Each swap frees the reference cycles the retired snapshot left before freezing the
    new one: without that, 260-580 objects a swap stayed frozen for good (a long-running
    server swaps at every publish)."""
    service = SearchService(seed_searcher.store.data_dir, IndexConfig())
    try:
        counts = []
        for _ in range(6):
            service.reload()
            counts.append(gc.get_freeze_count())
        assert max(counts[2:]) - min(counts[2:]) < 100, counts
    finally:
        service.close()


def test_sort_by_date_is_newest_first(seed_searcher: Searcher) -> None:
    res = seed_searcher.search("工会组织建设", SearchOptions(k=20, sort="date"))
    years = [h.report.year or 0 for h in res.hits]
    assert years == sorted(years, reverse=True) and len(set(years)) > 1
    with pytest.raises(QueryError):
        seed_searcher.search("工会", SearchOptions(sort="title"))  # type: ignore[arg-type]


def test_role_word_inside_a_term_asks_for_no_section(seed_searcher: Searcher) -> None:
    q = seed_searcher.parse("合理化建议")
    assert seed_searcher.intent(q) is None
    assert seed_searcher.intent(seed_searcher.parse("意见和建议")) == "下一步打算"


def test_either_script_finds_both(seed_searcher: Searcher) -> None:
    simp = seed_searcher.search("工会经费收缴", SearchOptions(k=5))
    trad = seed_searcher.search("工會經費收繳", SearchOptions(k=5))
    assert [h.passage.passage_id for h in simp.hits] == [h.passage.passage_id for h in trad.hits]
    scripts = {h.report.script for h in simp.hits}
    assert {"simplified", "traditional"} <= scripts


def test_hits_explain_and_highlight_themselves(seed_searcher: Searcher) -> None:
    res = seed_searcher.search("农民工入会", SearchOptions(k=5))
    assert res.hits and res.took_ms > 0
    for h in res.hits:
        assert set(h.explain) >= {"fused"} and ({"bm25", "dense"} & set(h.explain))
        ranks = [h.explain[part]["rank"] for part in ("bm25", "dense") if part in h.explain]
        assert ranks and min(ranks) >= 1
        assert h.highlights
        for s, e in h.highlights:
            assert 0 <= s < e <= len(h.passage.text)
    top = res.hits[0]
    marked = "".join(top.passage.text[s:e] for s, e in top.highlights)
    assert "入会" in marked or "入會" in marked


def test_filters_run_inside_the_engines(seed_searcher: Searcher) -> None:
    f = make_filters(jurisdiction="河南")  # only 思礼镇 lies in 河南
    for mode in ("bm25", "dense", "hybrid"):
        opts = SearchOptions(k=10, filters=f, mode=mode, per_report=0, floor=NO_FLOOR)  # type: ignore[arg-type]
        res = seed_searcher.search("工会工作", opts)
        assert {h.report.jurisdiction for h in res.hits} == {"思礼镇"}
        # 思礼镇 has 11 passages among 161: a selective filter still fills the page
        assert len(res.hits) == 10, mode


@pytest.mark.parametrize(
    ("kwargs", "check"),
    [
        ({"level": "street"}, lambda h: h.report.level == "street"),
        ({"year_from": 2015, "year_to": 2017}, lambda h: 2015 <= (h.report.year or 0) <= 2017),
        ({"doc_type": "论文"}, lambda h: h.report.doc_type == "论文"),
        ({"section_role": "存在问题"}, lambda h: h.passage.section_role == "存在问题"),
        ({"exclude_jurisdiction": "河南省"}, lambda h: h.report.jurisdiction != "思礼镇"),
    ],
)
def test_each_filter(seed_searcher: Searcher, kwargs, check) -> None:  # type: ignore[no-untyped-def]
    res = seed_searcher.search("工会", SearchOptions(k=20, filters=make_filters(**kwargs)))
    assert res.hits and all(check(h) for h in res.hits)


def _every_hit(searcher: Searcher, query: str, per_report: int = 2) -> list[Hit]:
    """All results, page by page (the largest page is smaller than some result lists)."""
    hits: list[Hit] = []
    offset = 0
    while True:
        res = searcher.search(query, SearchOptions(k=100, offset=offset, per_report=per_report))
        hits += res.hits
        if not res.has_more:
            return hits
        offset += 100


def test_two_per_report_then_the_rest_further_down(seed_searcher: Searcher) -> None:
    hits = _every_hit(seed_searcher, "工会组织建设")
    seen: dict[str, int] = {}
    rounds = []
    for h in hits:
        seen[h.report.report_id] = seen.get(h.report.report_id, 0) + 1
        rounds.append((seen[h.report.report_id] - 1) // 2)
    assert rounds == sorted(rounds) and max(rounds) >= 1  # third passages come after
    first = hits[: rounds.count(0)]
    assert max(sum(h.report.report_id == r for h in first) for r in seen) <= 2
    loose = _every_hit(seed_searcher, "工会组织建设", per_report=0)
    # demoted, never dropped: the same passages in another order
    assert len(hits) == len(loose) == seed_searcher.search("工会组织建设").total
    assert {h.passage.passage_id for h in hits} == {h.passage.passage_id for h in loose}


def test_group_by_jurisdiction(seed_searcher: Searcher) -> None:
    res = seed_searcher.search("送温暖", SearchOptions(k=3, group_by="jurisdiction"))
    assert res.groups is not None and len(res.groups) <= 3
    names = [g for g, _ in res.groups]
    assert len(names) == len(set(names))


def test_facets_count_the_candidates(seed_searcher: Searcher) -> None:
    res = seed_searcher.search("工会经费", SearchOptions(k=5))
    assert set(res.facets) == {"jurisdiction", "level", "year", "doc_type", "section_role", "theme"}
    roles = {f["value"]: f["count"] for f in res.facets["section_role"]}
    assert sum(roles.values()) >= len(res.hits)


def test_similar_comes_from_other_reports_and_places(seed_searcher: Searcher) -> None:
    src = seed_searcher.search("夏季送清凉活动", SearchOptions(k=1)).hits[0]
    assert src.report.jurisdiction == "思礼镇"
    sim = seed_searcher.similar(src.passage.passage_id, k=10)
    assert sim.hits
    for h in sim.hits:
        assert h.report.report_id != src.report.report_id
        assert h.report.jurisdiction != "思礼镇"


def test_bad_options_are_clear_errors(seed_searcher: Searcher) -> None:
    for opts in (
        SearchOptions(k=0),
        SearchOptions(k=101),
        SearchOptions(offset=-1),
        SearchOptions(group_by="level"),
    ):
        with pytest.raises(QueryError):
            seed_searcher.search("工会", opts)
    with pytest.raises(KeyError):
        seed_searcher.similar("no-such-passage")


@pytest.mark.parametrize("role", ["主要做法", "基本情况", "存在问题", "下一步打算"])
def test_a_section_name_filtered_to_that_section_browses_it(
    seed_searcher: Searcher, role: str
) -> None:
    """The UI's 同类段落: q = the role, filtered to the role, lists that section's passages
    whether or not their text repeats the heading words."""
    res = seed_searcher.search(role, SearchOptions(k=50, filters=make_filters(section_role=role)))
    assert res.hits and all(h.passage.section_role == role for h in res.hits)
    literal = [h for h in res.hits if role in h.passage.text.replace("問題", "问题")]
    assert res.total > len(literal)


# Section queries (a second, section-filtered BM25 list), a filtered one, plain ones.
_PARALLEL_QUERIES = [
    ("存在的问题", None),
    ("困难职工生活问题", None),
    ("下一步打算", {"level": "township"}),
    ("工会经费收缴", None),
    ("送温暖", {"year_from": 2015}),
]


def _threaded(searcher: Searcher, threads: SearchThreads) -> Searcher:
    return Searcher(searcher.bundle, searcher.store, searcher.lexicon, threads)


@pytest.mark.parametrize(("query", "filters"), _PARALLEL_QUERIES)
def test_engine_searches_side_by_side_give_the_same_page(
    seed_searcher: Searcher, query: str, filters: dict[str, Any] | None
) -> None:
    opts = SearchOptions(k=20, filters=make_filters(**(filters or {})))
    alone = seed_searcher.search(query, opts)
    threads = SearchThreads(2, cores=8)  # idle cores: every query hands its searches over
    try:
        beside = _threaded(seed_searcher, threads).search(query, opts)
    finally:
        threads.close()
    assert alone.hits, query
    assert [(h.passage.passage_id, h.score) for h in beside.hits] == [
        (h.passage.passage_id, h.score) for h in alone.hits
    ]
    assert (beside.total, beside.facets) == (alone.total, alone.facets)


@pytest.mark.parametrize(
    ("cores", "others", "hands_over"),
    [(8, 0, True), (2, 0, True), (2, 1, False), (1, 0, False), (4, 2, True), (4, 3, False)],
)
def test_searches_are_handed_over_only_while_cores_are_idle(
    cores: int, others: int, hands_over: bool
) -> None:
    threads = SearchThreads(2, cores=cores)
    try:
        with ExitStack() as stack:
            for _ in range(others):  # queries being answered already
                stack.enter_context(threads.query())
            with threads.query() as start:
                assert (start == threads.start) is hands_over
                assert start(sum, [1, 2])() == 3
        with threads.query() as start:  # the others are done: cores idle again
            assert (start == threads.start) is (cores > 1)
    finally:
        threads.close()


def test_a_search_whose_threads_are_busy_runs_its_own_lists(seed_searcher: Searcher) -> None:
    """Every search thread held by other work: the query takes its tasks back and answers
    at once, instead of queueing behind that work."""
    release = threading.Event()
    threads = SearchThreads(1, cores=8)
    try:
        threads.start(release.wait, 30)  # the one thread is busy until released
        t0 = time.perf_counter()
        res = _threaded(seed_searcher, threads).search("存在的问题", SearchOptions())
        took = time.perf_counter() - t0
        assert not release.is_set()
    finally:
        release.set()
        threads.close()
    assert res.hits and took < 10
    assert [h.passage.passage_id for h in res.hits] == [
        h.passage.passage_id for h in seed_searcher.search("存在的问题", SearchOptions()).hits
    ]


def test_an_engine_failure_beside_the_main_search_reaches_the_caller(
    seed_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = copy.copy(seed_searcher.bundle)

    def broken(*args: object, **kwargs: object) -> list[tuple[int, float]]:
        raise RuntimeError("vector index unreadable")

    monkeypatch.setattr(bundle, "dense_search", broken)
    threads = SearchThreads(2, cores=8)
    try:
        side = Searcher(bundle, seed_searcher.store, seed_searcher.lexicon, threads)
        with pytest.raises(RuntimeError, match="vector index unreadable"):
            side.search("工会经费收缴", SearchOptions())
    finally:
        threads.close()


@pytest.mark.parametrize("threads", [0, 2])
def test_the_service_shares_its_search_threads_with_each_snapshot(
    seed_searcher: Searcher, threads: int
) -> None:
    service = SearchService(seed_searcher.store.data_dir, IndexConfig(), search_threads=threads)
    try:
        assert service.searcher is not None
        assert (service.threads is None) == (threads == 0)
        service.reload()
        assert service.searcher.threads is service.threads
        assert service.search("存在的问题", SearchOptions()).hits
    finally:
        service.close()
    if service.threads is not None:  # shut down with the service: tasks run in the caller
        assert service.threads.start(threading.current_thread)() is threading.current_thread()


def test_a_query_with_idle_cores_runs_its_dense_search_on_a_search_thread(
    seed_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main BM25 search waits until the dense search has started elsewhere, so the
    caller cannot take that task back: the dense search must run on a search thread."""
    bundle = copy.copy(seed_searcher.bundle)
    started = threading.Event()
    ran_on: list[str] = []
    dense, lexical = bundle.dense_search, bundle.lexical_search_more

    def recorded_dense(*args: Any) -> Any:
        ran_on.append(threading.current_thread().name)
        started.set()
        return dense(*args)

    def waiting_lexical(*args: Any) -> Any:
        assert started.wait(10), "the dense search never started beside the BM25 search"
        return lexical(*args)

    monkeypatch.setattr(bundle, "dense_search", recorded_dense)
    monkeypatch.setattr(bundle, "lexical_search_more", waiting_lexical)
    threads = SearchThreads(2, cores=8)
    try:
        res = Searcher(bundle, seed_searcher.store, seed_searcher.lexicon, threads).search(
            "工会经费收缴", SearchOptions()
        )
    finally:
        threads.close()
    assert res.hits
    assert len(ran_on) == 1 and ran_on[0].startswith("jiejian-search"), ran_on


@pytest.mark.parametrize("processes", [1, 2, 1000])
def test_server_processes_share_the_usable_cores(processes: int) -> None:
    threads = SearchThreads(1, processes=processes)
    try:
        assert threads.cores == max(1, usable_cores() // processes)
        assert usable_cores() <= (os.cpu_count() or 1)
    finally:
        threads.close()


def test_a_query_still_running_when_its_threads_shut_down_runs_alone() -> None:
    threads = SearchThreads(1, cores=8)
    with threads.query() as start:
        threads.close()  # the service closing under a query still being answered
        assert start(sum, [1, 2, 3])() == 6


def test_served_reads_map_the_sqlite_store_and_see_later_commits(tmp_path: Path) -> None:
    """Read-only connections map the store file (corpus/defaults.py SQLITE_READ_MMAP) and
    still see what the writer commits after they opened."""
    from corpus.pipeline import ingest
    from corpus.store import CorpusStore

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(
        "周市镇工会2019年工作总结\n一、主要做法\n一是建设职工书屋，藏书三千册。\n", "utf-8"
    )
    writer = CorpusStore(tmp_path / "data")
    reader = CorpusStore(tmp_path / "data", readonly=True)
    try:
        ingest([src], writer)
        assert int(reader.db.execute("PRAGMA mmap_size").fetchone()[0]) > 0
        before = reader.counts()["reports"]
        (src / "b.txt").write_text(
            "良渚街道工会联合会2020年工作总结\n一、主要做法\n一是开展送温暖活动，慰问困难职工。\n",
            "utf-8",
        )
        ingest([src], writer)
        assert (before, reader.counts()["reports"]) == (1, 2)
    finally:
        reader.close()
        writer.close()
