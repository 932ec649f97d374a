"""The mechanisms behind corpus understanding, each on the class of input it serves."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from corpus.boilerplate import MIN_FILES, line_key, remove_boilerplate
from corpus.decode import decode_bytes
from corpus.furniture import find_watermarks, furniture_class, strip_inline
from corpus.gazetteer import load_gazetteer
from corpus.jurisdiction import find_mentions, resolve_jurisdiction
from corpus.metadata import extract_metadata
from corpus.models import PIPELINE_VERSION
from corpus.noise import clean_lines
from corpus.pipeline import ingest
from corpus.script import to_simplified
from corpus.store import CorpusStore
from corpus.titles import choose_title, strip_compilation


@pytest.mark.parametrize(
    ("line", "cls"),
    [
        ("首页 > 范文 > 工作总结", "breadcrumb"),
        ("您的位置：", "breadcrumb"),
        ("下载 打印 全屏 收藏", "controls"),
        ("分享到微信", "controls"),
        ("】", "controls"),
        ("来源：某某日报", "source_meta"),
        ("发布时间：2023-10-28 热度：59", "source_meta"),
        ("时间：2023-12-30 18:41:22 工作总结 我要投稿", "source_meta"),
        ("2026-02-03 09:02:33", "datetime"),
        ("某某文学吧", "site_name"),
        ("某某范文宝典：www.example.com", "url"),
        ("本报记者 张三 摄", "photo_caption"),
        # a news page's trailers: a "related" heading, a click or scan prompt
        ("相关报道：", "controls"),
        ("相关阅读", "controls"),
        ("》》点击图片进入专题《《", "controls"),
        ("扫一扫在手机打开当前页", "controls"),
        # report lines are never furniture
        ("2026年政府工作报告", None),
        ("各位代表：", None),
        ("一、2018年工作回顾", None),
        ("省长 王五", None),
        ("全年分享收藏经验三次。", None),
        ("工会工作总结", None),
        ("扫一扫就能办理的事项达到120项。", None),
        ("扫一扫入会 服务零距离", None),
        ("点击率大幅提升", None),
        ("点击量同比增长35%", None),
        ("点击量最高的政务服务事项全部实现网上办理，群众满意度明显提升", None),
    ],
)
def test_furniture_class(line: str, cls: str | None) -> None:
    assert furniture_class(line) == cls


def test_font_size_buttons_only_beside_furniture() -> None:
    stats: Counter[str] = Counter()
    kept = clean_lines(["【字号：", "加大", "还原", "减小", "】", "政府工作报告"], stats)
    assert [x for x in kept if x] == ["政府工作报告"]
    prose = ["重点支持", "中小", "企业发展，全年新增就业一万人。"]
    assert [x for x in clean_lines(list(prose), Counter()) if x] == prose


@pytest.mark.parametrize(
    ("line", "out"),
    [
        ("建功立業(yè)謀發(fā)展", "建功立業謀發展"),
        ("鄉(xiāng)鎮工會", "鄉鎮工會"),
        ("近(jin)日，我們召開會議。", "近日，我們召開會議。"),
        ("乡镇工会2021年总结(summary)五篇", "乡镇工会2021年总结五篇"),
        ("树原创文秘网站:百范文网立创新意识", "树立创新意识"),
        ("全年开展活动（此处隐藏3165个字）共计", "全年开展活动……共计"),
        ("细颗粒物（PM2.5）治理", "细颗粒物（PM2.5）治理"),
        ("通过（a）项审议", "通过（a）项审议"),
    ],
)
def test_strip_inline(line: str, out: str) -> None:
    assert strip_inline(line, to_simplified(line)) == out


def test_watermark_prefix_repeating_before_paragraphs() -> None:
    lines = [
        "某某公文写作宝典：www.example.com区总工会2019年工作总结",
        "某某公文写作宝典：www.example.com",
        "2019年，区总工会……",
    ]
    assert find_watermarks(lines) == ["某某公文写作宝典：www.example.com"]
    kept = clean_lines(list(lines), Counter())
    assert kept[0] == "区总工会2019年工作总结" and "example" not in "".join(kept)


def test_boilerplate_runs_at_the_edges_only() -> None:
    footer = ["本作品属于公有领域。", "Public domain", "false"]
    body = ["各位代表：", "现在，我代表政府报告工作。", "一、工作回顾", "经济平稳增长。"]
    body += [f"第{i}项工作取得成效。" for i in range(6)]
    known = frozenset(line_key(x) for x in [*footer, "各位代表：", "现在，我代表政府报告工作。"])
    assert MIN_FILES >= 2
    stats: Counter[str] = Counter()
    assert remove_boilerplate([*body, *footer], known, stats) == body
    assert stats["boilerplate_lines"] == 3
    # The same formulae inside a report (not at its edge) stay.
    assert remove_boilerplate(["政府工作报告", *body], known) == ["政府工作报告", *body]
    # A repost (its edges recur everywhere) keeps everything: de-duplication handles it.
    everything = frozenset(line_key(x) for x in [*body, *footer])
    assert remove_boilerplate([*body, *footer], everything) == [*body, *footer]


def test_boilerplate_learnt_across_files(tmp_path: Path) -> None:
    notice = "本文由某某档案馆整理。\n转载请注明出处。\n版权所有 某某档案馆"
    for i, place in enumerate(["凤凰镇", "南坪乡", "思礼镇", "青山镇"]):
        items = "\n".join(f"{place}开展第{k}项活动{i + k}次。" for k in range(5))
        body = f"{place}工会工作总结\n{2015 + i}年，{place}工会围绕中心工作。\n{items}"
        (tmp_path / f"r{i}.txt").write_text(f"{body}\n{notice}\n", "utf-8")
    with CorpusStore(tmp_path / "data") as store:
        summary = ingest([tmp_path], store)
        assert summary.noise["boilerplate_lines"] == 4 * 3
        texts = [r.text or "" for r in store.iter_reports(with_text=True)]
    assert len(texts) == 4 and not any("转载" in t or "版权" in t for t in texts)


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        # page header, compilation title, the report's own title nearest the body
        (
            ["上半年市总工会工作总结", "2020年总工会半年工作总结", "2020年上半年，市总工会……。"],
            "2020年总工会半年工作总结",
        ),
        (
            ["工会工作总结范文【热选4篇】", "工会工作总结【第一篇】", "__年，局工会……。"],
            "工会工作总结",
        ),
        (["2023公司工会工作总结（精选23篇）", "一、加强学习。"], None),
        # datelines, signatures and salutations are never titles
        (
            [
                "政府工作报告",
                "——2019年3月4日在某省第十三届人民代表大会第二次会议上",
                "省长 王五",
                "各位代表：",
            ],
            "政府工作报告",
        ),
        (["——2017年2月11日在某区人民代表大会上", "某区人民政府区长 赵六", "各位代表："], None),
        # the specific title above a generic repeat of it
        (
            ["2026年某省政府工作报告", "政府工作报告", "——2026年1月28日在某省会议上", "各位代表："],
            "2026年某省政府工作报告",
        ),
        # a table of contents between the page title and the report
        (
            [
                "工会总结参考汇编（3篇）",
                "目录",
                "1.工会2021年工作总结（一）",
                "2.工会工作情况（二）",
                "工会2021年工作总结（一）",
                "2021年，工会……。",
            ],
            "工会2021年工作总结（一）",
        ),
    ],
)
def test_choose_title(lines: list[str], title: str | None) -> None:
    assert choose_title(lines).title == title


def test_compilation_suffixes_stripped() -> None:
    assert strip_compilation("工会2024年工作总结（精选25篇）") == "工会2024年工作总结"
    assert strip_compilation("镇妇联年度工作总结1") == "镇妇联年度工作总结"
    assert strip_compilation("工會年終工作總結 篇1") == "工會年終工作總結"


def test_letter_spaced_title_and_glued_title(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(
        "政 府 工 作 报 告\n——2014年2月19日在海拉尔区第十四届人民代表大会第三次会议上\n各位代表：\n"
        "现在，我代表海拉尔区人民政府向大会作工作报告，请予审议。\n一、2013年工作回顾\n"
        "2013年，区政府在市委的领导下，保持了经济社会持续健康发展。",
        "utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "某某乡妇联2021年工作总结及2022年工作计划2021年，某乡妇联紧紧围绕乡党委、政府的工作"
        "中心，开展各项工作，取得了一定成效。",
        "utf-8",
    )
    with CorpusStore(tmp_path / "data") as store:
        ingest([src, tmp_path / "b.txt"], store)
        a, b = (store.reports_of_source(str(p.resolve()))[0] for p in (src, tmp_path / "b.txt"))
    assert (a.title, a.jurisdiction, a.level, a.year, a.year_delivered, a.date) == (
        "政府工作报告",
        "海拉尔区",
        "county",
        2013,
        2014,
        "2014-02-19",
    )
    assert (b.title, b.year, b.doc_type, b.level) == (
        "某某乡妇联2021年工作总结及2022年工作计划",
        2021,
        "工作总结",
        "township",
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("镇党委和县总工会", []),  # 和 + 县, not 和县
        ("天津市市长", ["天津市"]),  # not 津市市
        ("马鞍山市和县总工会", ["马鞍山市", "和县"]),
        ("南京市长江大桥", ["南京市"]),
    ],
)
def test_places_on_word_boundaries(text: str, names: list[str]) -> None:
    assert [m.name for m in find_mentions(text, load_gazetteer())] == names


def test_jurisdiction_from_the_signature() -> None:
    body = "一年来，我镇工会开展送温暖活动。\n……\n济源市思礼镇工会\n2019年12月25日"
    jur = resolve_jurisdiction("", body[:50], body, "township", load_gazetteer())
    assert (jur.evidence, jur.name, jur.kind) == ("signature", "思礼镇", "township")


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("现在，我代表海拉尔区人民政府向大会作工作报告。", ("海拉尔区", "county")),
        ("现在，我代表国务院，向大会报告工作。", ("中国", "national")),
        (
            "——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n现在，我代表市人民政府",
            ("北京市", "province"),
        ),
        # a place visited in passing does not make the report its own
        ("今年，我县遭受洪灾，我们赴凤凰镇慰问受灾职工，我县总工会筹集资金。", (None, None)),
    ],
)
def test_jurisdiction_from_own_voice(opening: str, expected: tuple[object, ...]) -> None:
    jur = resolve_jurisdiction("", opening, opening, None, load_gazetteer())
    assert (jur.name, jur.kind) == expected


def test_problem_and_place_metadata_are_found_in_the_text_only() -> None:
    m = extract_metadata("镇党委和县总工会工作总结", False, "一年来，工会……", load_gazetteer())
    assert m.jurisdiction is None and m.jurisdiction_path is None


def test_big5_supersets_and_damaged_files_decode() -> None:
    text = "工會工作總結\n" + "恒心推進各項工作，黃堃同志、陳峯同志帶領會員開展活動。" * 4
    assert decode_bytes(text.encode("big5hkscs")) == (text, "big5hkscs")
    cp950 = "工會工作總結，恒心推進各項工作。" * 4
    assert decode_bytes(cp950.encode("cp950"))[0] == cp950
    damaged = text.encode("big5hkscs")
    damaged = damaged[:40] + b"\xff" + damaged[40:]
    decoded, encoding = decode_bytes(damaged)
    assert encoding == "big5hkscs" and 0 < decoded.count("\ufffd") <= 2
    assert "陳峯同志" in decoded


def test_damaged_file_is_read_with_a_warning(tmp_path: Path) -> None:
    data = ("工会工作总结\n" + "本会坚持以职工为中心，推进各项工作，全年慰问困难职工。" * 8).encode(
        "gbk"
    )
    (tmp_path / "a.txt").write_bytes(data[:60] + b"\xff" + data[60:])
    with CorpusStore(tmp_path / "data") as store:
        summary = ingest([tmp_path / "a.txt"], store)
        assert summary.files_read == 1 and len(summary.warnings) == 1
        assert "U+FFFD" in summary.warnings[0][1]
        log = store.db.execute("SELECT status FROM ingest_log").fetchall()
    assert ("warning",) in [tuple(r) for r in log]


V1_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(path TEXT PRIMARY KEY, sha256 TEXT, size INTEGER, format TEXT,
    encoding TEXT, status TEXT NOT NULL, reason TEXT, n_reports INTEGER NOT NULL DEFAULT 0,
    ingested_at REAL NOT NULL);
CREATE TABLE reports(report_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, title TEXT,
    jurisdiction TEXT, jurisdiction_path TEXT, level TEXT, org_type TEXT, year INTEGER,
    doc_type TEXT, script TEXT NOT NULL, source TEXT NOT NULL, text TEXT NOT NULL,
    simplified TEXT NOT NULL, evidence TEXT, n_passages INTEGER NOT NULL, added_at REAL NOT NULL);
INSERT INTO meta VALUES('schema_version', '1');
"""


def test_version_1_store_is_migrated_and_re_extracted(tmp_path: Path) -> None:
    """An old store keeps its rows, gains the new columns, and its unchanged files are
    extracted again on the next ingest (their pipeline version is older)."""
    src = tmp_path / "r.txt"
    src.write_text("凤凰镇工会2019年工作总结\n2019年，镇工会开展送温暖活动3次。\n", "utf-8")
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(data / "corpus.sqlite3")
    db.executescript(V1_SCHEMA)
    db.execute(
        "INSERT INTO sources VALUES(?,?,?,?,?,?,?,?,?)",
        (str(src.resolve()), "x", 1, "txt", "utf-8", "ok", None, 1, 0.0),
    )
    db.execute(
        "INSERT INTO reports VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            "old",
            1,
            "旧",
            None,
            None,
            None,
            None,
            2000,
            None,
            "simplified",
            "x",
            "t",
            "t",
            json.dumps({}),
            0,
            0.0,
        ),
    )
    db.commit()
    db.close()
    with CorpusStore(data) as store:
        assert store.get_report("old") is not None  # nothing stored is lost
        assert store.file_shas(PIPELINE_VERSION).get(str(src.resolve())) is None
        ingest([src], store)
        [report] = store.reports_of_source(str(src.resolve()))
        assert (report.year, report.year_delivered) == (2019, None)
        assert store.file_shas(PIPELINE_VERSION).get(str(src.resolve())) is not None
        assert ingest([src], store).files_unchanged == 1


def test_citation_names_the_year_reviewed_and_the_delivery_date() -> None:
    from corpus.store import ReportRecord
    from retrieval.export_docs import when

    base = dict(
        report_id="r",
        title="政府工作报告",
        jurisdiction="海拉尔区",
        jurisdiction_path=None,
        level="county",
        org_type=None,
        doc_type="工作报告",
        script="simplified",
        source="x",
        n_passages=1,
    )
    assert when(ReportRecord(year=2013, year_delivered=2014, date="2014-02-19", **base)) == (
        "2013；2014年2月19日"
    )
    assert when(ReportRecord(year=2018, year_delivered=2019, **base)) == "2018；2019年"
    assert when(ReportRecord(year=None, **base)) == "年份不详"


def test_inline_noise_on_pages_full_of_brackets() -> None:
    """Thousands of pinyin brackets on one page, all removed. Each match is checked against
    its neighbouring spans only: a scan of every kept span was quadratic (20,000 brackets
    took 12 s); speed itself is for benchmarks, not tests."""
    text = "業(yè)" * 50_000
    assert strip_inline(text, to_simplified(text)) == "業" * 50_000
