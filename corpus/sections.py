"""Heading hierarchy and section roles of one report.

Markers (一、 / （一） / 1、 / 1. / (1) / 一是 / 首先…) are found at line starts and, when a
report was flattened into one long line, inline after punctuation or a space. An inline
marker only counts when it continues its numbering (二、 after 一、), which keeps phrases like
"三、四中全会" out. Nesting follows the order in which marker kinds appear, as a reader would:
the first kind seen is the top level, a new kind opens a child level, a kind already open
closes everything below it. Items (一是, 首先) always nest under the heading they appear in.

Tail paragraphs after the last heading that open with "存在…不足" or "下一步/今后…将" get a
section of their own, so a closing 存在问题 paragraph is not filed under the last 做法 heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.markers import ITEM_KINDS, marker_number, match_marker
from corpus.models import Section

INLINE_AFTER = set("。！？；;：:，, \n")
_TITLE_END_HEADING = re.compile(r"[。！？；\n]| (?=\S)")
_TITLE_END_ITEM = re.compile(r"[，。；：！？,;:\n ]")
MAX_TITLE = 60

ROLE_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "存在问题",
        re.compile(r"存在|问题|不足|差距|薄弱|短板|面临.{0,4}困难"),
    ),
    ("原因分析", re.compile(r"原因|成因")),
    (
        "下一步打算",
        re.compile(
            r"下一步|打算|计划|今后|明年|工作思路|工作安排|要点|建议|对策|展望|设想|目标任务|努力方向"
        ),
    ),
    (
        "工作成效",
        re.compile(r"成效|成绩|(?:工作|主要|取得的?)成果|^.{0,6}成果|效果|成就|亮点|收获"),
    ),
    ("基本情况", re.compile(r"基本情况|概况|总体情况|现状|情况介绍")),
    ("主要做法", re.compile(r"做法|措施|举措|工作情况|主要工作|经验")),
]
STRONG_ROLES = {"存在问题", "原因分析", "下一步打算", "工作成效"}

PROBLEM_CUE = re.compile(r"(?:存在|还有)[着的]?.{0,6}(?:问题|不足|差距|薄弱|困难)")
PLAN_CUE = re.compile(
    r"^(?:下一步|今后|在今后的工作中|新的一年|明年|(?:19|20)\d\d年(?:[^，。]{0,6})?(?:将|要)|"
    r"(?:我们)?将(?:继续|进一步))"
)
LABEL_LINE = re.compile(r"^(?:摘\s*要|关[键健]词|中图分类号|文献标识码|参考文献|文献引用|参考资料)")


@dataclass
class _Hit:
    kind: str
    number: int
    pos: int
    end: int  # end of the marker itself
    line_start: bool
    role: str | None = None


# "解决职工反映的突出问题" is a thing done, not a problem found.
_SOLVING = re.compile(r"(?:解决|化解|协调|处理|帮助|破解).{0,10}(?:问题|困难)")


def role_of_title(title: str) -> str | None:
    for role, pattern in ROLE_RULES:
        if role == "存在问题" and _SOLVING.search(title) and "存在" not in title:
            continue
        if pattern.search(title):
            return role
    return None


def _heading_title(simp: str, hit: _Hit) -> int:
    """End offset of the heading title that starts at ``hit.pos``."""
    if hit.kind in ITEM_KINDS or hit.kind in ("cue", "label"):
        m = _TITLE_END_ITEM.search(simp, hit.end, hit.end + MAX_TITLE)
        return m.start() if m else min(len(simp), hit.end + 30)
    m = _TITLE_END_HEADING.search(simp, hit.end, hit.end + 200)
    end = m.start() if m else min(len(simp), hit.end + MAX_TITLE)
    if end - hit.pos > 40:
        comma = simp.find("，", hit.end, end)
        end = comma if comma > 0 else min(end, hit.pos + MAX_TITLE)
    return end


def _find_hits(simp: str, begin: int) -> list[_Hit]:
    hits = []
    n = len(simp)
    i = begin
    while i < n:
        if i == begin or simp[i - 1] in INLINE_AFTER:
            found = match_marker(simp, i)
            if found:
                kind, m = found
                number = marker_number(kind, m.group("n"))
                if number is not None:
                    line_start = i == begin or simp[i - 1] == "\n"
                    hits.append(_Hit(kind, number, i, m.end(), line_start))
                    i = m.end()
                    continue
        i += 1
    return hits


def _accept(hits: list[_Hit]) -> list[tuple[_Hit, int]]:
    """Keep hits that fit the numbering; return them with their depth (1 = top)."""
    stack: list[_Hit] = []
    top_kind: str | None = None
    out: list[tuple[_Hit, int]] = []
    for hit in hits:
        pseudo = hit.kind in ("cue", "label")
        if pseudo:
            stack = [hit]
            out.append((hit, 1))
            continue
        if hit.line_start and hit.kind in ITEM_KINDS:
            # Items that started inside an earlier paragraph end with that paragraph.
            while stack and stack[-1].kind in ITEM_KINDS and not stack[-1].line_start:
                stack.pop()
        kinds = [h.kind for h in stack]
        if (
            stack
            and stack[0].kind in ("cue", "label")
            and hit.kind not in ITEM_KINDS
            and (top_kind is None or hit.kind == top_kind)
        ):
            stack = []
            kinds = []
        if hit.kind in kinds:
            idx = kinds.index(hit.kind)
            prev = stack[idx].number
            # Inline markers must continue the numbering; items may skip one number (七是
            # after 五是 happens in real reports), headings may not (三、四中全会).
            step_ok = hit.number == prev + 1 or (hit.kind in ITEM_KINDS and hit.number == prev + 2)
            if not hit.line_start and not step_ok and not (hit.kind == "seq" and hit.number == 99):
                continue
            stack = [*stack[:idx], hit]
        else:
            if not hit.line_start and hit.number != 1:
                continue
            if hit.kind not in ITEM_KINDS:
                while stack and stack[-1].kind in ITEM_KINDS:
                    stack.pop()
            stack.append(hit)
        if top_kind is None and hit.kind not in ITEM_KINDS:
            top_kind = stack[0].kind if stack[0].kind not in ("cue", "label") else hit.kind
        out.append((hit, len(stack)))
    return out


def _tail_cues(simp: str, begin: int, after: int) -> list[_Hit]:
    """Paragraphs after the last heading that open a 存在问题 or 下一步打算 passage."""
    cues = []
    pos = begin
    for line in simp[begin:].split("\n"):
        if pos > after and not match_marker(line):
            head = line[:50]
            role = None
            if PLAN_CUE.search(head):
                role = "下一步打算"
            elif PROBLEM_CUE.search(head):
                role = "存在问题"
            if role and (not cues or cues[-1].role != role):
                cues.append(_Hit("cue", 0, pos, pos, True, role))
        pos += len(line) + 1
    return cues


def _labels(simp: str, begin: int) -> list[_Hit]:
    out = []
    pos = begin
    for line in simp[begin:].split("\n"):
        m = LABEL_LINE.match(line)
        if m:
            out.append(_Hit("label", 0, pos, pos + m.end(), True, "其他"))
        pos += len(line) + 1
    return out


def parse_sections(text: str, simp: str, begin: int = 0) -> list[Section]:
    """Sections of ``text[begin:]`` in document order; ``simp`` is its simplified twin."""
    hits = _find_hits(simp, begin)
    heading_hits = [h for h in hits if h.kind not in ITEM_KINDS]
    last_heading = max((h.pos for h in heading_hits), default=begin - 1)
    extra = _tail_cues(simp, begin, last_heading) + _labels(simp, begin)
    first_heading = min((h.pos for h in heading_hits), default=None)
    if first_heading is not None:
        # Items before the first heading are part of the preamble, not sections of their own.
        hits = [h for h in hits if h.kind not in ITEM_KINDS or h.pos > first_heading]
    hits = sorted(hits + extra, key=lambda h: h.pos)
    accepted = _accept(hits)
    sections: list[Section] = []
    first = accepted[0][0].pos if accepted else len(text)
    if simp[begin:first].strip():
        sections.append(Section("", "preamble", 1, begin, first, begin, "基本情况", ()))
    path_stack: list[Section] = []
    for hit, depth in accepted:
        title_end = _heading_title(simp, hit)
        title = text[hit.pos : title_end].strip()
        if hit.kind == "cue":
            top = next((x for x in reversed(sections) if x.depth == 1), None)
            if top is not None and top.role == hit.role:
                continue  # already inside a section of that role
            title = ""
        while path_stack and path_stack[-1].depth >= depth:
            path_stack.pop()
        parent = path_stack[-1] if path_stack else None
        if hit.role:
            role = hit.role
        elif hit.kind in ITEM_KINDS and parent is not None:
            role = parent.role
        else:
            own = role_of_title(simp[hit.pos : title_end])
            if parent is None:
                role = own or "主要做法"
            else:
                role = own if own in STRONG_ROLES else parent.role
        path = (*parent.path, title) if parent else ((title,) if title else ())
        sec = Section(title, hit.kind, depth, hit.pos, len(text), title_end, role, path)
        sections.append(sec)
        path_stack.append(sec)
    # A section ends where the next section at the same or a shallower depth begins.
    for i, sec in enumerate(sections):
        for later in sections[i + 1 :]:
            if later.depth <= sec.depth:
                sec.end = later.start
                break
    return sections
