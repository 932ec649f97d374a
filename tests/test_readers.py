"""Every input format and encoding, made in the test; bad files are skipped with a reason."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from corpus.decode import decode_bytes, is_binary
from corpus.models import DecodedFile, SkippedFile
from corpus.readers import read_file

SIMP = "凤凰镇工会2019年工作总结\n一、主要做法\n我镇工会积极开展送温暖活动，慰问困难职工120户。"
TRAD = "鳳凰鎮工會2019年工作總結\n一、主要做法\n我鎮工會積極開展送溫暖活動，慰問困難職工120戶。"


@pytest.mark.parametrize(
    ("text", "encoding", "expect"),
    [
        (SIMP, "utf-8", "utf-8"),
        (SIMP, "utf-8-sig", "utf-8-sig"),
        (SIMP, "gbk", "gb18030"),
        (SIMP, "gb18030", "gb18030"),
        (TRAD, "big5", "big5"),
        (TRAD, "utf-16", "utf-16"),  # with BOM
        (SIMP, "utf-16-le", "utf-16-le"),  # without BOM
        (SIMP, "utf-16-be", "utf-16-be"),
    ],
)
def test_decode_encodings(text: str, encoding: str, expect: str) -> None:
    decoded, used = decode_bytes(text.encode(encoding))
    assert decoded.lstrip("\ufeff") == text
    assert used == expect


def test_binary_detection() -> None:
    assert is_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert not is_binary(SIMP.encode("utf-16"))
    assert not is_binary(SIMP.encode("gbk"))


def _read(path: Path) -> DecodedFile:
    doc = read_file(path)
    assert isinstance(doc, DecodedFile), doc
    return doc


def _skip_reason(path: Path) -> str:
    doc = read_file(path)
    assert isinstance(doc, SkippedFile), doc
    return doc.reason


def test_txt_big5(tmp_path: Path) -> None:
    p = tmp_path / "big5.txt"
    p.write_bytes(TRAD.encode("big5"))
    doc = _read(p)
    assert doc.text == TRAD and doc.encoding == "big5" and doc.format == "txt"


def test_docx_paragraphs_and_table(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("凤凰镇工会2019年工作总结")
    d.add_paragraph("一、主要做法")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "数量"
    table.cell(1, 0).text = "慰问困难职工"
    table.cell(1, 1).text = "120户"
    d.add_paragraph("二、存在问题")
    p = tmp_path / "report.docx"
    d.save(p)
    doc = _read(p)
    assert doc.format == "docx"
    lines = doc.text.split("\n")
    assert lines[:2] == ["凤凰镇工会2019年工作总结", "一、主要做法"]
    assert "慰问困难职工\t120户" in lines
    assert lines.index("慰问困难职工\t120户") < lines.index("二、存在问题")


def test_html_main_content_only(tmp_path: Path) -> None:
    body = "".join(f"<p>我镇工会积极开展第{i}项工作，取得明显成效。</p>" for i in range(8))
    html = f"""<html><head><title>凤凰镇工会2019年工作总结_范文网</title>
    <script>var x = 1;</script><style>.a{{}}</style></head><body>
    <div class="nav"><a href="/">首页</a> &gt; <a href="/a">总结</a></div>
    <article><h1>凤凰镇工会2019年工作总结</h1>{body}</article>
    <div class="related"><h3>相关文章</h3><ul><li><a href="/1">其他范文一</a></li>
    <li><a href="/2">其他范文二</a></li></ul></div>
    <footer>版权所有 范文网 联系我们</footer></body></html>"""
    p = tmp_path / "page.html"
    p.write_text(html, encoding="gbk")
    doc = _read(p)
    assert doc.format == "html" and doc.title_hint == "凤凰镇工会2019年工作总结"
    assert "第7项工作" in doc.text
    for noise in ("var x", ".a{", "其他范文一", "版权所有"):
        assert noise not in doc.text


def test_pdf_text_layer(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    p = tmp_path / "report.pdf"
    c = canvas.Canvas(str(p))
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(
        [
            "凤凰镇工会2019年工作总结",
            "一、主要做法：我镇工会积极开展送温暖活动，慰问困难职",
            "工共计120户，发放慰问金5万元。",
        ]
    ):
        c.drawString(50, 800 - 20 * i, line)
    c.save()
    doc = _read(p)
    assert doc.format == "pdf" and "慰问困难职" in doc.text


def test_wrongly_named_files_are_read_by_content(tmp_path: Path) -> None:
    text_as_docx = tmp_path / "notes.docx"
    text_as_docx.write_text(SIMP, encoding="utf-8")
    assert _read(text_as_docx).format == "txt"
    html_as_txt = tmp_path / "page.txt"
    html_as_txt.write_text("<html><body><p>" + SIMP + "</p></body></html>", encoding="utf-8")
    assert _read(html_as_txt).format == "html"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "no text content"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "unreadable image"),
        ("photo.gif", b"GIF89a", "unsupported file type .gif"),
        ("fake.jpg", b"just text", "not an image file"),
        ("fake.doc", b"\x00\x01\x02" * 300, "not a doc file"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type .xlsx"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 64, "not a docx file"),
        ("broken.pdf", b"%PDF-1.4\n%garbage", "unreadable pdf"),
        ("noext", b"abc", "unsupported file type (no extension)"),
    ],
)
def test_bad_files_are_skipped_with_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    assert reason in _skip_reason(p)


def test_missing_file_is_skipped(tmp_path: Path) -> None:
    assert "cannot read" in _skip_reason(tmp_path / "gone.txt")


def test_bom_is_not_kept(tmp_path: Path) -> None:
    p = tmp_path / "bom.txt"
    p.write_bytes(codecs.BOM_UTF8 + SIMP.encode())
    assert _read(p).text == SIMP


@pytest.mark.parametrize(
    ("text", "skipped"),
    [
        # keyword stuffing: thousands of union words and not one sentence mark
        (
            "".join(
                ("职工技能培训", "工会经费收缴", "农民工入会", "困难职工帮扶")[i % 4]
                for i in range(500)
            ),
            True,
        ),
        # the same words as sentences are a report
        ("职工技能培训成效明显，工会经费收缴到位。" * 300, False),
        # ASCII punctuation (OCR output, English-mode typing) is punctuation
        ("职工技能培训成效明显,工会经费收缴到位." * 300, False),
        # a short unpunctuated text (a heading, a title page) is left to the later stages
        ("工会工作总结" * 50, False),
        # sparse marks, still well above one per 400 characters: a table-heavy report
        (("工会会员数量统计表 " * 30 + "合计。") * 20, False),
    ],
)
def test_word_lists_are_not_reports(tmp_path: Path, text: str, skipped: bool) -> None:
    f = tmp_path / "doc.txt"
    f.write_text(text, encoding="utf-8")
    got = read_file(f)
    assert isinstance(got, SkippedFile) == skipped
    if skipped:
        assert isinstance(got, SkippedFile) and "not report prose" in got.reason
