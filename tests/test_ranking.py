"""Pure ranking pieces, table-driven: fusion, diversity, filters, queries, highlights."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.filters import FilterError, Filters
from index.tokenizer import Tokenizer
from retrieval.diversity import collapse, demote_per_key, group
from retrieval.filters import make_filters
from retrieval.fusion import rrf, weighted_sum
from retrieval.highlight import highlight_spans
from retrieval.query import QueryError, parse_query
from retrieval.synonyms import SynonymLexicon


@pytest.mark.parametrize(
    ("lists", "weights", "order"),
    [
        ({"a": [(1, 9.0), (2, 8.0)], "b": [(2, 0.9), (3, 0.8)]}, None, [2, 1, 3]),
        ({"a": [(1, 9.0)], "b": []}, None, [1]),
        ({"a": [(1, 9.0), (2, 8.0)], "b": [(2, 0.9), (1, 0.1)]}, {"a": 2.0, "b": 1.0}, [1, 2]),
        ({"a": [], "b": []}, None, []),
    ],
)
def test_rrf(lists, weights, order) -> None:  # type: ignore[no-untyped-def]
    fused = rrf(lists, weights)
    assert [f.doc_id for f in fused] == order
    for f in fused:
        assert set(f.parts) == {n for n, ranked in lists.items() if f.doc_id in dict(ranked)}


def test_rrf_scores_are_reciprocal_ranks() -> None:
    (f,) = rrf({"a": [(7, 3.0)], "b": [(7, 0.5)]}, k=60)
    assert f.score == pytest.approx(2 / 61)
    assert f.parts == {"a": {"rank": 1, "score": 3.0}, "b": {"rank": 1, "score": 0.5}}


@pytest.mark.parametrize(
    ("lists", "order"),
    [
        ({"a": [(1, 10.0), (2, 0.0)], "b": [(2, 1.0), (1, 0.9)]}, [1, 2]),
        ({"a": [(1, 5.0), (2, 5.0)]}, [1, 2]),
    ],
)
def test_weighted_sum(lists, order) -> None:  # type: ignore[no-untyped-def]
    assert [f.doc_id for f in weighted_sum(lists)] == order


@pytest.mark.parametrize(
    ("hits", "limit", "kept"),
    [
        ([("r1", 1), ("r1", 2), ("r1", 3), ("r2", 4)], 2, [1, 2, 4]),
        ([("r1", 1), ("r2", 2), ("r1", 3)], 1, [1, 2]),
        ([("r1", 1), ("r1", 2)], 0, [1, 2]),
    ],
)
def test_cap_per_report(hits, limit, kept) -> None:  # type: ignore[no-untyped-def]
    """The first round of the demoting cap holds at most ``limit`` hits per report; the
    rest follow it, never dropped."""
    ranked = [h[1] for h in demote_per_key(hits, key=lambda h: h[0], limit=limit)]
    assert ranked[: len(kept)] == kept
    assert sorted(ranked) == sorted(h[1] for h in hits)


def test_collapse_duplicates_keeps_best_and_lists_the_rest() -> None:
    hits = [("a", "g1"), ("b", None), ("c", "g1"), ("d", None), ("e", "g2")]
    out = collapse(hits, key=lambda h: h[1])
    assert [(h[0], [x[0] for x in rest]) for h, rest in out] == [
        ("a", ["c"]),
        ("b", []),
        ("d", []),
        ("e", []),
    ]


def test_group_by_jurisdiction_orders_by_best_hit() -> None:
    hits = [("x", 1), ("y", 2), ("x", 3), (None, 4)]
    assert group(hits, key=lambda h: h[0]) == [
        ("x", [("x", 1), ("x", 3)]),
        ("y", [("y", 2)]),
        (None, [(None, 4)]),
    ]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"jurisdiction": "江蘇省"}, Filters(jurisdiction=("江苏省",))),
        ({"jurisdiction": "江苏"}, Filters(jurisdiction=("江苏", "江苏省"))),
        ({"level": "乡镇,street"}, Filters(level=("township", "street"))),
        ({"section_role": "问题"}, Filters(section_role=("存在问题",))),
        ({"year_from": "2015", "year_to": 2020}, Filters(year_from=2015, year_to=2020)),
        ({"doc_type": "工作總結"}, Filters(doc_type=("工作总结",))),
        ({}, Filters()),
    ],
)
def test_make_filters(kwargs, expected) -> None:  # type: ignore[no-untyped-def]
    assert make_filters(**kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "village"}, "unknown level"),
        ({"section_role": "结尾"}, "unknown section_role"),
        ({"doc_type": "foo"}, "unknown doc_type"),
        ({"year_from": "abc"}, "must be a year"),
        ({"year_from": 2020, "year_to": 2010}, "after year_to"),
        ({"year_to": 3000}, "outside"),
    ],
)
def test_bad_filters_are_clear_errors(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FilterError, match=message):
        make_filters(**kwargs)


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer()


def test_tokenizer_keeps_domain_terms_whole_and_scripts_equal(tok: Tokenizer) -> None:
    simp = tok.tokenize("推进农民工入会和工资集体协商，建设职工书屋")
    trad = tok.tokenize("推進農民工入會和工資集體協商，建設職工書屋")
    assert simp == trad
    assert {"农民工入会", "工资集体协商", "职工书屋"} <= set(simp)
    assert "和" not in simp and "，" not in simp


def test_dictionary_is_data_and_changes_the_fingerprint(tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = Tokenizer()
    custom = tmp_path / "terms.txt"
    custom.write_text("# mine\n凤凰模式\n", encoding="utf-8")
    mine = Tokenizer(dictionary=custom)
    assert "凤凰模式" in mine.tokenize("推广凤凰模式")
    assert "凤凰模式" not in base.tokenize("推广凤凰模式")
    assert mine.fingerprint != base.fingerprint


def test_token_spans_point_into_the_original(tok: Tokenizer) -> None:
    """Query tokens (simplified) highlight the traditional-script original at the right
    characters: both scripts share offsets."""
    text = "鎮工會開展送溫暖活動"
    spans = highlight_spans(text, tok.tokenize("工会 送温暖"))
    assert [text[s:e] for s, e in spans] == ["工會", "送溫暖"]


@pytest.mark.parametrize(
    ("query", "rules"),
    [
        ("交工会的钱怎么收", ["交工会的钱"]),
        ("職工讀書的地方", ["读书的地方"]),
        ("工会经费收缴", []),
    ],
)
def test_synonym_expansion(tok: Tokenizer, query: str, rules: list[str]) -> None:
    q = parse_query(query, tok, SynonymLexicon.load())
    assert [r for r, _ in q.rules] == rules


@pytest.mark.parametrize(
    ("query", "rule"), [("交工会的钱怎么收", "交工会的钱"), ("職工讀書的地方", "读书的地方")]
)
def test_expansions_count_less_and_reach_the_dense_text(
    tok: Tokenizer, query: str, rule: str
) -> None:
    q = parse_query(query, tok, SynonymLexicon.load())
    weights = dict(q.lexical_terms())
    official = SynonymLexicon.load().rules[rule][0]
    assert weights[official] < 1.0  # expansions count less than the user's words
    assert official in q.dense_text()


@pytest.mark.parametrize(
    ("query", "without", "gone", "kept"),
    [
        # the section word and the official terms its rule adds leave together
        ("困难职工生活问题", {"问题"}, {"问题", "存在问题"}, {"困难职工", "生活"}),
        # an expansion another rule also adds stays
        ("交工会的钱有什么问题", {"问题"}, {"问题", "存在问题"}, {"工会经费"}),
        ("工会经费收缴", set(), set(), {"经费", "收缴"}),
    ],
)
def test_terms_without_section_words(
    tok: Tokenizer, query: str, without: set[str], gone: set[str], kept: set[str]
) -> None:
    q = parse_query(query, tok, SynonymLexicon.load())
    terms = {t for t, _ in q.lexical_terms(frozenset(without))}
    assert not terms & gone and kept <= terms
    dense = q.dense_text(frozenset(without))
    assert not any(g in dense for g in gone) and all(k in dense for k in kept)


@pytest.mark.parametrize(
    ("query", "message"), [("", "empty"), ("   ", "empty"), ("工" * 201, "limit is 200")]
)
def test_bad_queries(tok: Tokenizer, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query, tok, None)


def test_lexicon_file_errors_are_clear(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "syn.tsv"
    bad.write_text("没有制表符的行\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        SynonymLexicon.load(bad)


@pytest.mark.parametrize(
    ("text", "terms", "spans"),
    [
        ("鎮工會開展送溫暖活動", ["送温暖", "工会"], [[1, 3], [5, 8]]),
        ("工会经费收缴", ["工会经费", "经费收缴"], [[0, 6]]),
        ("无关内容", ["工会"], []),
    ],
)
def test_highlights_in_original_script(text, terms, spans) -> None:  # type: ignore[no-untyped-def]
    assert highlight_spans(text, terms) == spans


@pytest.mark.parametrize(
    ("query", "role"),
    [
        ("存在的问题和不足", "存在问题"),
        ("下一步工作打算", "下一步打算"),
        ("意见和建议", "下一步打算"),
        ("调研发现基层工会面临的困难", "存在问题"),
        ("取得的成效", "工作成效"),
        ("工会经费收缴", None),
        ("送温暖", None),
        ("困难职工帮扶有哪些做法", None),  # 主要做法 is what most passages are: not a signal
    ],
)
def test_section_intent(query: str, role: str | None) -> None:
    from retrieval.intent import section_intent

    assert section_intent(query) == role


@pytest.mark.parametrize("order", [[5, 3, 9, 1], [1, 9, 3, 5], [9, 5, 1, 3]])
def test_equal_bm25_scores_rank_by_doc_id_whatever_the_insertion_order(
    tmp_path: Path, order: list[int]
) -> None:
    """Ties are common; tantivy breaks them by segment position, which its writer threads
    decide. Two builds of one corpus must give the same list, cut included."""
    from index.bm25 import LexDoc, LexicalIndex

    index = LexicalIndex(tmp_path / "bm25")
    docs = [LexDoc(d, ["职工", "驿站"], [], [], f"r{d}", None, None, "其他", None) for d in order]
    index.add([LexDoc(99, ["职工", "之家"], [], [], "r99", None, None, "其他", None), *docs])
    assert index.search([("驿站", 1.0)], 10) == [
        (d, index.search([("驿站", 1.0)], 10)[0][1]) for d in (1, 3, 5, 9)
    ]
    assert [d for d, _ in index.search([("驿站", 1.0)], 2)] == [1, 3]  # ties at the cut too


def test_bm25_reads_see_every_write_of_the_same_index(tmp_path: Path) -> None:
    """Reads share one tantivy searcher until the index writes: what add and delete write
    is seen by the next search, count, idf and document count."""
    from index.bm25 import LexDoc, LexicalIndex

    def doc(d: int, words: list[str]) -> LexDoc:
        return LexDoc(d, words, [], [], f"r{d}", None, None, "其他", None)

    index = LexicalIndex(tmp_path / "bm25")
    index.add([doc(1, ["职工", "驿站"])])
    assert [d for d, _ in index.search([("驿站", 1.0)], 10)] == [1]
    assert index.searcher() is index.searcher()  # shared between reads
    index.add([doc(2, ["驿站"]), doc(3, ["书屋"])])
    assert sorted(d for d, _ in index.search([("驿站", 1.0)], 10)) == [1, 2]
    assert (index.num_docs(), index.count([("驿站", 1.0)])) == (3, 2)
    index.delete([1])
    assert [d for d, _ in index.search([("驿站", 1.0)], 10)] == [2]
    assert (index.num_docs(), index.count([("驿站", 1.0)])) == (2, 1)
    assert index.idf(["驿站"])["驿站"] == index.idf(["书屋"])["书屋"]  # one document each now
