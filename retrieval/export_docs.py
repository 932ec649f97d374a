"""The drafting basket's export: chosen passages or practices, each followed by its
citation (jurisdiction, title, year, source), as DOCX, Markdown or CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from corpus.store import CorpusStore, ReportRecord

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}


class ExportError(ValueError):
    pass


@dataclass
class ExportItem:
    kind: str  # passage | practice
    item_id: str
    text: str
    report: ReportRecord

    @property
    def citation(self) -> str:
        r = self.report
        where = " › ".join(r.jurisdiction_path or ([r.jurisdiction] if r.jurisdiction else []))
        return (
            f"——{where or '地区不详'}《{r.title or '无题'}》（{r.year or '年份不详'}），"
            f"来源：{Path(r.source).name}"
        )


def collect(store: CorpusStore, items: list[dict[str, str]]) -> list[ExportItem]:
    out = []
    for i, item in enumerate(items):
        if "passage_id" in item:
            p = store.get_passage(item["passage_id"])
            kind, iid, text, rid = "passage", item["passage_id"], p and p.text, p and p.report_id
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


def render(items: list[ExportItem], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ExportError(f"format must be one of {', '.join(FORMATS)}")
    if fmt == "md":
        parts = ["# 素材篮\n"]
        for n, it in enumerate(items, start=1):
            parts.append(f"{n}. {it.text.strip()}\n\n   {it.citation}\n")
        return "\n".join(parts).encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["序号", "类型", "编号", "内容", "地区", "标题", "年份", "来源", "出处"])
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
                    it.citation,
                ]
            )
        return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    import docx
    from docx.shared import Pt, RGBColor

    d = docx.Document()
    d.add_heading("素材篮", level=1)
    for it in items:
        d.add_paragraph(it.text.strip())
        cite = d.add_paragraph().add_run(it.citation)
        cite.italic = True
        cite.font.size = Pt(9)
        cite.font.color.rgb = RGBColor(0x65, 0x6D, 0x76)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
