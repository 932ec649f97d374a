"""Practices: the enumerated things a report says were done, each with the figures it states.

A practice is a *leaf* item of the heading hierarchy (一是…, 首先…, 1、…, （一）… with no
sub-items of its own; a top-level 一、… with no sub-items counts too) inside a 主要做法 or
工作成效 section. An item that has sub-items is a grouping, not a practice: its sub-items
are. The practice text is the item's own text, from its marker to the next item, capped at a
sentence boundary.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from corpus import segment
from corpus.models import Passage, ReportSpan, Section
from corpus.script import to_simplified

PRACTICE_ROLES = frozenset({"主要做法", "工作成效"})
MAX_PRACTICE_CHARS = 400
_NOT_ITEMS = frozenset({"preamble", "cue", "label", "para"})

_UNITS = (
    "%|％|个百分点|万余元|余万元|万元|亿元|元|万余人次|万人次|余人次|人次|余场次|场次|户次|批次|"
    "万余人|万人|余人|余名|余户|余家|"
    "余个|余次|余场|余项|余条|余件|名|人|户|家|个|次|场|项|期|条|件|份|"
    "所|处|篇|万份|万册|册|平方米|小时|天|批|支|对|班|万张|张|届|座|台|辆|套"
)
# A figure: up to MAX_CTX characters of context, a number (Arabic, or Chinese numerals) and
# a unit.
_CTX_CHAR = r"[\u4e00-\u9fff“”]"
MAX_CTX = 10
_CN_DIGITS = "一二三四五六七八九十百千"
_UNIT = rf"\s*(?P<unit>{_UNITS})"
FIGURE = re.compile(
    rf"(?P<ctx>{_CTX_CHAR}{{0,{MAX_CTX}}}?)(?P<num>\d+(?:\.\d+)?|[{_CN_DIGITS}]+){_UNIT}"
)
# FIGURE without its context: the same matches are found by searching for the number and
# unit and then taking the context back from there (_figures). FIGURE's lazy context is
# tried at every position of a text, up to 11 times each; this is tried once. The number
# is written to start with one character class (its first digit or numeral; the rest
# depends on which), so the regex engine jumps from numeral to numeral.
_NUM_UNIT = re.compile(
    rf"(?P<num>[\d{_CN_DIGITS}](?:(?<=\d)\d*(?:\.\d+)?|(?<!\d)[{_CN_DIGITS}]*)){_UNIT}"
)
# Up to MAX_CTX context characters that end where the number starts (\Z, not $, which
# would also match before a final newline).
_CTX_TAIL = re.compile(rf"{_CTX_CHAR}{{0,{MAX_CTX}}}\Z")
# After a counting unit the next words say what was counted (资助258名贫困学生).
_COUNTING = frozenset("个家名人户项次场条件所处篇批期")
# Chinese numerals are only figures when they count something concrete.
_CN_NUM_UNITS = frozenset({"个", "家", "项", "次", "场", "名", "人", "户", "批", "期", "条", "件"})
# A figure's phrase lives inside one clause.
_CLAUSE_MARKS = r"[，。；：、！？,;:!?（）()\s]"
_CLAUSE_END = re.compile(_CLAUSE_MARKS)
# Everything up to and including the last clause-ending character (greedy, then one step
# back at a time: linear in the window). It replaced a search for the clause's tail,
# "[^…]*$", which tried the rest of the window from every position in it.
_UP_TO_LAST_END = re.compile(rf"(?s:.*){_CLAUSE_MARKS}")
MAX_CLAUSE_SIDE = 40
# What was counted: the words after the unit up to the noun that heads them (返乡|农民工,
# 到期|的|企业), at most this many characters.
MAX_COUNTED = 10
# Parts of speech (jieba's dictionary tags) that make up a counted noun phrase.
_NOMINAL = ("n", "l", "j", "vn", "b", "ng", "nz", "an")
# Words that end a counted phrase although the dictionary calls them nouns (全部, 均).
_STOP_WORDS = frozenset({"全部", "全都", "均", "都", "共", "分别", "累计", "其中", "等", "各"})
# Words that close a figure and belong to it ("5万人以上").
_FIGURE_TAILS = frozenset({"以上", "左右", "以内", "以下", "多"})


@dataclass(kw_only=True)
class Practice(ReportSpan):
    practice_id: str
    passage_id: str | None  # the passage that holds it
    figures: list[str] = field(default_factory=list)


# jieba part-of-speech initials of words a figure's phrase does not start with: particles
# (的, 了, 地) and conjunctions (和, 并, 及).
_LEADING_DROPPED = frozenset("uc")


def _clause(simp: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around ``simp[start:end]``, looking at most MAX_CLAUSE_SIDE
    characters either side (enough to find the words that touch the figure)."""
    lo = max(0, start - MAX_CLAUSE_SIDE)
    # The clause starts after the last clause-ending character before ``start``; a newline
    # right before ``start`` does not count (the tail search this replaced matched "$"
    # before a final newline, and the stored output must not change).
    last = start - 1 if start > lo and simp[start - 1] == "\n" else start
    before = _UP_TO_LAST_END.match(simp, lo, last)
    m = _CLAUSE_END.search(simp, end, end + MAX_CLAUSE_SIDE)
    return (before.end() if before else lo), (
        m.start() if m else min(len(simp), end + MAX_CLAUSE_SIDE)
    )


@dataclass(frozen=True)
class _Figure:
    """A FIGURE match: its context, number and unit, and where the number and unit lie."""

    ctx: str
    num: str
    unit: str
    num_start: int
    end: int  # end of the unit, and of the match


def _figures(simp: str) -> list[_Figure]:
    """What ``FIGURE.finditer(simp)`` finds. A match starts at the leftmost position from
    which at most 10 context characters reach a number and unit; the first number and unit
    after the previous match is always the one reached (a later one could only be reached
    through it), so its context is the longest run of context characters before it, cut
    at 10 and at the previous match's end. tests/test_practices_themes.py compares both."""
    out: list[_Figure] = []
    pos = 0
    while m := _NUM_UNIT.search(simp, pos):
        q = m.start()
        ctx = _CTX_TAIL.search(simp, max(pos, q - MAX_CTX), q)
        out.append(_Figure(ctx.group() if ctx else "", m["num"], m["unit"], q, m.end()))
        pos = m.end()
    return out


def _figure_span(simp: str, m: _Figure, counting: bool) -> tuple[int, int]:
    """Start and end of a figure's phrase, both on word boundaries of its clause.

    The start moves back to the start of the word the context window cut into; after a
    counting unit the phrase runs on to the noun that says what was counted, so it keeps
    its subject (帮助112名返乡农民工, not 帮助112名返乡农民)."""
    ctx = m.ctx.lstrip("“”")
    start = m.num_start - len(ctx)
    unit_end = m.end
    cs, ce = _clause(simp, start, unit_end)
    if start > cs:  # the window may have cut into a word: move back to its start
        for _, ws, we in segment.words(simp[cs : m.num_start + len(m.num)]):
            if ws + cs <= start < we + cs:
                start = ws + cs
                break
    # Nor does it start on a particle or conjunction the window happened to begin with
    # (的单位实行按工资总额2% -> 单位实行按工资总额2%).
    for word, ws, _ in segment.words(simp[start : m.num_start]):
        if (segment.tag(word) or "n")[0] not in _LEADING_DROPPED:
            start += ws
            break
    end = unit_end
    if not counting:
        return start, end
    seen_noun = False
    # What follows the unit is segmented on its own: the unit may have been read into the
    # next word ("10601个村卫生室" gives 个村), which must not hide the counted noun.
    for word, ws, we in segment.words(simp[unit_end:ce]):
        ws, we = ws + unit_end, we + unit_end
        if not ("\u4e00" <= word[0] <= "\u9fff"):
            break
        if word in _FIGURE_TAILS and not seen_noun:
            return start, we
        if word in _STOP_WORDS or we - unit_end > MAX_COUNTED:
            break
        tag = segment.tag(word) or "n"
        nominal = tag.startswith(_NOMINAL)
        if seen_noun and (not nominal or tag == "vn"):
            break  # a verb (参赛, 开展) after the counted noun starts the predicate
        end = we
        seen_noun = seen_noun or nominal
    if not seen_noun:
        end = unit_end  # no noun came: "已有12家" says enough without the verb after it
    return start, end


def extract_figures(text: str) -> list[str]:
    """Stated figures with the words that say what they measure: 签订率达85%, 资助258名困难职工.

    Matched on the simplified twin (so 萬, 處, 項 need no patterns of their own); the phrase
    returned is cut from the original text, which has the same offsets. Phrases start and
    end on word boundaries (jieba), never inside a word."""
    simp = to_simplified(text)
    out: list[str] = []
    for m in _figures(simp):
        num, unit = m.num, m.unit
        if not num[0].isdigit() and (
            unit not in _CN_NUM_UNITS
            or num == "一"
            or "“" in m.ctx
            or simp[m.end : m.end + 1] == "”"
        ):
            continue  # quoted slogans (“三个代表”, “四个转变”) are not figures
        start, end = _figure_span(simp, m, unit[-1] in _COUNTING)
        phrase = text[start:end]
        if phrase not in out:
            out.append(phrase)
    return out


def _cap(text: str, start: int, end: int) -> int:
    if end - start <= MAX_PRACTICE_CHARS:
        return end
    cut = max(text.rfind(p, start, start + MAX_PRACTICE_CHARS) for p in "。；！？")
    return cut + 1 if cut > start else start + MAX_PRACTICE_CHARS


def practice_id(report_id: str, start: int, text: str) -> str:
    return hashlib.sha1(f"{report_id}\x1f{start}\x1f{text}".encode()).hexdigest()[:16]


def _heading_only(text: str, sec: Section, own_end: int) -> bool:
    """An item that is a heading with nothing under it ("（三）加强自身建设" followed at once
    by the next heading): no sentence of its own beyond the heading line."""
    title_end = max(sec.body_start, sec.start)
    rest = text[title_end:own_end].strip(" \t\r\n\u3000。；;，,：:")
    if rest:
        return False
    own = text[sec.start : own_end].strip()
    # A one-line item that ends its sentence ("2、推行会员实名制管理。") says something.
    return not own or own[-1] not in "。！？；;!?"


def extract_practices(
    report_id: str, text: str, sections: list[Section], passages: list[Passage]
) -> list[Practice]:
    """Practices of one report, in document order, linked to the passage they start in."""
    out: list[Practice] = []
    for i, sec in enumerate(sections):
        if sec.marker in _NOT_ITEMS or sec.role not in PRACTICE_ROLES:
            continue
        # Its own text runs to the next section of any kind (a problem or plan paragraph
        # inside it is not part of the practice); it is a grouping when a real item sits
        # under it.
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        has_items = False
        for later in sections[i + 1 :]:
            if later.depth <= sec.depth or later.marker == "para":
                break  # items after a problem or plan paragraph belong to that paragraph
            if later.marker not in _NOT_ITEMS:
                has_items = True
                break
        if has_items:
            continue  # has sub-items: they are the practices
        own_end = nxt.start if nxt is not None else len(text)
        if _heading_only(text, sec, own_end):
            continue
        end = _cap(text, sec.start, own_end)
        body = text[sec.start : end].strip()
        if len(body) < 8:
            continue
        start = sec.start + (len(text[sec.start : end]) - len(text[sec.start : end].lstrip()))
        passage = next((p for p in passages if p.start <= start < p.end), None)
        out.append(
            Practice(
                practice_id=practice_id(report_id, start, body),
                report_id=report_id,
                passage_id=passage.passage_id if passage else None,
                ordinal=len(out),
                text=body,
                section_path=list(sec.path),
                section_role=sec.role,
                start=start,
                end=start + len(body),
                figures=extract_figures(body),
            )
        )
    return out
