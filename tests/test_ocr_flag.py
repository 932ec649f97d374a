"""Passages recognised by OCR are marked as such: in the pipeline, in the store (with the
schema migration), and in the API's search results and passage view."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus.models import Passage
from corpus.ocr_marks import mark_ocr_passages
from corpus.pipeline import ingest
from corpus.store import SCHEMA_VERSION, CorpusStore
from tests import format_inputs as F
from tests.conftest import DEMO

TYPED = (
    "一、主要做法\n我镇工会全面推行会员实名制管理，建立健全会员信息台账，"
    "全年新发展会员三百二十名，其中农民工会员一百八十名。"
)
SCANNED = (
    "二、存在问题\n部分非公企业工会组织活力不足，工会经费收缴率偏低，职工维权意识有待进一步增强。"
)


def _passage(text: str, start: int, end: int, ordinal: int) -> Passage:
    return Passage(
        passage_id=f"p{ordinal}",
        report_id="r",
        ordinal=ordinal,
        text=text[start:end],
        section_path=[],
        section_role="其他",
        start=start,
        end=end,
    )


def test_passages_from_recognised_text_are_marked() -> None:
    text = f"{TYPED}\n{SCANNED}"
    cut = len(TYPED) + 1
    passages = [_passage(text, 0, cut - 1, 0), _passage(text, cut, len(text), 1)]
    # The recognised text as OCR gives it: wrapped differently, traditional characters and
    # full-width punctuation the cleaner later normalises.
    recognised = (
        "二、存在問題\n部分非公企業工會組織活力不足，工會經費\n"
        "收繳率偏低，職工維權意識有待進一步增強。"
    )
    mark_ocr_passages(passages, text, recognised)
    assert [p.ocr for p in passages] == [False, True]
    mark_ocr_passages(passages, text, None)  # no OCR ran: nothing changes
    assert [p.ocr for p in passages] == [False, True]
    fresh = [_passage(text, 0, cut - 1, 0)]
    mark_ocr_passages(fresh, text, "无关的文字")
    assert fresh[0].ocr is False


def test_ocr_flag_stored_and_read_back(tmp_path: Path) -> None:
    text = f"{TYPED}\n{SCANNED}"
    with CorpusStore(tmp_path / "data") as store:
        ps = [_passage(text, 0, len(TYPED), 0), _passage(text, len(TYPED) + 1, len(text), 1)]
        ps[1].ocr = True
        with store.transaction():
            store.insert_passages(ps, [[], []])
        assert [p.ocr for p in store.passages_of("r")] == [False, True]
        assert store.get_passage("p1").ocr is True  # type: ignore[union-attr]


def test_version_2_store_gains_the_column_and_re_extracts_ocr_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with CorpusStore(data) as store:
        store.record_file("/a.pdf", "x", 1, "pdf+ocr", None, "ok", None, 1, 2)
        store.record_file("/b.txt", "y", 1, "txt", "utf-8", "ok", None, 1, 2)
        store.record_file("/c.zip", "z", 1, "zip", None, "ok", None, 1, 2)
    db = sqlite3.connect(data / "corpus.sqlite3")
    db.execute("ALTER TABLE passages DROP COLUMN ocr")  # as a version-2 store has it
    db.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    db.commit()
    db.close()
    with CorpusStore(data) as store:
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION) == "3"
        cols = {r[1] for r in store.db.execute("PRAGMA table_info(passages)")}
        assert "ocr" in cols
        assert store.file_shas(2).get("/b.txt") == "y"  # unchanged text file: not extracted again
        assert store.file_shas(2).get("/a.pdf") is None  # OCR'd and archive files are
        assert store.file_shas(2).get("/c.zip") is None


@pytest.mark.skipif(
    not F.SEEDS.is_dir() or not F.CJK_FONT.is_file(), reason="../shared seeds or CJK font missing"
)
def test_scanned_page_passages_marked_through_ingest(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    pytest.importorskip("pypdfium2")
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    scanned = "\n".join(F.wrap(F.seed_text(700), 30)[:24])
    # A typed page long enough to fill passages of its own before the scanned page.
    typed_lines = ["凤凰镇总工会2019年工作总结", "一、基本情况"] + [
        f"{cn}月份，全镇工会组织开展职工技能培训{3 + k}期，参训职工{120 + 17 * k}人次，"
        f"发放培训补贴{2 + k}万元。"
        for k, cn in enumerate("一二三四五六七八九十")
    ]
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    layer = tmp_path / "layer.pdf"
    c = canvas.Canvas(str(layer))
    c.setFont("STSong-Light", 10)
    for k, line in enumerate(typed_lines):
        c.drawString(40, 800 - 18 * k, line)
    c.save()
    writer = PdfWriter()
    for part in (layer, F.make_scanned_pdf(scanned, tmp_path)):
        for page in PdfReader(part).pages:
            writer.add_page(page)
    src = tmp_path / "src"
    src.mkdir()
    with (src / "mixed.pdf").open("wb") as f:
        writer.write(f)
    with CorpusStore(tmp_path / "data") as store:
        summary = ingest([src], store)
        assert summary.files_read == 1, summary.skipped
        passages = [p for r in store.iter_reports() for p in store.passages_of(r.report_id)]
    marked = [p for p in passages if p.ocr]
    plain = [p for p in passages if not p.ocr]
    assert marked and plain

    def typed_share(p: Passage) -> float:
        return sum(len(line) for line in typed_lines if line in p.text) / len(p.text)

    # A passage is marked exactly when most of it is scanned text.
    assert all(typed_share(p) < 0.5 for p in marked)
    assert all(typed_share(p) >= 0.5 for p in plain)


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    from api.app import create_app
    from api.settings import Settings
    from index.builder import refresh
    from index.config import IndexConfig

    data = tmp_path / "data"
    with CorpusStore(data) as store:
        ingest([DEMO / "sanhe.txt", DEMO / "liangzhu.txt"], store)
        (scan_id,) = [r.report_id for r in store.iter_reports() if "sanhe" in r.source]
        # The report stands for one whose pages were scans: its passages carry the mark the
        # pipeline sets after OCR (the OCR itself is tested above).
        with store.transaction():
            store.db.execute("UPDATE passages SET ocr=1 WHERE report_id=?", (scan_id,))
        refresh(store, IndexConfig())
    with TestClient(create_app(Settings(data=data))) as c:
        c.scan_id = scan_id  # type: ignore[attr-defined]
        yield c


def test_search_results_and_passage_view_carry_ocr(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "工会", "k": 20}).json()
    hits = body["results"]
    by_ocr = {h["ocr"] for h in hits}
    assert by_ocr == {True, False}, "both an OCR'd and a typed report should match 工会"
    for h in hits:
        assert h["ocr"] is (h["report"]["report_id"] == client.scan_id)  # type: ignore[attr-defined]
    scanned = next(h for h in hits if h["ocr"])
    view = client.get(f"/api/passages/{scanned['passage_id']}").json()
    assert view["passage"]["ocr"] is True
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "OCR" in schema["SearchHit"]["properties"]["ocr"]["description"]
