"""When a report was delivered and which year's work it reviews.

A work report is delivered after the period it reviews: a congress report of March 2019
reviews 2018; a year-end summary of December 2019 reviews 2019. ``year`` is the year
reviewed, read from the strongest evidence the text gives, in this order:

1. a review heading or phrase that names the year (``一、2018年工作回顾``,
   ``2025年和“十四五”时期工作回顾``, ``2019年工作完成情况``);
2. the report's own title (``2021年工作总结及2022年工作计划``: the first year), unless the
   title names the session it was delivered at (a congress report titled with the year of
   its dateline, which then reviews the year before);
   then a first sentence that opens with a year (``2019年，在区委…``);
3. the year the report plans for (``2013年是…开局之年``, ``2004年主要任务``,
   ``2018年政府工作的建议``), minus one;
4. the delivery date with a relative phrase (``过去一年``, ``一年来``): early in the year
   it reviews the year before, late in the year the same year;
5. the first year the opening names.

``year_delivered`` and ``date`` come from a dateline (``——2019年3月4日在…会议上``) or a
signature date at the end. Page titles, upload dates and site dates never count: the caller
passes only the report's own title, and the cleaner has removed dated page furniture.
A five-year review (``过去五年``, ``“十四五”时期…回顾``) records ``review_period``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.defaults import YEAR_MAX, YEAR_MIN
from corpus.markers import cn_to_int

_Y = r"((?:19|20)\d\d)"
_CN_Y = r"([一二三四五六七八九〇零○]{4})"
_CN_DIGITS = dict(zip("〇零○一二三四五六七八九", "00012345678 9".replace(" ", ""), strict=False))


def _cn_year(s: str) -> int | None:
    digits = "".join(_CN_DIGITS.get(ch, "") for ch in s)
    return int(digits) if len(digits) == 4 else None


def _cn_num(s: str) -> int | None:
    return cn_to_int(s.replace("〇", "零"))


_DATE = re.compile(rf"{_Y}\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日")
_CN_DATE = re.compile(
    rf"{_CN_Y}年([一二三四五六七八九十]{{1,2}})月([一二三四五六七八九十]{{1,3}})日"
)
_DATELINE_CONTEXT = re.compile(r"在.{2,60}?(?:会议|大会|会上|座谈会|报告会)|^[—\-－–─（(]")
_REVIEW = re.compile(
    rf"{_Y}年[^，。；\n]{{0,16}}?(?:工作)?回顾|(?:回顾|报告|总结)\s*{_Y}年"
    rf"|{_Y}年(?:度)?(?:的)?(?:主要)?工作(?:总结|情况|完成情况|成效|开展情况)"
)
_PLAN = re.compile(
    rf"{_Y}年(?:是[^，。；\n]{{0,30}}?(?:开局|起步|关键|决胜|收官|攻坚|冲刺)之年"
    rf"|(?:的)?(?:主要)?(?:政府)?工作(?:的)?(?:总体要求|主要任务|建议|安排|打算|思路|重点)"
    rf"|主要任务|(?:工作)?(?:要点|计划)|(?:的)?(?:主要)?(?:政府)?工作(?=[ \t]*(?:\n|$)))"
)
# "2019年，在区委…" / "2015年以来，…": the first sentence names the year it speaks of.
_LEAD_YEAR = re.compile(rf"^[^。\n]{{0,20}}?{_Y}\s*年(?:度)?(?:[，,]|以来|来|是|中|里|上半年)")
_YEARLESS_REVIEW = re.compile(
    r"(?:过去(?:的)?一年|一年来|上一?年|去年|年度)[^。\n]{0,10}(?:工作)?回顾[^。\n]{0,6}\n"
)
_RELATIVE = re.compile(r"过去(?:的)?一年|一年来|去年|过去五年|五年来|本届政府")
_FIVE_YEARS = re.compile(r"过去五年|五年来|本届政府(?:任期|履职)")
_PLAN_PERIOD = re.compile(r"“?十([一二三四五六七八九])五”?(?:时期|期间|以来)")
_TITLE_YEAR = re.compile(rf"{_Y}\s*年?(?!\d)")
_OPENING_YEAR = re.compile(rf"(?<![\d.]){_Y}\s*年(?!代)")
_CN_OPENING_YEAR = re.compile(rf"{_CN_Y}年")
_SUMMARY_TITLE = re.compile(r"总结|自查|调研|调查|汇报|述职|情况")
OPENING = 400
REVIEW_SCAN = 3000


@dataclass(frozen=True)
class DateInfo:
    year: int | None
    year_delivered: int | None = None
    date: str | None = None  # ISO yyyy-mm-dd when the text states a full date
    review_period: str | None = None  # "2021-2025" for a five-year review
    evidence: str = ""


def _plan_period(n_cn: str) -> tuple[int, int] | None:
    """Five-year plan number → its years (the third plan, 1966-1970, onwards)."""
    n = 10 + (_cn_num(n_cn) or 0)
    if n < 3:
        return None
    start = 1966 + 5 * (n - 3)
    return start, start + 4


def _ok(y: int | None) -> int | None:
    return y if y is not None and YEAR_MIN <= y <= YEAR_MAX else None


def delivery_date(body: str) -> tuple[int | None, str | None]:
    """(year, ISO date) from a dateline near the start or a signature date at the end."""
    head = body[:600]
    for m in _DATE.finditer(head):
        line_start = head.rfind("\n", 0, m.start()) + 1
        before = head[line_start : m.start()]
        after = head[m.end() : m.end() + 70]
        # A dateline: "在…会议上" follows, or the date stands alone on its line.
        alone = re.fullmatch(r"[\s—\-－–─（(]*", before) and re.match(
            r"\s*[)）]?\s*(?:\n|$)", after
        )
        if _DATELINE_CONTEXT.search(after) or alone:
            return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    tail = body[-120:].rstrip()
    for pattern, conv in ((_DATE, int), (_CN_DATE, None)):
        last = None
        for last in pattern.finditer(tail):  # noqa: B007 - the last match is wanted
            pass
        if last is not None and len(tail) - last.end() <= 2:
            if conv is int:
                return _iso(int(last.group(1)), int(last.group(2)), int(last.group(3)))
            y = _cn_year(last.group(1))
            mo, d = _cn_num(last.group(2)), _cn_num(last.group(3))
            if y and mo and d:
                return _iso(y, mo, d)
    return None, None


def _iso(y: int, mo: int, d: int) -> tuple[int | None, str | None]:
    if not _ok(y):
        return None, None
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return y, f"{y:04d}-{mo:02d}-{d:02d}"
    return y, None


def _first_year(m: re.Match[str]) -> int | None:
    return _ok(next(int(g) for g in m.groups() if g))


def find_dates(title: str, title_is_page_title: bool, body: str) -> DateInfo:
    """All inputs simplified; ``body`` is the report text after its title line."""
    delivered, date = delivery_date(body)
    month = int(date[5:7]) if date else None
    scan = body[:REVIEW_SCAN]
    year: int | None = None
    evidence = ""
    m = _REVIEW.search(scan)
    if m:
        year, evidence = _first_year(m), "review heading"
    else:
        # "一、过去一年工作回顾" then "2011年是…的一年": the review names its year at once.
        h = _YEARLESS_REVIEW.search(scan)
        y = _OPENING_YEAR.search(scan, h.end(), h.end() + 60) if h else None
        if y:
            year, evidence = _ok(int(y.group(1))), "review section"
    own_title = "" if title_is_page_title else title
    t = _TITLE_YEAR.search(own_title)
    if year is None and t:
        ty = _ok(int(t.group(1)))
        if ty is not None and ty == delivered and not _SUMMARY_TITLE.search(own_title):
            # "2026年政府工作报告" delivered in 2026: named for its session.
            year, evidence = ty - 1, "title names the session"
        else:
            year, evidence = ty, "title"
    if year is None:
        o = _LEAD_YEAR.match(body.lstrip()[:60])
        if o:
            year, evidence = _ok(int(o.group(1))), "first sentence"
    if year is None:
        for p in _PLAN.finditer(body):
            quote = body[max(0, p.start() - 20) : p.start()]
            if quote.rfind("《") > quote.rfind("》"):
                continue  # a document's name (《2015年工作要点》), not this report's plan
            py = _first_year(p)
            year, evidence = (py - 1 if py else None), "plans for the next year"
            break
    if year is None and delivered is not None:
        early = month is None or month <= 6
        if _RELATIVE.search(scan) and early:
            year, evidence = delivered - 1, "delivered early in the next year"
        else:
            year, evidence = delivered, "delivery date"
    if year is None:
        o = _OPENING_YEAR.search(body[:OPENING])
        if o:
            year, evidence = _ok(int(o.group(1))), "opening"
        else:
            c = _CN_OPENING_YEAR.search(body[:OPENING])
            if c:
                year, evidence = _ok(_cn_year(c.group(1))), "opening"
    return DateInfo(year, delivered, date, _review_period(scan, year), evidence)


def _review_period(scan: str, year: int | None) -> str | None:
    for m in _PLAN_PERIOD.finditer(scan):
        window = scan[m.start() : m.end() + 20]
        if re.search(r"回顾|成就|主要工作|工作|发展", window):
            span = _plan_period(m.group(1))
            if span and (year is None or span[0] <= year <= span[1] + 1):
                return f"{span[0]}-{span[1]}"
    if year is not None and _FIVE_YEARS.search(scan[:1500]):
        return f"{year - 4}-{year}"
    return None
