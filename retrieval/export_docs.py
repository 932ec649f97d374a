"""The drafting basket's export: chosen passages or practices, each followed by its
citation in the form drafters use, 发文单位《标题》（年份）, as DOCX (A4, a Chinese font,
the query and the export date on top), Markdown or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from corpus.script import to_simplified
from corpus.store import CorpusStore, ReportRecord

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


# Official documents are set in 仿宋 (body) and 宋体; Word substitutes what it lacks.
BODY_FONT = "仿宋"
HEADING_FONT = "宋体"


class ExportError(ValueError):
    pass


# A title that opens with its issuing body names it better than place + union type can
# (北仑区港务公司工会2020年工作总结 is the port company's union, not 北仑区企业工会): the
# body is the opening up to the first union or government word, when what follows starts
# the rest of a title (a year, 关于, a bracket, the kind of report, 开展…) and the opening
# holds no digit (2021年市总工会… has none to name).
_BODY_WORD = r"(?:工会委员会|工会联合会|联合工会|总工会|工会|人民政府|政府)"
_TITLE_BODY = re.compile(
    rf"^(?P<body>[^\d\s《“]{{2,30}}?{_BODY_WORD})"
    r"(?=\d|关于|[（(《“]|年度|上半年|下半年|开展|推进|工作(?:总结|报告|汇报|情况|计划|要点)|$)"
)


# A title opening with one of these opens with what it is about, not who wrote it
# (关于市政府工作报告的…, 贯彻落实省总工会…, 全省各级工会…, 我校工会…).
_NOT_A_BODY = (
    "关于",
    "在",
    "对",
    "贯彻",
    "落实",
    "学习",
    "全省",
    "全市",
    "全县",
    "全区",
    "各级",
    "我",
    "本",
)


def issuer_in_title(title: str | None) -> str | None:
    """The issuing body a title opens with (in the title's own script), or None."""
    if not title:
        return None
    simple = to_simplified(title)
    m = _TITLE_BODY.match(simple)
    if m is None or simple.startswith(_NOT_A_BODY):
        return None
    end = m.end("body")
    # t2s maps character for character here; a rare phrase conversion that changes the
    # length leaves the simplified form.
    return title[:end] if len(simple) == len(title) else simple[:end]


def issuer(r: ReportRecord) -> str:
    """The issuing body: as the title names it where that says more than the metadata (it
    names the report's place, or the metadata has none: 北仑区港务公司工会, not 北仑区企业
    工会; but 凤凰镇机关工会, not the title's 乡镇机关工会委员会), else place + union type
    (思礼镇 + 工会联合会), either alone, or 发文单位不详."""
    named = issuer_in_title(r.title)
    if named and (not r.jurisdiction or r.jurisdiction in to_simplified(named)):
        return named
    return f"{r.jurisdiction or ''}{r.org_type or ''}" or named or "发文单位不详"


def when(r: ReportRecord) -> str:
    """The year the report reviews, and when it was delivered where the text says so:
    '2013', '2013；2014年2月19日', '2018；2019年'."""
    year = str(r.year) if r.year else "年份不详"
    if r.date:
        y, m, d = (int(x) for x in r.date.split("-"))
        return f"{year}；{y}年{m}月{d}日"
    if r.year_delivered and r.year_delivered != r.year:
        return f"{year}；{r.year_delivered}年"
    return year


def citation(r: ReportRecord) -> str:
    """发文单位《标题》（年份；发布日期）."""
    return f"{issuer(r)}《{r.title or '无题'}》（{when(r)}）"


@dataclass
class ExportItem:
    kind: str  # passage | practice
    item_id: str
    text: str
    report: ReportRecord

    @property
    def citation(self) -> str:
        return "——" + citation(self.report)


def collect(store: CorpusStore, items: list[dict[str, str]]) -> list[ExportItem]:
    out = []
    for i, item in enumerate(items):
        if "passage_id" in item:
            p = store.get_passage(item["passage_id"])
            kind, iid = "passage", item["passage_id"]
            text, rid = (p.text, p.report_id) if p else (None, None)
        elif "practice_id" in item:
            found = store.practices_by_ids([item["practice_id"]]).get(item["practice_id"])
            kind, iid = "practice", item["practice_id"]
            text, rid = (found.text, found.report_id) if found else (None, None)
        else:
            raise ExportError(f"item {i + 1}: needs passage_id or practice_id")
        report = store.get_report(rid, with_text=False) if rid else None
        if text is None or report is None:
            raise ExportError(f"item {i + 1}: no {kind} {iid!r}")
        out.append(ExportItem(kind, iid, text, report))
    return out


def _header(query: str | None, today: dt.date) -> list[str]:
    lines = [f"检索词：{query}"] if query else []
    return [*lines, f"导出日期：{today.isoformat()}"]


def render(
    items: list[ExportItem], fmt: str, query: str | None = None, today: dt.date | None = None
) -> bytes:
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}")
    today = today or dt.date.today()
    if fmt == "md":
        parts = ["# 素材篮\n", *(f"{line}  " for line in _header(query, today)), ""]
        for n, it in enumerate(items, start=1):
            parts.append(f"{n}. {it.text.strip()}\n\n   {it.citation}\n")
        return "\n".join(parts).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            ["序号", "类型", "编号", "内容", "地区", "标题", "年份", "来源", "出处", "发文单位"]
        )
        for n, it in enumerate(items, start=1):
            r = it.report
            w.writerow(
                [
                    n,
                    it.kind,
                    it.item_id,
                    it.text,
                    r.jurisdiction or "",
                    r.title or "",
                    r.year or "",
                    Path(r.source).name,
                    citation(r),
                    issuer(r),
                ]
            )
        return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    return _docx(items, query, today)


def _set_font(style_or_run, name: str, size: float | None = None) -> None:  # type: ignore[no-untyped-def]
    """Latin and East Asian font both: python-docx's ``font.name`` sets only the Latin one,
    and Word would fall back to a Latin font for the Chinese text."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style_or_run.font.name = name
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)
    if size is not None:
        style_or_run.font.size = Pt(size)


def _docx(items: list[ExportItem], query: str | None, today: dt.date) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    d = docx.Document()
    for section in d.sections:  # A4 with the margins of Chinese official documents
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    _set_font(d.styles["Normal"], BODY_FONT, 14)
    for name in ("Title", "Heading 1"):
        _set_font(d.styles[name], HEADING_FONT)
    heading = d.add_heading("素材篮", level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in heading.runs:
        run.font.size = Pt(22)  # 二号, as titles of official documents
        run.font.color.rgb = RGBColor(0, 0, 0)
    for line in _header(query, today):
        run = d.add_paragraph().add_run(line)
        run.font.size = Pt(10.5)
        run.font.color.rgb = RGBColor(0x65, 0x6D, 0x76)
    for it in items:
        d.add_paragraph(it.text.strip())
        cite = d.add_paragraph().add_run(it.citation)
        cite.font.size = Pt(10.5)
        cite.font.color.rgb = RGBColor(0x65, 0x6D, 0x76)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
