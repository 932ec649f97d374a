"""No site noise from the seeds may reach a passage; noise rules on their own."""

from __future__ import annotations

from collections import Counter

import pytest

from corpus.clean import clean_text, collapse_repeated_title
from corpus.noise import clean_lines, is_spam_line, remove_page_marks
from corpus.script import to_simplified
from corpus.store import CorpusStore

# Every noise class the shared README lists, as it occurs in the seeds (simplified form).
SEED_NOISE = [
    # download-site header and notice
    "分享赚钱",
    "下载文档",
    "ID:1157507",
    "大小：",
    "页数：",
    "格式：DOCX",
    "时间：2023",
    "温馨提示",
    "部分包含数学公式",
    "本文档由用户上传",
    "下载前请仔细阅读",
    "网站客服",
    "3074922707",
    ".docx",
    "2023 做法 强化",
    # footers
    "此文档下载收益归作者所有",
    "你可能关注的文档",
    # aggregator intros and page furniture
    "以下是为您推荐",
    "希望能对您的工作",
    "欢迎阅读参考",
    "小编",
    "欢迎大家分享",
    "在不断进步的时代",
    "前言：",
    "想要写出一篇",
    "写作思路和灵感",
    "更新时间",
    "首页",
    "文章中心",
    # ad URLs and site names pasted into sentences
    "http",
    "www",
    "tmdps",
    "tz365",
    "好范文",
    "滕州生活网",
    # page header injected mid-text, anti-copy watermark
    "第2页",
    "的.大力",
    # stray tags
    "<ruby",
    "<pre",
    "</",
    "26blz",
    # SEO spam
    "久久",
    "无码",
    "一区二区",
    "中文字幕",
    "蜘蛛池",
    "国产",
    "人妻",
    "精品视频",
    # conversion artifacts that must be repaired
    "〞",
    "原那么",
    "细那么",
    "根底",
    "效劳",
    "广阔员工",
    "广阔企业职工",
]


def test_no_seed_passage_contains_noise(seed_store: CorpusStore) -> None:
    hits = []
    n = 0
    for p in seed_store.iter_passages():
        n += 1
        simp = to_simplified(p.text).lower()
        hits.extend((noise, p.text[:60]) for noise in SEED_NOISE if noise.lower() in simp)
        # Navigation labels are words in running text too: only whole lines are noise.
        hits.extend(
            (line, p.text[:60])
            for line in simp.split("\n")
            if line.strip() in {"收起", "展开", "分享", "收藏", "下载", "工作报告", "-", "1."}
        )
    assert n > 100
    assert hits == []


def test_titles_carry_no_noise(seed_store: CorpusStore) -> None:
    for rec in seed_store.iter_reports():
        assert rec.title and "范文" not in rec.title and "[" not in rec.title


@pytest.mark.parametrize(
    ("line", "spam"),
    [
        ("久久夜色精品国产网站，丁香五月网久久综合，国产特色一区二区三区视频", True),
        ("主站蜘蛛池模板：国产精品99久久免费| 亚洲色偷拍区另类无码专区", True),
        ("全市开展职工书屋示范点创建，打造精品视频课程", False),
        ("组织职工观看爱国主义教育影片，参加亚洲文化节", False),
    ],
)
def test_spam_line(line: str, spam: bool) -> None:
    assert is_spam_line(line) is spam


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        (["分享", "凤凰镇工会工作总结.docx", "ID：123", "正文第一句。"], ["正文第一句。"]),
        (["温馨提示：", "1. 下载前请仔细阅读", "2. 部分文件预览异常", "正文。"], ["正文。"]),
        (["首页 > 文章中心 > 工会工作", "正文。"], ["正文。"]),
        (
            ["在上级工会领导下，好范文 http://www.tmdps.cn/坚持基本路线。"],
            ["在上级工会领导下，坚持基本路线。"],
        ),
        (
            ["（二）绥芬河镇工委上半年工作情况 滕州生活网（TZ365.cn）"],
            ["（二）绥芬河镇工委上半年工作情况"],
        ),
        (
            ["在各个工委主任的重视下和各级领导的.大力支持下，工作有序推进。"],
            ["在各个工委主任的重视下和各级领导的大力支持下，工作有序推进。"],
        ),
        (
            ["以下是为您推荐的《工作报告》，希望能对您的工作有帮助，欢迎阅读参考！", "正文。"],
            ["正文。"],
        ),
    ],
)
def test_clean_lines(lines: list[str], kept: list[str]) -> None:
    assert [x for x in clean_lines(lines, Counter()) if x] == kept


def test_page_mark_with_repeated_title_removed() -> None:
    text = "做法：强化工会建设\n一、组建工会。制定“流动会员管理做法：强化工会建设第2页 ”等制度。"
    assert remove_page_marks(text) == "做法：强化工会建设\n一、组建工会。制定“流动会员管理”等制度。"


def test_repeated_title_collapsed() -> None:
    line = "做法：强化建设 做法：强化建设 强化建设 一、提高认识 乡镇工会工作"
    assert collapse_repeated_title(line) == "做法：强化建设\n一、提高认识 乡镇工会工作"


def test_footer_cut_and_long_aggregator_sentence() -> None:
    body = "一、主要做法。" + "我镇工会积极开展送温暖活动，慰问困难职工。" * 15
    raw = (
        "凤凰镇工会工作总结\n"
        + body
        + "以下是小编整理的范文，欢迎大家分享。"
        + "\n二、存在问题\n活动形式单一。\n此文档下载收益归作者所有\n下载文档\n相关推荐"
    )
    out = clean_text(raw).text
    assert "小编" not in out and "下载" not in out and "相关推荐" not in out
    assert "慰问困难职工。" in out and out.endswith("活动形式单一。")


@pytest.mark.parametrize(
    ("text", "classes"),
    [
        ("奋力谱写新篇章！\n相关报道：", ["related_links"]),
        ("相关阅读\n", ["related_links"]),
        ("为幸福实景！\n》》点击图片进入专题《《", ["prompt"]),
        ("扫一扫在手机打开当前页", ["prompt"]),
        # prose about related work or scanning is no furniture
        ("加强相关报道的审核工作。", []),
        ("推行扫码登记，办事更便捷。", []),
        ("职工扫一扫二维码即可申请入会。", []),
        ("会员点击进入小程序即可报名。", []),
    ],
)
def test_fidelity_noise_checks_see_news_trailers(text: str, classes: list[str]) -> None:
    # eval-corpus's own checks (not the cleaner's rules): they must see these to count them.
    from corpus.fidelity import noise_classes

    assert noise_classes(text) == classes
