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

from corpus.models import Passage, Section
from corpus.script import to_simplified

PRACTICE_ROLES = frozenset({"主要做法", "工作成效"})
MAX_PRACTICE_CHARS = 400
_NOT_ITEMS = frozenset({"preamble", "cue", "label"})

_UNITS = (
    "%|％|个百分点|万余元|余万元|万元|亿元|元|万人次|余人次|人次|万余人|万人|余人|余名|余户|余家|"
    "余个|余次|余场|余项|余条|余件|名|人|户|家|个|次|场|项|期|条|件|份|"
    "所|处|篇|万份|万册|册|平方米|小时|天|批|支|对|班|万张|张|届|座|台|辆|套"
)
FIGURE = re.compile(
    rf"(?P<ctx>[\u4e00-\u9fff“”]{{0,10}}?)(?P<num>\d+(?:\.\d+)?|[一二三四五六七八九十百千]+)"
    rf"\s*(?P<unit>{_UNITS})(?P<noun>[\u4e00-\u9fff]{{0,4}})"
)
# After a counting unit the next words say what was counted (资助258名贫困学生).
_COUNTING = frozenset("个家名人户项次场条件所处篇批期")
# Chinese numerals are only figures when they count something concrete.
_CN_NUM_UNITS = frozenset({"个", "家", "项", "次", "场", "名", "人", "户", "批", "期", "条", "件"})


@dataclass
class Practice:
    practice_id: str
    report_id: str
    passage_id: str | None
    ordinal: int
    text: str
    section_path: list[str]
    section_role: str
    start: int
    end: int
    figures: list[str] = field(default_factory=list)


def extract_figures(text: str) -> list[str]:
    """Stated figures with the few words that say what they measure: 签订率达85%, 资助258名.

    Matched on the simplified twin (so 萬, 處, 項 need no patterns of their own); the phrase
    returned is cut from the original text, which has the same offsets."""
    simp = to_simplified(text)
    out: list[str] = []
    for m in FIGURE.finditer(simp):
        num, unit = m.group("num"), m.group("unit")
        if not num[0].isdigit() and (
            unit not in _CN_NUM_UNITS
            or num == "一"
            or "“" in m.group("ctx")
            or simp[m.end() : m.end() + 1] == "”"
        ):
            continue  # quoted slogans (“三个代表”, “四个转变”) are not figures
        start = m.start("num") - len(m.group("ctx").lstrip("“”"))
        end = m.end() if unit[-1] in _COUNTING else m.end("unit")
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


def extract_practices(
    report_id: str, text: str, sections: list[Section], passages: list[Passage]
) -> list[Practice]:
    """Practices of one report, in document order, linked to the passage they start in."""
    out: list[Practice] = []
    for i, sec in enumerate(sections):
        if sec.marker in _NOT_ITEMS or sec.role not in PRACTICE_ROLES:
            continue
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        if nxt is not None and nxt.depth > sec.depth:
            continue  # has sub-items: they are the practices
        own_end = nxt.start if nxt is not None else len(text)
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
