"""Page furniture told apart from report text by its features, not by the names of sites.

Scraped pages wrap a report in the parts of their template: navigation and breadcrumbs
(``首页 > 范文 > 工作总结``), controls (``下载 打印 全屏 收藏``, ``【字号：加大 还原 减小】``),
metadata lines (``来源：某某日报``, ``发布时间：2023-10-28 热度：59``), site names and
watermarks with their addresses. Whatever the site, those lines are built from a small
vocabulary of template words (``corpus/data/furniture.json``), dates with clock times,
numbers, separators and addresses, and carry no sentence. A short line whose every token is
of that kind is furniture; a report line (a title, a heading, a salutation, a sentence)
always has words of its own.

Inline furniture (in reports flattened onto one line) is removed by shape: bracketed control
groups, runs of controls, breadcrumbs after ``位置：`` or ``首页``, dates with clock times.
Pinyin that a bad conversion left in brackets after a character (``業(yè)``) and the
``此处隐藏N个字`` marks of preview pages are handled here too.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from corpus.lexicon import SENTENCE_PUNCT

MAX_FURNITURE_LINE = 80


@dataclass(frozen=True)
class Vocabulary:
    controls: frozenset[str]
    meta_keys: tuple[str, ...]
    site_suffixes: tuple[str, ...]
    separators: str


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    raw = json.loads(resources.files("corpus").joinpath("data/furniture.json").read_text("utf-8"))
    return Vocabulary(
        controls=frozenset(raw["controls"]),
        # Longest first so that 发布时间 wins over 时间.
        meta_keys=tuple(sorted(raw["meta_keys"], key=len, reverse=True)),
        site_suffixes=tuple(sorted(raw["site_suffixes"], key=len, reverse=True)),
        separators="".join(raw["separators"]),
    )


_DATE = r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
DATETIME = re.compile(rf"{_DATE}(?:\s*{_TIME})?|{_TIME}")
_DATETIME_WITH_CLOCK = re.compile(rf"{_DATE}\s*{_TIME}")
TLDS = "com|cn|net|org|cc|top|info|vip"  # the top-level domains an address without a scheme has
URL = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9./?=&%#_~+:-]+"
    rf"|\b[A-Za-z0-9-]{{2,}}\.(?:{TLDS})(?:\.cn)?\b(?:/[A-Za-z0-9./?=&%#_~+-]*)?",
    re.IGNORECASE,
)
_TOKEN_SPLIT = re.compile(r"[\s【】\[\]（）()<>《》「」“”\"'，,、：:|｜/>›»→·•\-—–_=]+")
_NUMBER = re.compile(r"^[\d.,%万千百余]+(?:次|人|篇|页|KB|MB|kb|mb)?$")
# A report's own words that a title, heading or label line carries (never template words).
DOC_NOUNS = re.compile(
    r"报告|报吿|总结|汇报|计划|材料|讲话|发言|方案|意见|通知|要点|做法|经验|调研|调查|自查|述职|情况"
)
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_FURNITURE_CHARS = re.compile(r"[0-9A-Za-z.%:：]")
# A photo credit ("本报记者 某某 摄") closes a caption: the caption line is the page's.
_PHOTO_CREDIT = r"(?:记者|摄影|通讯员)\s*[\u4e00-\u9fff·]{2,6}\s*摄"
_PHOTO_LINE = re.compile(rf"{_PHOTO_CREDIT}\s*$")


def _meta_pattern() -> re.Pattern[str]:
    keys = "|".join(re.escape(k) for k in vocabulary().meta_keys)
    return re.compile(rf"(?:{keys})\s*[:：]\s*[^\s【】\[\]]{{0,24}}")


@lru_cache(maxsize=1)
def _meta() -> re.Pattern[str]:
    return _meta_pattern()


def is_site_name(token: str) -> bool:
    v = vocabulary()
    return 2 <= len(token) <= 14 and token.endswith(v.site_suffixes) and not DOC_NOUNS.search(token)


# Font-size buttons: on their own they could be a wrapped fragment of prose (中小|企业).
SIZE_WORDS = frozenset({"大", "中", "小", "加大", "还原", "减小", "默认", "放大", "缩小"})
WEAK = "controls?"
# A prompt to click or scan ("点击图片进入专题", "扫一扫在手机打开当前页"): short, no clause
# break, checked before the long-run rule below, which would take its 7+ plain characters
# for report text. A scan or click prompt must name a page thing it leads to (图片, 手机,
# 当前页 ...): 扫一扫入会 and 点击量同比增长 are a report's words.
_PAGE_THINGS = "图片|进入|查看|这里|此处|手机|打开|当前页|专题|阅读全文|原文|下载|分享|关注"
_PROMPT = re.compile(
    rf"^(?:点击|点此|请点击|扫一扫|扫描二维码|微信扫一扫|扫码)[^，。]{{0,8}}(?:{_PAGE_THINGS})[^，。]{{0,8}}$"
)


@lru_cache(maxsize=8)
def _chars_of(words: frozenset[str]) -> frozenset[str]:
    return frozenset("".join(words))


def _compound_of_controls(token: str, controls: frozenset[str]) -> bool:
    """'分享到微信', '下载打印': template words written together."""
    if len(token) > 12 or not set(token) <= _chars_of(controls):
        return False
    ok = [True] + [False] * len(token)
    for i in range(1, len(token) + 1):
        ok[i] = any(ok[j] and token[j:i] in controls for j in range(max(0, i - 6), i))
    return ok[-1]


@lru_cache(maxsize=65536)
def furniture_class(simp: str) -> str | None:
    """The furniture class of one line (simplified form), or None for report text."""
    s = simp.strip()
    if not s or len(s) > MAX_FURNITURE_LINE:
        return None
    v = vocabulary()
    if _PUNCT_ONLY.match(s):
        return "controls"
    if _PHOTO_LINE.search(s):
        return "photo_caption"
    if re.match(r"^(?:您的|当前|您的当前)?位置\s*[:：]", s) or sum(s.count(c) for c in "›»>") >= 2:
        return "breadcrumb"
    has_sentence = bool(SENTENCE_PUNCT.search(s))
    if has_sentence and not URL.search(s):
        return None
    if _PROMPT.match(s.strip(" 》《»«>")):
        return "controls"
    # A long run of plain words that is no site name is the report's own text.
    if any(
        len(t) >= 7 and not _FURNITURE_CHARS.search(t) and not is_site_name(t)
        for t in _TOKEN_SPLIT.split(s)
    ):
        return None
    rest = s
    kinds: list[str] = []
    for pattern, kind in ((URL, "url"), (_meta(), "source_meta"), (DATETIME, "datetime")):
        if pattern.search(rest):
            kinds.extend(kind for _ in pattern.findall(rest))
            rest = pattern.sub(" ", rest)
    if _PROMPT.match(rest.strip(" 》《»«>")) and not has_sentence:
        return "controls"
    unknown: list[str] = []
    for token in _TOKEN_SPLIT.split(rest):
        if not token:
            continue
        if token in v.controls or _compound_of_controls(token, v.controls):
            kinds.append("controls")
        elif _NUMBER.match(token):
            kinds.append("number")
        elif is_site_name(token):
            kinds.append("site_name")
        else:
            unknown.append(token)
    real = [k for k in kinds if k != "number"]
    if not real:
        return None
    if unknown and not (
        len(unknown) == 1
        and len(unknown[0]) <= 6
        and not has_sentence
        and (len(real) >= 2 or any(k in ("datetime", "source_meta", "url") for k in real))
    ):
        # One short label is allowed beside template parts ("时间:… 工作总结 我要投稿",
        # "某某网 发表于:…"); anything more is the report's own words.
        return None
    if has_sentence and "url" not in real:
        return None
    tokens = [t for t in _TOKEN_SPLIT.split(rest) if t]
    only_sizes = all(t in SIZE_WORDS or _compound_of_controls(t, SIZE_WORDS) for t in tokens)
    if only_sizes and set(real) == {"controls"}:
        return WEAK  # "大" / "中" / "小" alone: furniture only beside other furniture
    order = ("breadcrumb", "url", "source_meta", "datetime", "site_name", "controls")
    return min(real, key=lambda k: order.index(k) if k in order else len(order))


# --- inline furniture ---------------------------------------------------------------------

_BRACKET_CONTROLS = re.compile(r"[【\[]\s*字[号体]\s*[:：]?[^【】\[\]]{0,24}[】\]]")
_CONTROL_WORDS = "下载|打印|全屏|收藏|分享|关闭窗口|返回顶部|我要投稿|举报|手机版"
_CONTROL_RUN = re.compile(rf"(?:(?:{_CONTROL_WORDS})[\s|｜/]*){{2,}}")
_BREADCRUMB = re.compile(
    r"(?:(?:您的|当前|您的当前)?位置\s*[:：]\s*|(?<![\u4e00-\u9fff])首页\s*)"
    r"(?:[^\s>›»，。：；]{0,12}\s*[>›»]\s*)+[^\s>›»，。：；]{0,10}?(?=\s|$|[>›»])"
)
_INLINE_DATETIME = re.compile(
    rf"(?:(?:发布|发表|更新|上传)?(?:时间|日期)\s*[:：]\s*)?{_DATE}\s*{_TIME}"
)
_PINYIN_SYLLABLE = r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)[aeiouvü][a-zü]{0,4}"
_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# Pinyin left after a character by a bad conversion: 業(yè), 近(jin). Tone marks make it
# certain; toneless text must read as one pinyin syllable.
_PINYIN = re.compile(
    rf"(?<=[\u4e00-\u9fff])[（(](?:[a-zü]*[{_TONE}][a-zü{_TONE}]*|{_PINYIN_SYLLABLE})[)）]"
)
# An English word glossed in brackets after Chinese (总结(summary)): SEO injection.
_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])[（(][a-z]{4,12}[)）]")
# A site credit pasted into a sentence: "原创文秘网站:百范文网".
_SITE_CREDIT = re.compile(
    r"(?:原创[\u4e00-\u9fff]{0,4}|[\u4e00-\u9fff]{1,4}?)(?:网站|网|文库)\s*[:：]\s*[\u4e00-\u9fff]{1,8}(?:网|文库)"
    r"(?![站络格点页民友])"
)
_HIDDEN = re.compile(r"[（(【\[]?\s*此处隐藏\s*[\d,]*\s*个?字\s*[)）】\]]?[.。…]*")
HIDDEN_MARK = "……"


_INLINE_PHOTO = re.compile(rf"(?<=[。！？])[^。！？\n]{{0,40}}?{_PHOTO_CREDIT}")
_CONTROL_WORD_LIST = tuple(_CONTROL_WORDS.split("|"))
_BRACKETS = ("(", "（")
# Each rule with what it cannot match without: for every tuple, one of its strings must be
# in the line. A line is searched only with the rules whose strings it holds: most lines
# that have a bracket or a colon hold nothing else a rule needs, and one search with all
# the patterns cost ten times the searches that remain (the photo and site-credit patterns
# try a window at every character).
_INLINE_RULES: tuple[tuple[str, re.Pattern[str], str, tuple[tuple[str, ...], ...]], ...] = (
    ("photo_caption", _INLINE_PHOTO, "", (("摄",),)),
    ("hidden_text", _HIDDEN, HIDDEN_MARK, (("此处隐藏",),)),
    ("site_credit", _SITE_CREDIT, "", (("网", "文库"), (":", "："))),
    ("pinyin", _PINYIN, "", (_BRACKETS, (")", "）"))),
    ("gloss", _GLOSS, "", (_BRACKETS, (")", "）"))),
    ("controls", _BRACKET_CONTROLS, "", (("字",), ("【", "["))),
    ("controls", _CONTROL_RUN, " ", (_CONTROL_WORD_LIST,)),
    ("breadcrumb", _BREADCRUMB, " ", ((">", "›", "»"), ("位置", "首页"))),
    ("datetime", _INLINE_DATETIME, " ", ((":",),)),
)


# Every inline rule needs one of these: one search in C rules most lines out first.
# Written as alternatives that each start with a literal character (not a character class
# first), so the regex engine jumps to the characters that can start one: ~5x faster.
_INLINE_TRIGGER = re.compile(
    "|".join(re.escape(c) for c in "（(【[此网網库>›»:摄")
    + "|下载|打印|全屏|收藏|分享|关闭窗口|返回顶部|我要投稿|举报|手机版"
)


def _may_match(simp: str, needs: tuple[tuple[str, ...], ...]) -> bool:
    return all(any(x in simp for x in alternatives) for alternatives in needs)


def strip_inline(line: str, simp: str | None = None, stats: dict[str, int] | None = None) -> str:
    """Remove inline furniture from ``line``; patterns are matched on its simplified twin
    ``simp`` (same length) when given, and the spans are cut from the original line."""
    simp = line if simp is None else simp
    if not _INLINE_TRIGGER.search(simp):
        return line
    rules = [(n, p, r) for n, p, r, needs in _INLINE_RULES if _may_match(simp, needs)]
    if not rules:
        return line
    spans: list[tuple[int, int, str, str]] = []
    spans_by_start: dict[int, tuple[int, int, str, str]] = {}
    starts: list[int] = []  # sorted starts of the kept spans, for the overlap test
    for name, pattern, repl in rules:
        for m in pattern.finditer(simp):
            start = m.start()
            if name == "site_credit" and "原创" in m.group():
                start += m.group().index("原创")  # the credit starts at its own label
            if m.end() <= start:
                continue
            # Kept spans never overlap one another, so only the neighbours on either side
            # of the insertion point can overlap this one (a scan of all would be
            # quadratic on a page with thousands of pinyin brackets).
            k = bisect.bisect_left(starts, start)
            before = spans_by_start[starts[k - 1]] if k > 0 else None
            after = spans_by_start[starts[k]] if k < len(starts) else None
            if (before and before[1] > start) or (after and after[0] < m.end()):
                continue
            span = (start, m.end(), repl, name)
            starts.insert(k, start)
            spans_by_start[start] = span
            spans.append(span)
    if not spans:
        return line
    out = []
    last = 0
    for a, b, repl, name in sorted(spans):
        out.append(line[last:a])
        out.append(repl)
        last = b
        if stats is not None:
            stats[name] = stats.get(name, 0) + 1
    out.append(line[last:])
    return "".join(out)


# --- watermarks ---------------------------------------------------------------------------

_MIN_WATERMARK = 6
_MIN_REPEATS = 2
MAX_WATERMARKS = 8


def find_watermarks(simplified_lines: list[str]) -> list[str]:
    """Prefixes that repeat before several paragraphs and read as furniture (a site label
    with its address, or template words): a watermark the site stamps on its copies."""
    counts: dict[str, int] = {}
    for line in simplified_lines:
        if "." not in line[:80]:
            continue  # no address, no watermark
        for m in URL.finditer(line[:80]):
            prefix = line[: m.end()]
            if len(prefix) >= _MIN_WATERMARK:
                counts[prefix] = counts.get(prefix, 0) + 1
    marks = []
    for prefix, n in counts.items():
        if n < _MIN_REPEATS:
            continue
        label = URL.sub("", prefix).strip(" :：-—|")
        if len(label) <= 16 and not SENTENCE_PUNCT.search(label):
            marks.append(prefix)
    # A page has one watermark, two at most; a cap keeps a file of many addresses linear.
    return sorted(marks, key=len, reverse=True)[:MAX_WATERMARKS]
