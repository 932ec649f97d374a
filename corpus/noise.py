"""Site noise that scraped reports carry, removed line by line and inline.

Every rule here is for a noise class seen in real scraped reports (see the shared corpus
README): download-site headers and notices, aggregator intros, ad URLs pasted into
sentences, page headers injected mid-text, stray tags and SEO spam blocks. Rules match the
simplified form of a line, so they work on both scripts.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources

from corpus.furniture import (
    DOC_NOUNS,
    MAX_FURNITURE_LINE,
    TLDS,
    URL,
    WEAK,
    find_watermarks,
    furniture_class,
    strip_inline,
    vocabulary,
)
from corpus.script import to_simplified

_CLAUSE_PUNCT = re.compile(r"[，。：；！？]")
TITLE_NOUN_END = re.compile(r"(?:工作报告|工作总结|调研报告|自查报告|述职报告)$")

_DOC_META_KEYS = (
    "大小|页数|格式|时间|上传时间|更新时间|发布时间|浏览|浏览次数|阅读次数|下载次数|来源|"
    "作者|编辑|责任编辑|字数|文档编号|所属分类|分类|标签|关键字"
)

NOISE_LINES = re.compile(
    r"^(?:"
    r"分享|收藏|下载|下载文档|下载此文档|收起|展开|举报|打印|返回顶部|返回列表|登录|注册|"
    r"相关推荐|你可能关注的文档|你可能感兴趣的.{0,10}|猜你喜欢|相关文章|热门文章|推荐阅读|"
    r"点击下载|立即下载|免费下载|阅读全文|全文阅读|收藏\s*分享赚钱|分享赚钱|"
    r"上一篇[:：].*|下一篇[:：].*|[-—_=*·•]+|"
    r"ID[:：]\s*\d+|"
    rf"-?\s*(?:{_DOC_META_KEYS})[:：].{{0,40}}|"
    r".{1,100}\.(?:docx?|pdf|pptx?|xlsx?|wps|txt)|"
    r".{0,10}(?:客服|联系)(?:电话|热线|QQ|qq|微信)?[:：]\s*[\d\-]{5,}.*|"
    r"(?:首页|当前位置[:：]).{0,10}[>›»/].*|"
    r"第\s*\d+\s*页(?:\s*/?\s*共\s*\d+\s*页)?|共\s*\d+\s*页|"
    r"[-—\s]*\d{1,3}\s*[.、]?[-—\s]*|[一二三四五六七八九十]|"
    r"(?:版权所有|版权声明|Copyright|©).{0,80}|"
    r"此文档下载收益归作者所有|本文档?由用户上传.*|.*版权归属用户.*|广告[:：].{0,40}"
    r")$",
    re.IGNORECASE,
)
NOTICE_START = re.compile(r"^(?:温馨提示|特别提示|下载须知|免责声明)[:：]?\s*$")
NOTICE_ITEM = re.compile(r"^\d{1,2}\s*[.、．]\s*\S")
# A page that ends in site furniture: everything after one of these lines is dropped when it
# appears in the last part of the file.
FOOTER_START = re.compile(
    r"^(?:此文档下载收益归作者所有|你可能关注的文档|主站蜘蛛池模板.*|相关推荐|猜你喜欢|"
    r"相关文章|热门推荐|最新文章|精彩推荐)[:：]?"
)
KEYWORD_LINE = re.compile(r"^(?:[^\s，。；：！？、“”]{1,8}\s+){3,}[^\s，。；：！？、“”]{1,8}$")

AGGREGATOR = re.compile(
    r"以下是.{0,20}(?:为您|为你|为大家|小编|本站|我们)|小编(?:精心)?(?:整理|收集|为大家|为您)|"
    r"为(?:您|你|大家)(?:精心)?(?:整理|推荐|准备)了|希望(?:能)?对(?:您|你|大家).{0,14}有(?:所)?帮助|"
    r"欢迎(?:大家)?(?:阅读|分享|参考|借鉴|下载|收藏)|相信会为您的写作|想要写出一篇|"
    r"令人眼前一亮的文章|写作思路和灵感|在不断进步的时代|你所见过的(?:报告|总结)|"
    r"报告与我们愈发|总结与我们愈发|仅供参考|前言(?<=^前言)[:：]"
)
# Every alternative of AGGREGATOR starts with a literal character (^ is checked behind 前言,
# not before it), so the regex engine jumps to the characters that can start a match
# instead of trying each alternative at every position of every line: ~4x faster.
# Sentence pieces for the aggregator check: split after end punctuation.
_SENTENCE_PIECES = re.compile(r"[^。！？!?]*[。！？!?]?")

_URL = URL.pattern  # one address pattern for furniture and ads
# An ad is a site name ("好范文", "某某生活网") followed by its address, sometimes in brackets,
# sometimes with a trailing "学习" channel name.
AD_URL = re.compile(
    r"[ \t]*(?:[\u4e00-\u9fff]{0,4}(?:范文网?|网|網|站|文库|文庫)[ \t]*)?"
    rf"[（(]?(?:{_URL})[)）]?(?:学习|學習)?",
    re.IGNORECASE,
)
# Anti-copy watermark of some template sites: a full stop after 的 inside a sentence. It
# needs "的." in the line, which clean_lines tests first: the regex, tried at every position
# of every body line, cost more than the test.
WATERMARK_DOT = re.compile(r"(?<=的)\.(?=[\u4e00-\u9fff])")


# What every address URL knows holds: "://" (a scheme), "www." or a dot before a top-level
# domain; with URL's flag, so that letters fold alike. Each alternative starts with ":" or
# ".", which the regex engine jumps to.
_URL_HINT = re.compile(rf"://|\.(?:{TLDS})|\.(?<=www\.)", re.IGNORECASE)


def _may_hold_url(line: str) -> bool:
    """False only for a line AD_URL cannot match. Tried at every position of every body
    line, the regex cost ~30 µs a line; the test, well under one. It used to pass every
    line with a dot, and decimal figures (3.5%) have one."""
    return _URL_HINT.search(line) is not None


PAGE_MARK = re.compile(r"第\s*\d{1,3}\s*页\s?")


@lru_cache(maxsize=1)
def spam_terms() -> tuple[str, ...]:
    text = resources.files("corpus").joinpath("data/spam_terms.txt").read_text("utf-8")
    return tuple(
        t.strip().lower() for t in text.splitlines() if t.strip() and not t.startswith("#")
    )


@lru_cache(maxsize=1)
def _any_spam_term() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(t) for t in spam_terms()))


def is_spam_line(simplified_line: str) -> bool:
    low = simplified_line.lower()
    # Most lines hold no spam term at all: one regex search says so before the term count.
    if not _any_spam_term().search(low):
        return False
    return sum(1 for term in spam_terms() if term in low) >= 3


def strip_aggregator(line: str, simplified: str) -> str:
    """Drop aggregator intros: the whole line when short, else only the matching sentences."""
    if not AGGREGATOR.search(simplified):
        return line
    if len(line) <= 250:
        return ""
    kept = []
    pos = 0
    for m in _SENTENCE_PIECES.finditer(simplified):
        if m.start() == m.end():
            continue
        if not AGGREGATOR.search(m.group()):
            kept.append(line[m.start() : m.end()])
        pos = m.end()
    return "".join(kept) + line[pos:]


def remove_page_marks(text: str) -> str:
    """Page headers injected mid-text: '<document title>第2页'. The title part is found as the
    longest stretch before the page mark that also occurs elsewhere in the document."""
    out = []
    last = 0
    for m in PAGE_MARK.finditer(text):
        start = m.start()
        window = text[max(0, start - 60) : start]
        cut = start
        for k in range(len(window), 5, -1):
            piece = window[-k:]
            if "\n" in piece:
                continue
            if text.find(piece) != start - k or text.find(piece, start) != -1:
                cut = start - k
                break
        out.append(text[last:cut])
        last = m.end()
    out.append(text[last:])
    return "".join(out)


_AGGREGATOR_EXTRA = re.compile(
    # Template sites open a page with a definition of the genre ("总结是…的书面材料") or an
    # offer to share it; neither belongs to any report.
    r"^(?:工作)?(?:总结|报告|计划|述职报告|调研报告|调查报告)是(?:指)?.{0,80}(?:书面材料|文体|文书|应用文)"
    r"|为(?:您|你|大家)(?:精心)?(?:分享|整理|收集|推荐|准备|带来)|以供(?:您|你|大家)?参考"
    r"|下面(?:就)?是.{0,16}(?:给|为)(?:大家|您|你)|【阅读指引】"
)


def _separator_neighbours(simplified: list[str], classes: list[str | None]) -> None:
    """A breadcrumb spread over lines ("首页" / ">" / "要闻"): the short items on either
    side of a lone separator line are part of it."""
    seps = set(vocabulary().separators)
    for i, s in enumerate(simplified):
        if len(s) <= 4 and s.strip() and set(s.strip()) <= seps:
            for j in (i - 1, i + 1):
                if 0 <= j < len(simplified) and classes[j] is None:
                    t = simplified[j].strip()
                    plain = not DOC_NOUNS.search(t) and not re.search(r"[。，；]", t)
                    if 0 < len(t) <= 12 and plain:
                        classes[j] = "breadcrumb"


def _confirm_weak(classes: list[str | None]) -> None:
    """Font-size buttons count as furniture only within two lines of other furniture."""
    strong = [c is not None and c != WEAK for c in classes]
    for i, c in enumerate(classes):
        if c == WEAK:
            near = strong[max(0, i - 4) : i] + strong[i + 1 : i + 5]
            classes[i] = "controls" if any(near) else None


def clean_lines(lines: list[str], stats: Counter[str]) -> list[str]:
    """Remove noise lines, notice blocks, spam and page footers; then inline noise."""
    simplified = to_simplified("\n".join(lines)).split("\n")
    n = len(lines)
    for mark in find_watermarks(simplified):
        for i, simp in enumerate(simplified):
            while mark in simp:  # the twin has the same length: cut the same span
                a, b = simp.index(mark), simp.index(mark) + len(mark)
                simp, lines[i] = simp[:a] + simp[b:], lines[i][:a] + lines[i][b:]
                stats["watermark"] += 1
            simplified[i] = simp
    classes = [furniture_class(s) if len(s) <= MAX_FURNITURE_LINE else None for s in simplified]
    _separator_neighbours(simplified, classes)
    _confirm_weak(classes)
    # Footer: cut from the first footer marker found in the last 40% of the lines.
    cut_at = n
    for i in range(int(n * 0.6), n):
        if FOOTER_START.match(simplified[i]):
            cut_at = i
            stats["footer_lines"] += sum(1 for x in lines[i:] if x)
            break
    kept: list[str] = []
    in_notice = False
    prev_noise = False
    for i in range(cut_at):
        line, simp = lines[i], simplified[i]
        if not line:
            kept.append(line)
            continue
        if NOTICE_START.match(simp):
            in_notice = True
            prev_noise = True
            stats["notice_lines"] += 1
            continue
        if in_notice:
            if NOTICE_ITEM.match(simp):
                stats["notice_lines"] += 1
                continue
            in_notice = False
        if classes[i] is not None:
            stats[f"furniture_{classes[i]}"] += 1
            prev_noise = True
            continue
        if NOISE_LINES.match(simp):
            stats["site_lines"] += 1
            prev_noise = True
            continue
        if is_spam_line(simp):
            stats["spam_lines"] += 1
            prev_noise = True
            continue
        if i < 30 and KEYWORD_LINE.match(simp):
            stats["keyword_lines"] += 1
            prev_noise = True
            continue
        # A bare label ("工作报告", a channel name) sitting in a page header between noise
        # lines.
        # A short doc-type title ("政府工作报告") after a caption is a title, not a label.
        if (
            prev_noise
            and i < 20
            and len(simp) <= 6
            and not _CLAUSE_PUNCT.search(simp)
            and not TITLE_NOUN_END.search(simp)
        ):
            stats["site_lines"] += 1
            continue
        if i < 40 and len(simp) <= 250 and _AGGREGATOR_EXTRA.search(simp):
            stats["aggregator"] += 1
            prev_noise = True
            continue
        new = strip_aggregator(line, simp)
        if new != line:
            stats["aggregator"] += 1
            line = new
            simp = to_simplified(line)
        if _may_hold_url(line):
            before = line
            line = AD_URL.sub("", line)
            if line != before:
                stats["ad_urls"] += 1
                simp = to_simplified(line)
        inline: dict[str, int] = {}
        line = strip_inline(line, simp, inline)
        for name, k in inline.items():
            stats[f"inline_{name}"] += k
        if "的." in line:
            line = WATERMARK_DOT.sub("", line)
        prev_noise = False
        kept.append(line.strip())
    return kept
