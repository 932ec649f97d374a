"""Sections, roles, passages and line joining, table-driven."""

from __future__ import annotations

import pytest

from corpus.clean import clean_text
from corpus.linejoin import splits_word
from corpus.passages import ChunkParams, make_passages, sentence_spans
from corpus.repair import repair_artifacts
from corpus.script import detect_script, to_simplified
from corpus.sections import parse_sections, role_of_title


def _sections(text: str) -> list[tuple[int, str, str]]:
    return [(s.depth, s.title, s.role) for s in parse_sections(text, to_simplified(text))]


def test_inline_items_in_one_long_line() -> None:
    text = (
        "2020年，镇工会积极开展工作。 一、主要做法 一是抓组织覆盖，新建工会5家；"
        "二是抓经费保障，专账管理。三是抓阵地建设，建成职工书屋2个。"
        " 二、存在问题 一是干部兼职多；二是活动少。 三、下一步打算 继续做好建会工作。"
    )
    assert _sections(text) == [
        (1, "", "基本情况"),
        (1, "一、主要做法", "主要做法"),
        (2, "一是抓组织覆盖", "主要做法"),
        (2, "二是抓经费保障", "主要做法"),
        (2, "三是抓阵地建设", "主要做法"),
        (1, "二、存在问题", "存在问题"),
        (2, "一是干部兼职多", "存在问题"),
        (2, "二是活动少", "存在问题"),
        (1, "三、下一步打算", "下一步打算"),
    ]


def test_multiline_subsections_and_numbering_phrases() -> None:
    text = (
        "一、主要成效\n（一）组织建设\n1、新建工会12家。\n2、发展会员860人。\n"
        "（二）学习贯彻党的十六届三、四中全会精神。\n二、存在的问题和原因\n经费不足。"
    )
    got = _sections(text)
    assert got == [
        (1, "一、主要成效", "工作成效"),
        (2, "（一）组织建设", "工作成效"),
        (3, "1、新建工会12家", "工作成效"),
        (3, "2、发展会员860人", "工作成效"),
        (2, "（二）学习贯彻党的十六届三、四中全会精神", "工作成效"),
        (1, "二、存在的问题和原因", "存在问题"),
    ]


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("一、主要做法", "主要做法"),
        ("二、取得的成效", "工作成效"),
        ("三、存在的问题", "存在问题"),
        ("四、原因分析", "原因分析"),
        ("五、下一步工作打算", "下一步打算"),
        ("三、2021年工作计划", "下一步打算"),
        ("一、基本情况", "基本情况"),
        ("三、意见和建议", "下一步打算"),
        ("（三）着力解决职工反映的突出问题", None),
        ("（三）强化维权服务，促进职工共享改革发展成果", None),
        # plan headings of government work reports
        ("二、2025年工作总体要求和主要目标", "下一步打算"),
        ("三、2019年政府工作任务", "下一步打算"),
        ("二、2005年工作总体部署", "下一步打算"),
        ("一、2020年目标任务完成情况", None),  # looks back: not a plan
        # a role word inside a longer term is no role
        ("（三）广泛征集合理化建议", None),
        ("三、实施银龄人才计划", None),
        ("（七）着力缩小城乡差距", None),
        ("二、基层工会在管理中的具体措施", "主要做法"),  # 措施 heads 具体措施
    ],
)
def test_role_of_title(title: str, role: str | None) -> None:
    assert role_of_title(title) == role


def test_tail_paragraph_cues() -> None:
    text = (
        "一、抓维权\n开展集体协商。\n二、抓活动\n举办职工运动会。\n"
        "肯定成绩的同时，我们也认识到工作存在的一些不足：一是档案不全；二是覆盖面不广。\n"
        "2016年我们将加倍努力做好工会工作。"
    )
    roles = [(s.depth, s.role) for s in parse_sections(text, text)]
    assert roles[-4:] == [(1, "存在问题"), (2, "存在问题"), (2, "存在问题"), (1, "下一步打算")]


def test_problem_paragraph_inside_a_review_and_plan_sections() -> None:
    text = (
        "一、2024年工作回顾\n（一）经济运行稳中有进。全年新增就业5万人，完成了目标。\n"
        "（二）民生保障不断加强。建成养老机构12所。\n"
        "我们也清醒地看到，发展中还存在一些困难和问题：需求不足，企业经营困难。\n"
        "二、2025年重点工作\n（一）扩大内需。要实施消费提振行动，力争增长5%。\n"
        "三、加强政府自身建设\n要坚持依法行政。要严格落实责任。要持续改进作风。"
    )
    secs = parse_sections(text, text)
    roles = [(s.depth, s.title, s.role) for s in secs]
    assert roles == [
        (1, "一、2024年工作回顾", "主要做法"),
        (2, "（一）经济运行稳中有进", "主要做法"),
        (2, "（二）民生保障不断加强", "主要做法"),
        (3, "", "存在问题"),
        (1, "二、2025年重点工作", "下一步打算"),  # names a later year than the review
        (2, "（一）扩大内需", "下一步打算"),
        (1, "三、加强政府自身建设", "下一步打算"),  # after the plans, in a forward voice
    ]
    problem = secs[3]
    assert text[problem.start : problem.end].startswith("我们也清醒地看到")
    assert problem.end == secs[4].start
    passages = make_passages("r", text, secs)
    assert [p.section_role for p in passages if "清醒" in p.text] == ["存在问题"]


def test_problem_paragraph_ends_where_the_practice_resumes() -> None:
    text = (
        "一、主要做法\n组织职工开展技能竞赛，参赛职工800人。\n"
        "但工作中还存在一些不足，经费保障不够，活动形式单一。\n"
        "春节期间走访慰问困难职工120户，发放慰问金6万元。"
    )
    roles = [(s.depth, s.role) for s in parse_sections(text, text)]
    # after the last heading the problem paragraph is a section of its own (depth 1)
    assert roles == [(1, "主要做法"), (1, "存在问题"), (2, "主要做法")]


def test_solved_problems_and_passing_mentions_are_not_findings() -> None:
    text = (
        "一、主要做法\n针对职工反映的突出问题，我们建立了协调机制。\n"
        "这次调研涉及面广、存在的问题各有不同，总的来说工作进展有序。"
    )
    assert [s.role for s in parse_sections(text, text)] == ["主要做法"]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("一、 过去五年工作回顾\n正文。", "一、 过去五年工作回顾"),
        ("一、2024 年工作回顾\n正文。", "一、2024 年工作回顾"),
    ],
)
def test_spaces_inside_a_heading_do_not_end_it(text: str, title: str) -> None:
    assert _sections(text)[0][1] == title


def _report(n_sentences: int) -> str:
    return "一、主要做法\n" + "".join(
        f"第{i}项：我镇工会组织开展送温暖活动，走访慰问困难职工{i}户，发放慰问金。"
        for i in range(n_sentences)
    )


@pytest.mark.parametrize(("n", "min_c", "max_c"), [(3, 150, 400), (40, 150, 400), (40, 60, 120)])
def test_passage_sizes_and_boundaries(n: int, min_c: int, max_c: int) -> None:
    text = _report(n)
    secs = parse_sections(text, text)
    passages = make_passages("r1", text, secs, ChunkParams(min_c, max_c))
    assert passages
    ends = {e for _, e in sentence_spans(text, 0, len(text))}
    for p in passages:
        assert len(p.text) <= max_c
        assert text[p.start : p.end] == p.text
        assert p.end in ends  # never cut inside a sentence
    # min_c holds for every passage, unless all of them together are shorter (one passage)
    shortest = min(min_c, sum(len(p.text) for p in passages))
    assert all(len(p.text) >= shortest for p in passages)
    assert len({p.passage_id for p in passages}) == len(passages)
    again = make_passages("r1", text, secs, ChunkParams(min_c, max_c))
    assert [p.passage_id for p in again] == [p.passage_id for p in passages]


def test_overlong_sentence_is_cut_at_commas() -> None:
    text = "一、主要做法\n" + "，".join(["开展职工技能竞赛活动"] * 60) + "。"
    passages = make_passages("r", text, parse_sections(text, text), ChunkParams(150, 400))
    assert len(passages) > 1 and all(len(p.text) <= 400 for p in passages)
    assert all(p.text.endswith(("，", "。")) for p in passages)


@pytest.mark.parametrize(
    ("left", "right", "splits"),
    [
        ("积极推进职工民", "主管理制度", True),
        ("乡镇机关工会委员会开展会员评家工作情", "况自查报告", True),
        ("一、会员评家工作的主要做法", "领导高度重视", False),
        ("四、下一步工作打算", "加强组织领导", False),
    ],
)
def test_word_split_detection(left: str, right: str, splits: bool) -> None:
    assert splits_word(left, right) is splits


def test_wrapped_lines_are_joined_but_headings_kept() -> None:
    raw = (
        "乡镇工会工作情\n况自查报告\n一、主要做法\n领导高度重视。\n"
        "我们始终把会员满意不满意作为衡量我镇工会工作的根本标准，把党政的认可度作为\n"
        "评判工作的标准。\n（二）推进职工民\n主管理。"
    )
    assert clean_text(raw).text.split("\n") == [
        "乡镇工会工作情况自查报告",
        "一、主要做法",
        "领导高度重视。",
        "我们始终把会员满意不满意作为衡量我镇工会工作的根本标准，把党政的认可度作为评判工作的标准。",
        "（二）推进职工民主管理。",
    ]


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        # faulty-conversion signatures present: context repairs run
        ("坚持原那么，打好根底，为广阔职工效劳。", "坚持原则，打好基础，为广大职工服务。"),
        ("根底扎实，企业开展到哪里就建到哪里〞", "基础扎实，企业发展到哪里就建到哪里”"),
        # a single ambiguous word in ordinary text is left alone
        ("那么我们就打好根底。", "那么我们就打好根底。"),
        ("广阔天地，开展活动。", "广阔天地，开展活动。"),
    ],
)
def test_conversion_repairs(raw: str, fixed: str) -> None:
    assert repair_artifacts(raw)[0] == fixed


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("鳳凰鎮工會積極開展送溫暖活動，慰問困難職工。", "traditional"),
        ("凤凰镇工会积极开展送温暖活动，慰问困难职工。", "simplified"),
        ("凤凰镇工会积极开展活动。鳳凰鎮工會積極開展活動。", "mixed"),
    ],
)
def test_script_detection(text: str, script: str) -> None:
    assert detect_script(text) == script
    assert len(to_simplified(text)) == len(text)


def test_marker_first_holds_every_character_a_marker_starts_with() -> None:
    # Section parsing only asks at positions whose character MARKER_FIRST admits, so a
    # marker starting with any other character would be missed. Every BMP character is tried
    # before tails that complete each kind of MARKERS.
    import re

    from corpus.markers import MARKER_FIRST, MARKERS

    first = re.compile(MARKER_FIRST)
    any_marker = re.compile("|".join(p.pattern.replace("(?P<n>", "(?:") for _, p in MARKERS))
    tails = (
        "、工会",
        "一）工会",
        "1）工会",
        ".1 工会",
        "是工会工作",
        "先，",
        "次，",
        "后，",
        "一，",
    )
    starts = {
        ch
        for ch in map(chr, range(0x10000))
        if not first.fullmatch(ch) and any(any_marker.match(ch + tail) for tail in tails)
    }
    assert starts == set()
    found = {ch for ch in "1１（(一十首其再最第" for t in tails if any_marker.match(ch + t)}
    assert found == set("1１（(一十首其再最第")  # the tails reach every kind
