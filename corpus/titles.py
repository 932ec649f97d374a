"""Which line is a report's own title, read from the lines above its body.

Above a report's first sentence a page may stack: its own page title (often a compilation's:
``…(精选23篇)``, ``…范文汇总五篇``), channel labels, the report's title, a dateline
(``——2019年3月4日在…会议上``), the speaker's post and name. The report's own title is the
line nearest the body that reads as a title: an organisation or period with a doc-type
noun, no sentence punctuation. Compilation page titles are never a report's title (their
compilation suffix stripped, they serve only as a fallback, and never set a year);
datelines and signature lines never are. Letter-spaced titles (``政 府 工 作 报 告``) and
spaced numbers (``工会 2021 年工作总结``) are collapsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.lexicon import ORG_OR_PLACE, PAPER_LABELS, SENTENCE_PUNCT
from corpus.markers import starts_with_marker
from corpus.script import to_simplified

DOC_NOUN_END = re.compile(
    r"(?:总结|报告|汇报|材料|计划|要点|讲话|发言|致辞|述职|做法|经验|规划|方案|思路|打算|情况)"
    r"(?:[（(][一二三四五六七八九十\d]{1,3}[）)])?$"
)
DOC_NOUN = re.compile(r"总结|报告|汇报|材料|计划|讲话|发言|述职|调研|自查|做法|经验|工作")
# Suffixes a compilation page adds to a title: (精选23篇), 【热选4篇】, 范文汇总五篇, 集合十篇,
# 3篇, 参考汇编(3篇), 范文, 模板, 大全.
_COMPILATION_SUFFIX = re.compile(
    r"\s*(?:范文|通用|集合|合集|汇编|汇总|大全|参考汇编|参考)*\s*(?:[（(【\[]\s*)?"
    r"(?:范文|通用|精选|热选|优选|推荐|集合|合集|汇编|汇总|大全|参考汇编|参考)*"
    r"\s*(?:[\d一二三四五六七八九十百]+\s*篇|范文|模板|大全|汇总|合集)"
    r"(?:\s*[)）】\]])?\s*$"
)
_COMPILATION_WORDS = re.compile(
    r"范文|模板|汇总|大全|合集|集合|精选|热选|参考汇编|怎么写|[\d一二三四五六七八九十]+篇"
)
# "标题【第一篇】", "标题 篇1", "标题1": the numbering of a piece inside a compilation.
_PIECE_NUMBER = re.compile(
    r"\s*(?:[【\[（(]\s*第?[\d一二三四五六七八九十]{1,3}篇\s*[】\]）)]|篇\s*[\d一二三四五六七八九十]{1,3}"
    r"|(?<=[总结报告划料报汇])\s*\d{1,2})\s*$"
)
_YEAR_START = r"(?:(?:19|20)\d\d|[一二三四五六七八九〇零○]{4})\s*年"
# "——2019年3月4日在…会议上", "（2026年1月27日在…会议上）", "——2025年1月14日某某在…上的讲话"
DATELINE = re.compile(
    rf"^(?:[—\-－–─]{{1,4}}\s*[（(]?\s*{_YEAR_START}.{{1,12}}日"
    rf"|[（(]?\s*{_YEAR_START}.{{1,12}}日\s*(?:在.{{2,50}}(?:会议|大会|会上|上)|[)）]?$))"
)
_SIGNATURE = re.compile(
    r"(?:省长|市长|区长|县长|主席|书记|主任|总理|镇长|乡长|局长|院长|代省长|代市长|代区长|代县长)"
    r"\s*[\u4e00-\u9fff·]{2,8}$"
)
SALUTATION = re.compile(r"^(?:各位代表|同志们|各位委员|尊敬的)")
_LETTER_SPACED = re.compile(r"^(?:[\u4e00-\u9fff]\s+){2,}[\u4e00-\u9fff]$")
_DIGIT_SPACE = re.compile(r"(?<=[\d\u4e00-\u9fff])\s+(?=\d)|(?<=\d)\s+(?=[\u4e00-\u9fff])")
_SEO_SEPARATOR = re.compile(r"\s*[|｜_]\s*")
# Front-matter labels of papers are never titles.
LABEL_LINE = re.compile(rf"^(?:{PAPER_LABELS}|作者|前言|编者按)")
_TOC = re.compile(r"^目\s*录[:：]?$")
MAX_TITLE = 60
HEAD_SCAN = 14


def collapse_spacing(line: str) -> str:
    s = line.strip()
    if _LETTER_SPACED.match(s):
        return re.sub(r"\s+", "", s)
    return _DIGIT_SPACE.sub("", s)


def strip_compilation(title: str) -> str:
    out = _PIECE_NUMBER.sub("", title).strip()
    out = _COMPILATION_SUFFIX.sub("", out).strip()
    return out or title


def is_compilation_title(line: str) -> bool:
    return bool(_COMPILATION_WORDS.search(to_simplified(line)))


def is_dateline(line: str) -> bool:
    return bool(DATELINE.match(to_simplified(line.strip())))


def is_signature(line: str) -> bool:
    return bool(_SIGNATURE.search(to_simplified(line.strip()))) and len(line.strip()) <= 30


def _best_seo_part(line: str) -> str:
    """'调查报告怎么写|工会调查报告' -> the part that names an organisation."""
    parts = [p for p in _SEO_SEPARATOR.split(line) if p]
    if len(parts) < 2:
        return line
    named = [p for p in parts if ORG_OR_PLACE.search(to_simplified(p)) and DOC_NOUN.search(p)]
    return named[-1] if named else line


def _norm_key(title: str) -> str:
    return re.sub(r"\W+", "", to_simplified(title))


def title_shape(line: str) -> bool:
    """Short, no sentence punctuation, not a heading or a dateline or a signature."""
    s = to_simplified(line.strip())
    if (
        not 4 <= len(s) <= MAX_TITLE
        or SENTENCE_PUNCT.search(s)
        or s.endswith(("，", "：", ":", "、"))
    ):
        return False
    return not (
        starts_with_marker(s)
        or is_dateline(s)
        or is_signature(s)
        or SALUTATION.match(s)
        or LABEL_LINE.match(s)
        or _TOC.match(s)
    )


def is_body_line(line: str) -> bool:
    s = line.strip()
    return bool(
        (
            len(s) > MAX_TITLE
            or SENTENCE_PUNCT.search(s)
            or starts_with_marker(s)
            or SALUTATION.match(s)
        )
        and not is_dateline(s)
    )


_GLUED = re.compile(
    r"^(?P<title>.{4,50}?(?:总结|报告|汇报|计划|材料)(?:[（(][一二三四五六七八九十\d]{1,3}[）)])?)"
    r"(?:(?P<piece>\d{1,2})(?=[\u4e00-\u9fff])|(?=(?:19|20)\d\d|今年|一年来|近年来|过去|[xX×]{2}"
    r"|在|为|按照|根据))"
    r"(?P<rest>[^\n]{20,})$"
)
_CLAUSE = re.compile(r"[。！？；，]")


def split_glued_title(line: str) -> list[str]:
    """A flattened page glues the title to the first sentence ('…工作计划2019年，在区委…')."""
    if len(line) <= MAX_TITLE:
        return [line]
    m = _GLUED.match(to_simplified(line))  # same length: cut the original at its offsets
    if m and title_shape(m.group("title")) and _CLAUSE.search(m.group("rest")[:80]):
        return [
            line[: m.end("title")],
            line[m.end("piece") if m.group("piece") else m.end("title") :],
        ]
    return [line]


@dataclass
class TitleChoice:
    index: int | None  # line index of the report's own title
    title: str | None  # cleaned
    page_title: str | None  # a compilation page title seen above (cleaned), if any
    page_lines: tuple[str, ...] = ()  # the raw lines that were compilation page titles


def choose_title(lines: list[str]) -> TitleChoice:
    """The report's own title among the lines above its body."""
    candidates: list[tuple[int, str, bool]] = []  # (index, cleaned, has doc noun)
    page_title = None
    page_lines: list[str] = []
    in_toc = False
    for i, raw in enumerate(lines[:HEAD_SCAN]):
        if len(raw) > 2 * MAX_TITLE and not in_toc:
            break  # a paragraph: the body has begun (no title or dateline is this long)
        line = collapse_spacing(_best_seo_part(raw))
        if _TOC.match(line.strip()):
            in_toc = True
            continue
        if in_toc and starts_with_marker(line) and len(line) <= MAX_TITLE + 6:
            continue  # an entry of a table of contents, not the body
        in_toc = False
        shaped = title_shape(line)
        if not shaped and is_body_line(raw):
            break
        if not shaped:
            continue
        simp = to_simplified(line)
        if is_compilation_title(simp) and not _PIECE_NUMBER.search(simp):
            page_title = page_title or strip_compilation(line)
            page_lines.append(raw)
            continue
        cleaned = strip_compilation(line)
        candidates.append((i, cleaned, bool(DOC_NOUN_END.search(to_simplified(cleaned)))))
    with_noun = [c for c in candidates if c[2]]
    if with_noun:
        i, title, _ = with_noun[-1]
        # "政府工作报告" below "2026年某省政府工作报告": the generic form repeats the
        # specific one, which stays the title.
        key = _norm_key(title)
        fuller = [c for c in with_noun[:-1] if key in _norm_key(c[1]) and key != _norm_key(c[1])]
        if fuller:
            i, title, _ = fuller[-1]
        return TitleChoice(i, title, page_title, tuple(page_lines))
    if candidates and candidates[0][0] == 0:
        i, title, _ = candidates[0]
        return TitleChoice(i, title, page_title, tuple(page_lines))
    return TitleChoice(None, None, page_title, tuple(page_lines))
