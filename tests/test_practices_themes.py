"""Practices (enumerated actions with their figures) and theme assignment, table-driven."""

from __future__ import annotations

import pytest

from corpus.passages import make_passages
from corpus.practices import extract_figures, extract_practices
from corpus.script import to_simplified
from corpus.sections import parse_sections
from corpus.themes import assign_themes, default_taxonomy


def _practices(text: str):  # type: ignore[no-untyped-def]
    secs = parse_sections(text, to_simplified(text))
    return extract_practices("r", text, secs, make_passages("r", text, secs))


def test_inlined_items_in_one_long_line() -> None:
    text = (
        "一、主要做法 一是推进集体协商，签订工资专项集体合同18份，签订率达85%。"
        "二是开展送温暖活动，资助258名困难职工子女，发放助学金92万元。"
        "三是建设职工书屋12个。 二、存在问题 一是经费不足。"
    )
    got = _practices(text)
    assert [p.text[:4] for p in got] == ["一是推进", "二是开展", "三是建设"]
    assert got[0].figures == ["签订工资专项集体合同18份", "签订率达85%"]
    # the chip keeps what was counted: the children (子女), not their parents
    assert got[1].figures == ["资助258名困难职工子女", "发放助学金92万元"]
    assert all(p.section_role == "主要做法" and p.passage_id for p in got)
    assert all("经费不足" not in p.text for p in got)  # problems are not practices


def test_multiline_subsections_are_practices_and_groupings_are_not() -> None:
    text = (
        "一、主要做法\n（一）组织建设\n1、新建基层工会14家，发展会员930人。\n"
        "2、推行会员实名制管理。\n（二）困难帮扶。春节慰问困难职工126户，发放慰问金18.9万元。\n"
        "二、工作成效\n全镇职工入会率达到95%。\n三、下一步打算\n继续扩大覆盖。"
    )
    got = _practices(text)
    assert [p.text for p in got] == [
        "1、新建基层工会14家，发展会员930人。",
        "2、推行会员实名制管理。",
        "（二）困难帮扶。春节慰问困难职工126户，发放慰问金18.9万元。",
        "二、工作成效\n全镇职工入会率达到95%。",
    ]
    assert got[0].section_path == [
        "一、主要做法",
        "（一）组织建设",
        "1、新建基层工会14家，发展会员930人",
    ]
    assert got[3].section_role == "工作成效" and got[3].figures == ["全镇职工入会率达到95%"]


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("排查各類安全隱患16處，當場整改11處", ["排查各類安全隱患16處", "當場整改11處"]),
        ("投資9萬余元，購置飲料", ["投資9萬余元"]),
        ("覆盖职工2.8万人，签订率达到92%", ["覆盖职工2.8万人", "签订率达到92%"]),
        ("举办一期学习活动，召开三次会议", ["召开三次会议"]),
        ("没有数字的句子。", []),
        # chips end on word boundaries and keep what they count
        ("帮助112名返乡农民工实现就业", ["帮助112名返乡农民工"]),
        ("今年10家到期的企业全部续签", ["今年10家到期的企业"]),
        ("新增就业5万人以上，", ["新增就业5万人以上"]),
        (
            "走访慰问困难职工120户，发放慰问金18.9万元",
            ["走访慰问困难职工120户", "发放慰问金18.9万元"],
        ),
        # nor start on a particle or conjunction the context window began with
        ("各基层工会的单位实行按工资总额2%的比例拨缴", ["单位实行按工资总额2%"]),
        ("并完成了85%的建会任务", ["完成了85%"]),
    ],
)
def test_figures(text: str, figures: list[str]) -> None:
    assert extract_figures(text) == figures


def test_problem_and_plan_items_and_bare_headings_are_not_practices() -> None:
    text = (
        "一、主要做法\n（一）组织建设\n新建基层工会14家，发展会员930人。\n"
        "我们也清醒地看到，工作中还存在一些不足：\n1、档案资料不齐全。\n2、覆盖面不广。\n"
        "（二）加强自身建设\n（三）困难帮扶\n春节慰问困难职工126户。\n"
        "二、2021年工作计划\n1、继续做好建会工作。\n2、开展集体协商。"
    )
    got = _practices(text)
    assert [p.text for p in got] == [
        "（一）组织建设\n新建基层工会14家，发展会员930人。",
        "（三）困难帮扶\n春节慰问困难职工126户。",
    ]


def test_practice_offsets_point_into_the_text() -> None:
    text = "一、主要做法\n一是開展送溫暖活動，慰問困難職工120戶。二是推進工資集體協商。"
    for p in _practices(text):
        assert text[p.start : p.end] == p.text


def test_taxonomy_covers_the_required_themes() -> None:
    names = {t.name for t in default_taxonomy()}
    assert len(names) >= 20
    for required in (
        "组织建设与建会入会",
        "经费与财务管理",
        "维权与集体协商",
        "劳动争议与法律服务",
        "困难职工帮扶与送温暖",
        "女职工工作",
        "职工之家与阵地建设",
        "劳动竞赛与技能创新",
        "安全生产与安康杯",
        "文体活动",
        "思想引领与宣传教育",
        "工会干部与自身建设",
        "党建带工建",
        "工会改革与网上工会",
        "就业与再就业",
        "医疗互助与疗休养",
        "劳模工作",
    ):
        assert required in names


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("春节前走访慰问困难职工120户，发放慰问金6万元", ["relief"]),
        ("推行工会经费税务代收，全年收缴工会经费87万元", ["finance"]),
        ("开展安康杯竞赛，排查安全隐患46处", ["safety"]),
        ("建设职工书屋和户外劳动者爱心驿站", ["home"]),
        ("推动外卖骑手、快递员入会，发展会员412人", ["organize", "newforms"]),  # tie: file order
        ("召开职代会，推行厂务公开", ["democracy"]),
        ("今天天气很好", []),
    ],
)
def test_theme_assignment(text: str, themes: list[str]) -> None:
    assert assign_themes(text) == themes


def test_figures_finds_what_the_figure_pattern_finds() -> None:
    # _figures replaces FIGURE.finditer for speed; both must give the same matches, also on
    # texts dense with numerals, units, quotes and breaks (seeded random draws).
    import random

    from corpus.practices import FIGURE, _figures

    alphabet = [*"一二三十百千0123456789１٣.名个人次%万元余场项“”，。 \n的工会职工帮助"]
    alphabet += ["万余人次", "个百分点", "平方米"]
    rng = random.Random(11)
    texts = ["累计帮助112名返乡农民工，“三个代表”，资助258名困难职工，签订率达85%"]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(0, 60))) for _ in range(3000)]
    for text in texts:
        want = [
            (m["ctx"], m["num"], m["unit"], m.start("num"), m.end()) for m in FIGURE.finditer(text)
        ]
        got = [(f.ctx, f.num, f.unit, f.num_start, f.end) for f in _figures(text)]
        assert got == want, text


def test_clause_bounds_equal_the_tail_search_they_replaced() -> None:
    # _clause finds the clause start with a linear regex; the search it replaced
    # ("[^…]*$" from the window start, where $ also matches before a final newline) is
    # the reference, on seeded random texts with newlines, spaces and clause marks.
    import random
    import re

    from corpus import practices

    tail = re.compile(r"[^，。；：、！？,;:!?（）()\s]*$")
    rng = random.Random(5)
    for _ in range(3000):
        t = "".join(rng.choices("工会职工，。\n \n、（a1", k=rng.randint(0, 100)))
        start = rng.randint(0, len(t))
        end = rng.randint(start, len(t))
        lo = max(0, start - practices.MAX_CLAUSE_SIDE)
        before = tail.search(t, lo, start)
        assert before is not None
        assert practices._clause(t, start, end)[0] == before.start(), (t, start)
