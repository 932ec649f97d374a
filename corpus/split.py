"""Split a cleaned file into its reports.

Compilations mark reports with ``第一篇：标题`` lines or with ``标题第1篇`` / ``标题范文第3篇``
lines (where the title is the page's, shared by all pieces). Inside any piece, a title line
that follows a body and is followed by one starts a new report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.lexicon import ORG_OR_PLACE, SENTENCE_PUNCT
from corpus.markers import COMPILATION_MARKER_AFTER, COMPILATION_MARKER_BEFORE, starts_with_marker
from corpus.script import to_simplified
from corpus.titles import (
    HEAD_SCAN,
    LABEL_LINE,
    choose_title,
    collapse_spacing,
    is_compilation_title,
    split_glued_title,
    strip_compilation,
)

TITLE_WORDS = re.compile(
    r"总结|报告|汇报|做法|经验|材料|计划|要点|调研|自查|讲话|发言|述职|情况|建设|工作"
)
_TRAILING_PUNCT = re.compile(r"[，、：；,:;]$")
# Front-matter labels of papers are never titles.
_TITLE_NOISE = re.compile(r"\s*(?:[\[【（(]范文[\]】）)]|范文)\s*$")
MIN_SPLIT_BODY = 200
_DIGITS = re.compile(r"\d+")


@dataclass
class Segment:
    """The lines of one report plus what the compilation said about it."""

    lines: list[str]
    marker_title: str | None = None
    marker_title_is_page_title: bool = False
    has_own_title: bool = False  # lines[0] is the report's own title line
    page_title: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def clean_title(title: str) -> str:
    return _TITLE_NOISE.sub("", title.strip()).strip(" ：:")


def is_title_line(line: str, strict: bool = False) -> bool:
    """A line that reads like a report title: short, no sentence punctuation, not a heading."""
    s = to_simplified(line.strip())
    if not 4 <= len(s) <= 60 or SENTENCE_PUNCT.search(s) or _TRAILING_PUNCT.search(s):
        return False
    if starts_with_marker(s) or LABEL_LINE.match(s):
        return False
    if "，" in s and len(s) > 30:
        return False
    if strict:
        return bool(re.search(r"(?:总结|报告|汇报|材料|做法|经验)$", s) and ORG_OR_PLACE.search(s))
    return True


_N = "\\d一二三四五六七八九十"
# Further piece markers of compilation pages: "第1篇 标题", "篇一：标题" (the piece's own
# title follows), "标题【第一篇】", "标题 篇1", "标题1" (the page title, numbered).
_PIECE_BEFORE = re.compile(
    rf"^(?:第\s*[{_N}]{{1,3}}\s*篇\s*|篇[{_N}]{{1,3}}\s*[:：]\s*)(?P<title>[^\s：:]\S.*)$"
)
_PIECE_AFTER = re.compile(
    rf"^(?P<title>.{{2,60}}?)\s*(?:[【\[（(]\s*第?[{_N}]{{1,3}}篇\s*[】\]）)]|篇\s*[{_N}]{{1,3}}"
    rf"|(?<=总结|报告|计划|汇报|材料)\s*(?P<n>\d{{1,2}}))$"
)


def _marker(line: str) -> tuple[str, bool] | None:
    """(title, title_is_page_title) when ``line`` is a compilation marker."""
    s = line.strip()
    if "篇" not in s and not s[-1:].isdigit():
        return None  # every compilation marker names a 篇 or numbers its piece
    m = COMPILATION_MARKER_BEFORE.match(s) or _PIECE_BEFORE.match(s)
    if m and not SENTENCE_PUNCT.search(m.group("title")):
        title = clean_title(m.group("title"))
        # "第一篇：某某工作报告(精选)": the page's title, not the piece's.
        return strip_compilation(title), is_compilation_title(to_simplified(title))
    m = COMPILATION_MARKER_AFTER.match(s) or _PIECE_AFTER.match(s)
    if m and not SENTENCE_PUNCT.search(m.group("title")):
        if m.groupdict().get("n") and int(m.group("n")) > 30:
            return None
        return strip_compilation(clean_title(collapse_spacing(m.group("title")))), True
    return None


def _split_on_titles(seg: Segment) -> list[Segment]:
    """Cut a piece where a strict title line follows enough body and precedes enough body."""
    cuts = [0]
    body_since = 0
    for i, line in enumerate(seg.lines):
        if i > cuts[-1] and body_since >= MIN_SPLIT_BODY and is_title_line(line, strict=True):
            rest = sum(len(x) for x in seg.lines[i + 1 :])
            if rest >= MIN_SPLIT_BODY:
                cuts.append(i)
                body_since = 0
                continue
        body_since += len(line)
    if len(cuts) == 1:
        return [seg]
    out = []
    for k, start in enumerate(cuts):
        end = cuts[k + 1] if k + 1 < len(cuts) else len(seg.lines)
        lines = seg.lines[start:end]
        if k == 0:
            out.append(
                Segment(
                    lines,
                    seg.marker_title,
                    seg.marker_title_is_page_title,
                    seg.has_own_title,
                    seg.page_title,
                )
            )
        else:
            out.append(Segment(lines, None, False, True, seg.page_title))
    return out


def _split_title_prefix(line: str) -> list[str]:
    """A report flattened into one line starts with its title and a space."""
    head, sep, rest = line.partition(" ")
    if sep and len(line) > 120 and len(head) <= 60 and is_title_line(head, strict=True):
        return [head, rest]
    return [line]


def split_reports(text: str, title_hint: str | None = None) -> list[Segment]:
    lines = [line for line in text.split("\n") if line.strip()]
    markers = [(i, m) for i, line in enumerate(lines) if (m := _marker(line))]
    segments: list[Segment] = []
    if markers:
        preamble = lines[: markers[0][0]]
        titles = [x for x in preamble if is_title_line(x)]
        page_title = (
            strip_compilation(clean_title(collapse_spacing(titles[-1]))) if titles else title_hint
        )
        for k, (i, (title, is_page)) in enumerate(markers):
            end = markers[k + 1][0] if k + 1 < len(markers) else len(lines)
            body = lines[i + 1 : end]
            if not body:
                continue
            segments.append(Segment(body, title or page_title, is_page, False, page_title))
    else:
        segments.append(Segment(lines, None, False, False, title_hint))
    out: list[Segment] = []
    for seg in segments:
        if seg.lines:
            seg.lines[:1] = _split_title_prefix(seg.lines[0])
            head = [part for x in seg.lines[:HEAD_SCAN] for part in split_glued_title(x)]
            seg.lines[:HEAD_SCAN] = head
        choice = choose_title(seg.lines)
        if (
            choice.index is not None
            and choice.title
            and seg.marker_title
            and not seg.marker_title_is_page_title
            and _DIGITS.sub("", choice.title) == _DIGITS.sub("", seg.marker_title)
        ):
            # The piece's marker named it; the line below repeats it with another year
            # (an SEO variant): the marker's own title stands.
            seg.lines = seg.lines[choice.index + 1 :]
            out.extend(_split_on_titles(seg))
            continue
        if choice.index is not None and len(seg.lines) > choice.index + 1:
            # Lines above the title are the page's (its title, labels), not the report's.
            seg.lines = [choice.title or seg.lines[choice.index], *seg.lines[choice.index + 1 :]]
            seg.has_own_title = True
        elif choice.page_title and not seg.marker_title:
            seg.marker_title, seg.marker_title_is_page_title = choice.page_title, True
        if choice.index is None:
            seg.lines = [x for x in seg.lines if x not in choice.page_lines]
        out.extend(_split_on_titles(seg))
    return [s for s in out if sum(len(x) for x in s.lines) >= 20]
