"""Metadata rules, table-driven: each value found in the text, or null."""

from __future__ import annotations

import pytest

from corpus.gazetteer import load_gazetteer
from corpus.metadata import extract_metadata, find_doc_type, find_year
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
    assert find_year(title, opening, page_title) == year


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
