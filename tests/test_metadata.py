"""Metadata rules, table-driven: each value found in the text, or null."""

from __future__ import annotations

import pytest

from corpus.dates import find_dates
from corpus.gazetteer import load_gazetteer
from corpus.metadata import extract_metadata, find_doc_type
from corpus.split import split_reports


def meta(title: str | None, body: str, page_title: bool = False):
    return extract_metadata(title, page_title, body, load_gazetteer())


@pytest.mark.parametrize(
    ("title", "body", "jurisdiction", "path", "level"),
    [
        (
            "来宾市兴宾区凤凰镇工会2019年工作总结",
            "我镇工会积极开展工作。",
            "凤凰镇",
            ["广西壮族自治区", "来宾市", "兴宾区", "凤凰镇"],
            "township",
        ),
        # 16 places are called 凤凰镇: the parent named in the opening settles it
        (
            "凤凰镇工会工作总结",
            "根据兴宾区总工会要求，我镇工会开展工作。我镇工会……",
            "凤凰镇",
            ["广西壮族自治区", "来宾市", "兴宾区", "凤凰镇"],
            "township",
        ),
        # ...and without any clue it stays unresolved: the name, but no path
        ("凤凰镇工会工作总结", "今年工会开展了很多工作。", "凤凰镇", None, "township"),
        (
            "xx市总工会2018年工作总结",
            "2018年，xx市总工会在市委领导下开展工作。",
            None,
            None,
            "city",
        ),
        ("杭州市总工会工作报告", "市总工会全年开展活动。", "杭州市", ["浙江省", "杭州市"], "city"),
        (
            "良渚街道工会联合会工作总结",
            "我街道工会联合会全年工作如下。",
            "良渚街道",
            ["浙江省", "杭州市", "余杭区", "良渚街道"],
            "street",
        ),
        # a visited place is not the subject
        (
            "机关工会工作总结",
            "组织机关女职工到邛崃市平乐镇参观学习。机关工会全年……",
            None,
            None,
            "agency",
        ),
        ("某公司工会工作总结", "公司工会在企业党委领导下开展工作。", None, None, "enterprise"),
    ],
)
def test_jurisdiction_and_level(title, body, jurisdiction, path, level) -> None:
    m = meta(title, body)
    assert (m.jurisdiction, m.jurisdiction_path, m.level) == (jurisdiction, path, level)


@pytest.mark.parametrize(
    ("title", "opening", "page_title", "year"),
    [
        ("青得里街道2005年工会工作总结", "", False, 2005),
        ("南坪乡工会联合会2011工作总结", "", False, 2011),
        ("工会工作总结", "2020年，镇工会联合会在镇党委领导下……", False, 2020),
        ("2021年市总工会工作情况报告", "2017年，xx市总工会……", True, 2017),
        ("2021年市总工会工作情况报告", "新一届班子到任以来……", True, None),
        ("XX年度工会工作自查报告", "XX年，镇工会……", False, None),
        ("工会工作总结", "二〇一五年，我镇工会……", False, 2015),
        ("工会工作总结", "20xx年以来，我们……", False, None),
    ],
)
def test_year(title: str, opening: str, page_title: bool, year: int | None) -> None:
    assert find_dates(title, page_title, opening).year == year


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # A congress report delivered in March reviews the year before.
        (
            "政府工作报告",
            "——2019年3月4日在某省第十三届人民代表大会第二次会议上\n各位代表：\n"
            "现在，我代表省人民政府向大会报告工作。\n一、2018年工作回顾\n……",
            (2018, 2019, "2019-03-04", None),
        ),
        # Named for its session, reviewing the year before and a five-year plan period.
        (
            "2026年政府工作报告",
            "——2026年1月28日在某省第十四届人民代表大会第四次会议上\n各位代表：\n"
            "一、“十四五”时期和2025年工作回顾\n……",
            (2025, 2026, "2026-01-28", "2021-2025"),
        ),
        # No dateline: the year it plans for says which year it reviews.
        (
            "",
            "各位代表：\n现在，我代表国务院，向大会报告过去五年的政府工作。\n"
            "一、过去五年工作回顾\n……\n二、2013年工作的总体要求和主要任务\n……",
            (2012, None, None, "2008-2012"),
        ),
        # Relative review with a dateline: 过去一年 in February is the year before.
        (
            "政府工作报告",
            "--2012年2月29日在某区第十三届人民代表大会第六次会议上\n"
            "各位代表：\n一、过去一年工作回顾\n……",
            (2011, 2012, "2012-02-29", None),
        ),
        # A year-end summary signed in December reviews its own year.
        (
            "镇工会工作总结",
            "一年来，镇工会……\n某某镇工会\n2019年12月25日",
            (2019, 2019, "2019-12-25", None),
        ),
        # Spaced and full-width digits are read (after character normalisation).
        ("工会工作总结", "1993年，我镇工会……", (1993, None, None, None)),
    ],
)
def test_dates(title: str, body: str, expected: tuple[object, ...]) -> None:
    d = find_dates(title, False, body)
    assert (d.year, d.year_delivered, d.date, d.review_period) == expected


@pytest.mark.parametrize(
    ("title", "label", "body", "doc_type"),
    [
        ("凤凰镇工会会员评家工作情况自查报告", None, "", "自查报告"),
        ("市总工会工作调研报告", None, "", "调研报告"),
        ("强化乡镇工会工作", "做法", "", "经验做法"),
        ("街道工会联合会工作总结", None, "", "工作总结"),
        ("2021年市总工会工作情况报告", None, "", "工作报告"),
        ("工会工作内容总结", None, "摘 要 近年来……\n关键词 工会 创新\n一、问题", "论文"),
        ("2021年工会工作计划", None, "", "工作计划"),
        ("致全市职工的一封信", None, "", None),
    ],
)
def test_doc_type(title: str, label: str | None, body: str, doc_type: str | None) -> None:
    assert find_doc_type(title, label, body) == doc_type


def test_new_title_line_starts_new_report() -> None:
    body1 = "2019年，凤凰镇工会积极开展送温暖活动，慰问困难职工120户。" * 8
    body2 = "2020年，青山乡工会联合会组织开展安康杯竞赛，排查隐患46处。" * 8
    text = f"凤凰镇工会2019年工作总结\n{body1}\n青山乡工会联合会2020年工作总结\n{body2}"
    segs = split_reports(text)
    assert [s.lines[0] for s in segs] == [
        "凤凰镇工会2019年工作总结",
        "青山乡工会联合会2020年工作总结",
    ]
    assert all(s.has_own_title for s in segs)


@pytest.mark.parametrize(
    ("marker", "title", "is_page"),
    [
        ("第一篇：街道工会工作总结", "街道工会工作总结", False),
        ("第二篇：街道工会联合会工作总结[范文]", "街道工会联合会工作总结", False),
        ("2021年市总工会工作情况报告第1篇", "2021年市总工会工作情况报告", True),
        ("工会工作内容总结范文第3篇", "工会工作内容总结", True),
    ],
)
def test_compilation_markers(marker: str, title: str, is_page: bool) -> None:
    body = "一、主要做法\n" + "开展送温暖活动，慰问困难职工。" * 4
    segs = split_reports(f"页面标题\n{marker}\n{body}\n{marker.replace('1', '2')}\n{body}")
    assert segs[0].marker_title == title
    assert segs[0].marker_title_is_page_title is is_page


def test_enumeration_never_matches_without_its_hint() -> None:
    # find_mentions runs _ENUMERATION only where _ENUMERATION_HINT finds its tail: that must
    # never skip a match (seeded random texts of list pieces).
    import random

    from corpus.jurisdiction import _ENUMERATION, _ENUMERATION_HINT

    pieces = [
        "城关",
        "新华",
        "、",
        "等",
        "个",
        "乡镇",
        "镇",
        "乡",
        "街道",
        "县",
        "区",
        "县区",
        "，",
    ]
    rng = random.Random(3)
    texts = ["".join(rng.choices(pieces, k=rng.randint(1, 14))) for _ in range(4000)]
    matched = [t for t in texts if _ENUMERATION.search(t)]
    assert len(matched) > 30  # the draws do exercise the pattern
    assert all(_ENUMERATION_HINT.search(t) for t in matched)
