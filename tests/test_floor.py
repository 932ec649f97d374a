"""The relevance floor, the diversity cap that demotes, the section-role prior and section
intent: pure functions checked from tables."""

from __future__ import annotations

import pytest

from retrieval.diversity import demote_per_key
from retrieval.floor import (
    FLOOR,
    NO_FLOOR,
    Concept,
    FloorParams,
    apply_floor,
    coverage,
    coverages_of,
    has_evidence,
    longest_only,
    prior_boost,
    query_concepts,
)
from retrieval.fusion import Fused
from retrieval.intent import mask_terms, named_role, section_intent

IDF = {
    "工会": 0.1,
    "经费": 2.0,
    "收缴": 3.0,
    "工会经费": 2.5,
    "火星": 6.0,
    "钱": 4.0,
    "会费": 3.0,
    "职工": 0.1,
    "书屋": 3.0,
    "职工书屋": 4.0,
}


@pytest.mark.parametrize(
    ("tokens", "rules", "ignore", "expected"),
    [
        # a compound is one concept; its inner tokens only give partial credit
        (
            ["工会", "经费", "工会经费", "收缴"],
            [],
            (),
            [Concept(("工会经费",), 2.5, (("工会", 0.1), ("经费", 2.0))), Concept(("收缴",), 3.0)],
        ),
        # a lexicon rule is one concept standing for its phrase, as heavy as its rarest word
        (
            ["交", "工会", "钱", "收缴"],
            [("交工会的钱", ["工会经费", "会费"])],
            (),
            [Concept(("交工会的钱", "工会经费", "会费"), 4.0), Concept(("收缴",), 3.0)],
        ),
        # a rule absorbs 书屋, yet 书屋 still counts among 职工书屋's parts: 职工 alone is
        # a small part of it, not all of it
        (
            ["职工", "书屋", "职工书屋"],
            [("书屋", ["职工书屋"])],
            (),
            [
                Concept(("书屋", "职工书屋"), 4.0),  # its official term is rarer
                Concept(("职工书屋",), 4.0, (("职工", 0.1), ("书屋", 3.0))),
            ],
        ),
        # question words and section words are not asked of the text
        (["火星", "怎么办"], [], ("怎么办",), [Concept(("火星",), 6.0)]),
        # a rule over ignored words only (问题 -> 存在问题 when 问题 names the section)
        # asks nothing of the text either; a rule over a topic still does
        (["经费", "问题"], [("问题", ["存在问题"])], ("问题",), [Concept(("经费",), 2.0)]),
        (
            ["交", "工会", "钱", "问题"],
            [("交工会的钱", ["工会经费"]), ("问题", ["存在问题"])],
            ("问题",),
            [Concept(("交工会的钱", "工会经费"), 4.0)],
        ),
        # single characters count only when nothing longer is left
        (["钱"], [], (), [Concept(("钱",), 4.0)]),
        ([], [], (), []),
    ],
)
def test_query_concepts(tokens, rules, ignore, expected) -> None:  # type: ignore[no-untyped-def]
    assert query_concepts(tokens, rules, IDF, ignore) == expected


COMPOUND = [Concept(("工会经费",), 2.0, (("工会", 0.5), ("经费", 1.5))), Concept(("收缴",), 2.0)]


@pytest.mark.parametrize(
    ("text", "concepts", "expected"),
    [
        ("注重工会经费收缴", COMPOUND, 1.0),
        ("经费收缴", COMPOUND, 0.5 + 0.5 * 0.5 * 0.75),  # 收缴 whole, 工会经费 by its parts
        ("工会工作", COMPOUND, 0.5 * 0.5 * 0.25),  # the common part alone: little evidence
        ("收缴会费", COMPOUND, 0.5),
        ("送温暖", COMPOUND, 0.0),
        ("任何文字", [], 0.0),
        ("任何文字", [Concept(("任何",), 0.0)], 0.0),  # no weight: no evidence
    ],
)
def test_coverage(text: str, concepts: list[Concept], expected: float) -> None:
    assert coverage(text, concepts) == pytest.approx(expected)


TEXTS = ["注重工会经费收缴", "经费收缴", "工会工作", "收缴会费", "送温暖", ""]
RULE = [Concept(("交工会的钱", "工会经费", "会费"), 4.0), Concept(("收缴",), 3.0)]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["光刻", "光刻机", "国产化"], ["光刻机", "国产化"]),
        (["工会", "会员", "工会会员"], ["工会会员"]),
        (["退会", "退会"], ["退会", "退会"]),  # equal words are not inside each other
        ([], []),
    ],
)
def test_longest_only(words: list[str], expected: list[str]) -> None:
    assert longest_only(words) == expected


@pytest.mark.parametrize("concepts", [COMPOUND, RULE, [], [Concept(("工会",), 0.0)]])
def test_coverages_of_many_texts_equal_one_by_one(concepts: list[Concept]) -> None:
    # exactly equal, not approximately: the floor's thresholds see the same numbers
    assert coverages_of(TEXTS, concepts) == [coverage(t, concepts) for t in TEXTS]
    assert coverages_of([], concepts) == []


P = FloorParams(lexical=0.3, dense=0.5, dense_overlap=0.1)


@pytest.mark.parametrize(
    ("cover", "dense", "params", "expected"),
    [
        (0.3, None, P, True),  # enough of the query in the text
        (0.29, None, P, False),
        (0.0, 0.9, P, False),  # a close neighbour sharing no word is a guess
        (0.1, 0.5, P, True),  # dense evidence backed by some overlap
        (0.1, 0.49, P, False),
        (0.0, None, NO_FLOOR, True),
        (0.0, None, FloorParams(0.0, 0.5, 0.0), False),  # zero coverage is never lexical evidence
    ],
)
def test_has_evidence(
    cover: float, dense: float | None, params: FloorParams, expected: bool
) -> None:
    assert has_evidence(cover, dense, params) is expected


def _fused(doc: int, dense: float | None = None) -> Fused:
    parts = {"bm25": {"rank": 1, "score": 1.0}}
    if dense is not None:
        parts["dense"] = {"rank": 1, "score": dense}
    return Fused(doc, 1.0 / (doc + 1), parts)


@pytest.mark.parametrize(
    ("fused", "covers", "params", "kept"),
    [
        ([_fused(0), _fused(1), _fused(2)], {0: 0.9, 2: 0.4}, P, [0, 2]),
        ([_fused(0, 0.8), _fused(1, 0.8)], {0: 0.15, 1: 0.05}, P, [0]),
        ([_fused(0), _fused(1)], {}, P, []),
        ([_fused(0), _fused(1)], {}, NO_FLOOR, [0, 1]),
    ],
)
def test_apply_floor(fused, covers, params, kept) -> None:  # type: ignore[no-untyped-def]
    assert [f.doc_id for f in apply_floor(fused, covers, params)] == kept


def test_served_floor_is_calibrated_data() -> None:
    assert FLOOR.enabled and 0 < FLOOR.lexical < 1 and FLOOR.dense_overlap > 0


@pytest.mark.parametrize(
    ("keys", "limit", "expected"),
    [
        # the third passage of report a moves behind b and c instead of vanishing
        ("aaabc", 2, "aabca"),
        ("aaaab", 2, "aabaa"),
        ("abc", 1, "abc"),
        ("aabb", 1, "abab"),
        ("aaa", 0, "aaa"),
        ("", 2, ""),
    ],
)
def test_demote_per_key_moves_extras_down(keys: str, limit: int, expected: str) -> None:
    hits = list(enumerate(keys))
    out = demote_per_key(hits, key=lambda h: h[1], limit=limit)
    assert "".join(k for _, k in out) == expected
    assert sorted(out) == hits  # nothing dropped


@pytest.mark.parametrize(
    ("roles", "boosts", "order"),
    [
        ({0: "基本情况", 1: "主要做法"}, {"主要做法": 1.1, "基本情况": 0.9}, [1, 0]),
        ({0: "基本情况", 1: "主要做法"}, {}, [0, 1]),
        ({0: "主要做法", 1: "主要做法"}, {"主要做法": 1.1}, [0, 1]),  # stable among equals
    ],
)
def test_prior_boost(roles, boosts, order) -> None:  # type: ignore[no-untyped-def]
    fused = [Fused(0, 1.0), Fused(1, 0.95)]
    out = prior_boost(fused, roles, boosts)
    assert [f.doc_id for f in out] == order
    # a hit the prior moved says by what factor (its explanation shows it)
    for f in out:
        factor = boosts.get(roles[f.doc_id], 1.0)
        assert f.parts.get("prior") == ({"factor": factor} if factor != 1.0 else None)


DICTIONARY = ["合理化建议", "职工之家", "建家"]


@pytest.mark.parametrize(
    ("query", "role"),
    [
        ("合理化建议", None),  # 建议 inside a domain term names no section
        ("职工合理化建议活动", None),
        ("合理化建议工作存在的问题", "存在问题"),
        ("意见和建议", "下一步打算"),
        ("下一步工作打算", "下一步打算"),
    ],
)
def test_section_intent_ignores_role_words_inside_terms(query: str, role: str | None) -> None:
    assert section_intent(query, DICTIONARY) == role


def test_terms_holding_role_words_name_no_section() -> None:
    # The heading rule itself (corpus/sections.py) no longer reads 建议 inside 合理化建议 as a
    # role, so there is nothing left to mask; the query names no section either way.
    assert mask_terms("合理化建议和职工之家", DICTIONARY) == "合理化建议和职工之家"
    assert named_role("合理化建议和职工之家", DICTIONARY) is None
    assert mask_terms("工作计划和职工之家", ("工作计划",)) == "□□□□和职工之家"


@pytest.mark.parametrize(
    ("query", "role"),
    [("主要做法", "主要做法"), ("基本情况", "基本情况"), ("合理化建议", None), ("送温暖", None)],
)
def test_named_role_includes_every_role(query: str, role: str | None) -> None:
    from retrieval.intent import named_role

    assert named_role(query, DICTIONARY) == role
