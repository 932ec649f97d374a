"""Per-report metadata read from the text itself. Every value is either found or null."""

from __future__ import annotations

import re

from corpus.dates import find_dates
from corpus.gazetteer import Gazetteer
from corpus.jurisdiction import resolve_jurisdiction, self_level
from corpus.lexicon import PAPER_LABELS, cue_table
from corpus.models import ReportMeta
from corpus.script import detect_script, to_simplified

OPENING_CHARS = 300

# Superior bodies named in an opening ("根据市总工会的要求") are not the report's own organisation.
_SUPERIOR_BEFORE = re.compile(r"(?:上级|根据|按照|在|省|全国|中华全国)[^，。]{0,8}$")

_PAPER_CUES = re.compile(PAPER_LABELS)
_TITLE_LABEL = re.compile(r"^(做法|经验|经验做法|典型经验|经验交流|调研报告|调查报告)：")


def title_label(title: str) -> tuple[str, str | None]:
    """'做法：标题' -> ('标题', '做法'): a category label printed before the title."""
    m = _TITLE_LABEL.match(to_simplified(title))
    if m:
        return title[m.end() :].strip(), m.group(1)
    return title, None


def find_org_type(title: str, opening: str) -> str | None:
    for region, skip_superior in ((title, False), (opening, True)):
        hits = []
        for name, pattern in cue_table("org_type"):
            for m in pattern.finditer(region):
                if skip_superior and _SUPERIOR_BEFORE.search(region[: m.start()]):
                    continue
                hits.append((m.start(), -len(m.group()), name))
                break
        if hits:
            return min(hits)[2]
    return None


def find_doc_type(
    title: str, label: str | None, body: str, title_is_page_title: bool = False
) -> str | None:
    """From the title (the earliest doc-type word: 工作总结及工作计划 is a 总结), else from
    how the opening announces itself (现将…总结如下, 向大会报告工作, 自查)."""
    if len(set(_PAPER_CUES.findall(body[:3000]))) >= 1 and re.search(
        r"关[键健]词|摘\s*要", body[:600]
    ):
        return "论文"
    from_title = None
    for region in (label or "", title):
        hits = [
            (m.start(), k, name)
            for k, (name, p) in enumerate(cue_table("title_doc_type"))
            if (m := p.search(region))
        ]
        if hits:
            from_title = min(hits)[2]
            break
    opening = body[:800]
    from_body = None
    for name, pattern in cue_table("body_doc_type"):
        if pattern.search(opening):
            from_body = name
            break
    if title_is_page_title and from_body in ("自查报告", "调研报告", "述职报告"):
        return from_body  # a compilation's page title names the genre, not this report
    return from_title or from_body


def extract_metadata(
    title: str | None,
    title_is_page_title: bool,
    body: str,
    gaz: Gazetteer,
) -> ReportMeta:
    """``body`` is the report text after its title line, in its original script."""
    evidence: dict[str, str] = {}
    label = None
    if title:
        title, label = title_label(title)
    t_simp = to_simplified(title or "")
    b_simp = to_simplified(body)
    opening = b_simp[:OPENING_CHARS]
    # A page title shared by a whole compilation says nothing about one report's place/level.
    own_title = "" if title_is_page_title else t_simp
    level = self_level(own_title, opening, b_simp, t_simp if title_is_page_title else "")
    jur = resolve_jurisdiction(own_title, opening, b_simp, level, gaz)
    evidence["jurisdiction"] = jur.evidence
    if jur.kind and level not in ("enterprise", "agency"):
        level = jur.kind
    doc_type = find_doc_type(t_simp, label, b_simp, title_is_page_title)
    announced = doc_type in ("自查报告", "调研报告", "述职报告")
    if title_is_page_title and announced and find_doc_type(t_simp, label, "") != doc_type:
        # A 范文 page files a 自查报告 under "总工会工作报告": its heading is not this
        # report's title.
        title = None
    dates = find_dates(t_simp, title_is_page_title, b_simp)
    evidence["year"] = dates.evidence
    return ReportMeta(
        title=title or None,
        jurisdiction=jur.name,
        jurisdiction_path=jur.path,
        level=level,
        org_type=find_org_type(own_title, opening),
        year=dates.year,
        doc_type=doc_type,
        script=detect_script(body, b_simp),
        evidence=evidence,
        year_delivered=dates.year_delivered,
        date=dates.date,
        review_period=dates.review_period,
    )
