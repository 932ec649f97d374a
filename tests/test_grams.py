"""The character-bigram list (retrieval/grams.py) and RRF's k, table-driven."""

from __future__ import annotations

import pytest

from retrieval.fusion import rrf
from retrieval.grams import bigram_bm25, bigrams, query_grams


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("建家强家", ["建家", "家强", "强家"]),
        ("会员评家，民主测评", ["会员", "员评", "评家", "民主", "主测", "测评"]),
        ("镇", ["镇"]),  # a one-character run is its own gram
        ("2015年", ["20", "01", "15", "5年"]),
        ("，。", []),
    ],
)
def test_bigrams(text: str, grams: list[str]) -> None:
    assert bigrams(text) == grams


@pytest.mark.parametrize(
    ("query", "ignore", "extra", "expected"),
    [
        # question words are cut out first: no gram spans 怎么办 or reaches into it
        ("经费不足怎么办", ("怎么办", "怎么"), (), {"经费": 1.0, "费不": 1.0, "不足": 1.0}),
        ("评家", (), (("会员评家", 0.4),), {"评家": 1.0, "会员": 0.4, "员评": 0.4}),
        ("如何", ("如何",), (), {}),
    ],
)
def test_query_grams(query, ignore, extra, expected) -> None:  # type: ignore[no-untyped-def]
    assert query_grams(query, ignore, extra) == expected


@pytest.mark.parametrize(
    ("grams", "texts", "order"),
    [
        # the passage holding the words together beats one holding them apart
        (
            {"维权": 1.0, "权机": 1.0, "机制": 1.0, "制建": 1.0, "建设": 1.0},
            ["加强维权机制建设工作", "组织建设和维权工作的长效机制", "职工文体活动"],
            [0, 1, 2],
        ),
        # a bigram every candidate holds weighs (almost) nothing; the rare one decides
        ({"工会": 1.0, "建家": 1.0}, ["工会工会工会", "工会建家", "工会"], [1, 0, 2]),
    ],
)
def test_bigram_bm25_orders(grams, texts, order) -> None:  # type: ignore[no-untyped-def]
    scores = bigram_bm25(grams, texts)
    assert sorted(range(len(texts)), key=lambda i: -scores[i]) == order
    assert scores[order[-1]] < scores[order[0]]


@pytest.mark.parametrize(
    ("grams", "texts"),
    [({}, ["工会"]), ({"建家": 1.0}, []), ({"火星": 1.0}, ["工会", "建家"])],
)
def test_bigram_bm25_without_evidence_scores_zero(grams, texts) -> None:  # type: ignore[no-untyped-def]
    assert bigram_bm25(grams, texts) == [0.0] * len(texts)


@pytest.mark.parametrize(
    ("k", "winner"),
    [
        # doc 1 leads engine a, is 6th in b; doc 2 is 3rd and 2nd. A small k lets the
        # head of a list decide, a large one rewards being fairly high everywhere.
        (1, 1),
        (60, 2),
    ],
)
def test_rrf_k_sets_the_weight_of_the_head(k: int, winner: int) -> None:
    a = [(1, 9.0), (5, 8.0), (2, 7.0)]
    b = [(3, 1.0), (2, 0.9), (4, 0.8), (6, 0.7), (7, 0.6), (1, 0.5)]
    assert rrf({"a": a, "b": b}, k=k)[0].doc_id == winner
