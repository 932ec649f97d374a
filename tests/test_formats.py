"""The office formats, each made in the test from a seed text, read back with character
accuracy measured against the source (>= 99% converted formats, >= 97% OCR at 200 dpi)."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from corpus.limits import ReadLimits
from corpus.models import DecodedFile, SkippedFile
from corpus.readers import read_documents, read_file
from corpus.readers_ocr import Box, layout_text
from tests import format_inputs as F
from tests.conftest import shared_dir


@pytest.fixture(autouse=True, scope="module")
def _seeds() -> None:
    """Every input here is made from a seed text: fails under CI when the seeds are missing."""
    shared_dir(F.SEEDS, "seed corpus")


def _has_ocr() -> bool:
    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return F.CJK_FONT.is_file()


needs_soffice = pytest.mark.skipif(
    not shutil.which("soffice"), reason="LibreOffice (soffice) makes the .doc input"
)
needs_catdoc = pytest.mark.skipif(not shutil.which("catdoc"), reason="catdoc not installed")
needs_ocr = pytest.mark.skipif(
    not _has_ocr(), reason="rapidocr-onnxruntime, pypdfium2 or the CJK font missing"
)


@pytest.fixture(scope="module")
def seed() -> str:
    return F.seed_text(1200)


def _read(path: Path, limits: ReadLimits | None = None) -> DecodedFile:
    doc = read_file(path, limits or ReadLimits())
    assert isinstance(doc, DecodedFile), doc
    return doc


@needs_soffice
@needs_catdoc
@pytest.mark.parametrize("name", ["seed.doc", "seed.wps"])
def test_doc_and_wps(tmp_path: Path, seed: str, name: str) -> None:
    # Kingsoft WPS saves .wps in the Word 97 binary format; the test file is LibreOffice's.
    path = F.make_doc(seed, tmp_path, "seed.doc")
    if name != "seed.doc":
        path = path.rename(tmp_path / name)
    doc = _read(path)
    assert doc.format == "doc"
    assert F.char_accuracy(seed, doc.text) >= 0.99


def test_doc_without_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.readers_office as office

    monkeypatch.setattr(office.shutil, "which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    doc = read_file(path)
    assert isinstance(doc, SkippedFile) and "apt-get install catdoc" in doc.reason


def test_docx_named_doc_is_read_as_docx(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("凤凰镇工会2019年工作总结")
    d.save(tmp_path / "really.doc")
    assert _read(tmp_path / "really.doc").format == "docx"


def test_mht(tmp_path: Path, seed: str) -> None:
    doc = _read(F.make_mht(seed, tmp_path))
    assert doc.format == "mht" and doc.title_hint == seed.split("\n")[0]
    assert "版权所有" not in doc.text and "首页" not in doc.text
    assert F.char_accuracy(seed, doc.text) >= 0.99


def test_ofd_reading_order_without_template_header(tmp_path: Path, seed: str) -> None:
    doc = _read(F.make_ofd(seed, tmp_path, per_page=12))
    assert doc.format == "ofd" and "页眉" not in doc.text
    assert F.char_accuracy(seed, doc.text) >= 0.99
    skipped = read_file(tmp_path / "seed.ofd", ReadLimits(max_pdf_pages=1))
    assert isinstance(skipped, SkippedFile) and "OFD pages" in skipped.reason


def test_ofd_missing_part_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "broken.ofd"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "OFD.xml", "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>"
        )
    doc = read_file(path)
    assert isinstance(doc, SkippedFile) and "Doc_0/Document.xml" in doc.reason


class _GbkName(zipfile.ZipInfo):
    """What Chinese Windows zip tools write: the name in GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits


def _zip(members: dict[str, bytes], gbk_names: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr((_GbkName if gbk_names else zipfile.ZipInfo)(name), data)
    return buf.getvalue()


def test_zip_members_with_archive_path(tmp_path: Path, seed: str) -> None:
    inner = _zip({"附件/简报.txt": "青山镇工会简报\n开展职工技能竞赛。".encode("gbk")})
    path = tmp_path / "移交材料.zip"
    path.write_bytes(
        _zip(
            {
                "2020年工作总结.txt": seed.encode("gb18030"),
                "网页.mht": F.make_mht(seed, tmp_path).read_bytes(),
                "内层.zip": inner,
                "__MACOSX/._x.txt": b"junk",
                "表格.xlsx": b"PK",
            },
            gbk_names=True,
        )
    )
    sha, docs = read_documents(path)
    assert sha is not None
    by_name = {d.path.removeprefix(f"{path}/"): d for d in docs}
    assert set(by_name) == {"2020年工作总结.txt", "网页.mht", "内层.zip/附件/简报.txt", "表格.xlsx"}
    assert isinstance(by_name["2020年工作总结.txt"], DecodedFile)
    assert F.char_accuracy(seed, by_name["2020年工作总结.txt"].text) == 1.0
    assert isinstance(by_name["内层.zip/附件/简报.txt"], DecodedFile)
    assert isinstance(by_name["表格.xlsx"], SkippedFile)
    _, docs = read_documents(path, ReadLimits(max_archive_members=3))
    assert len(docs) == 1 and "MAX_ARCHIVE_MEMBERS" in docs[0].reason  # type: ignore[union-attr]
    _, docs = read_documents(path, ReadLimits(max_archive_depth=1))
    assert any("MAX_ARCHIVE_DEPTH" in getattr(d, "reason", "") for d in docs)


def _7z(members: dict[str, bytes], password: str | None = None) -> bytes:
    py7zr = pytest.importorskip("py7zr")
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w", password=password) as sz:
        for name, data in members.items():
            sz.writestr(data, name)
    return buf.getvalue()


def _read_like_zip(path: Path, seed: str, kind: str) -> None:
    """An archive holding a seed text, a nested zip, a nested archive of its own ``kind``,
    macOS junk and an unsupported member reads as a zip does, under the same bounds:
    member count, decompressed size, nesting."""
    sha, docs = read_documents(path)
    assert sha is not None
    by_name = {d.path.removeprefix(f"{path}/"): d for d in docs}
    assert set(by_name) == {
        "2020年工作总结.txt",
        "内层.zip/附件/简报.txt",
        f"内层.{kind}/台账.txt",
        "表格.xlsx",
    }
    assert F.char_accuracy(seed, by_name["2020年工作总结.txt"].text) == 1.0  # type: ignore[union-attr]
    assert "慰问困难职工" in by_name[f"内层.{kind}/台账.txt"].text  # type: ignore[union-attr]
    assert isinstance(by_name["表格.xlsx"], SkippedFile)
    _, docs = read_documents(path, ReadLimits(max_archive_members=3))
    assert len(docs) == 1 and "MAX_ARCHIVE_MEMBERS" in docs[0].reason  # type: ignore[union-attr]
    _, docs = read_documents(path, ReadLimits(max_unzipped_mb=0.001))
    assert len(docs) == 1 and "MAX_UNZIPPED_MB" in docs[0].reason  # type: ignore[union-attr]
    _, docs = read_documents(path, ReadLimits(max_archive_depth=1))
    deep = [d for d in docs if "MAX_ARCHIVE_DEPTH" in getattr(d, "reason", "")]
    assert {d.path for d in deep} == {f"{path}/内层.zip", f"{path}/内层.{kind}"}


def test_7z_members_with_archive_path_and_the_zip_limits(tmp_path: Path, seed: str) -> None:
    inner_zip = _zip({"附件/简报.txt": "青山镇工会简报\n开展职工技能竞赛。".encode("gbk")})
    inner_7z = _7z({"台账.txt": "白石镇工会台账\n慰问困难职工三十户。".encode()})
    path = tmp_path / "移交材料.7z"
    path.write_bytes(
        _7z(
            {
                "2020年工作总结.txt": seed.encode("gb18030"),
                "内层.zip": inner_zip,
                "内层.7z": inner_7z,
                "__MACOSX/._x.txt": b"junk",
                "表格.xlsx": b"PK",
            }
        )
    )
    _read_like_zip(path, seed, "7z")


def test_7z_through_ingest_and_hostile_7z(tmp_path: Path, seed: str) -> None:
    from corpus.pipeline import ingest
    from corpus.store import CorpusStore

    src = tmp_path / "src"
    src.mkdir()
    (src / "材料.7z").write_bytes(_7z({"总结.txt": seed.encode()}))
    (src / "加密.7z").write_bytes(_7z({"总结.txt": seed.encode()}, password="secret"))
    (src / "坏.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 64)
    with CorpusStore(tmp_path / "data") as store:
        summary = ingest([src], store)
        fmt = dict(
            store.db.execute("SELECT path, format FROM sources WHERE status='ok'").fetchall()
        )
        (report,) = list(store.iter_reports())
    assert fmt == {str(src / "材料.7z"): "7z"}
    assert report.source == f"{src / '材料.7z'}/总结.txt"
    reasons = dict(summary.skipped)
    assert "encrypted 7z archive" in reasons[str(src / "加密.7z")]
    assert "unreadable 7z" in reasons[str(src / "坏.7z")]


STORED, COMPRESSED = 0x30, 0x33  # RAR 4 methods: stored, and "normal" compression


def _rar(members: dict[str, bytes], method: int = STORED) -> bytes:
    """A RAR 4 archive written byte by byte: no free tool writes RAR (rar is non-free;
    bsdtar and unar only read it). Stored members need no tool to read; a "compressed" one
    here holds its bytes as they are, which only an external tool would try to inflate."""

    def block(kind: int, flags: int, body: bytes, payload: bytes = b"") -> bytes:
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head + payload

    out = bytearray(b"Rar!\x1a\x07\x00")
    out += block(0x73, 0, bytes(6))  # archive header
    for name, data in members.items():
        raw = name.encode("utf-8")
        flags = 0x8000 | (0 if raw.isascii() else 0x200)  # 0x200: a Unicode name (UTF-8)
        fields = struct.pack(
            "<IIBIIBBHI",
            len(data),
            len(data),
            3,
            zlib.crc32(data),
            0x5A210000,
            29,
            method,
            len(raw),
            0o100644,
        )
        out += block(0x74, flags, fields + raw, data)  # file header, then the member
    out += block(0x7B, 0x4000, b"")  # end of archive
    return bytes(out)


def test_rar_members_with_archive_path_and_the_zip_limits(tmp_path: Path, seed: str) -> None:
    inner_zip = _zip({"附件/简报.txt": "青山镇工会简报\n开展职工技能竞赛。".encode("gbk")})
    inner_rar = _rar({"台账.txt": "白石镇工会台账\n慰问困难职工三十户。".encode()})
    path = tmp_path / "移交材料.rar"
    members = {
        "2020年工作总结.txt": seed.encode("gb18030"),
        "内层.zip": inner_zip,
        "内层.rar": inner_rar,
        "__MACOSX/._x.txt": b"junk",
        "表格.xlsx": b"PK",
    }
    path.write_bytes(_rar(members))
    _read_like_zip(path, seed, "rar")


def test_rar_through_ingest_and_hostile_rar(tmp_path: Path, seed: str) -> None:
    from corpus.pipeline import ingest
    from corpus.store import CorpusStore

    src = tmp_path / "src"
    src.mkdir()
    (src / "材料.rar").write_bytes(_rar({"总结.txt": seed.encode()}))
    (src / "压缩.rar").write_bytes(_rar({"总结.txt": b"not deflated"}, method=COMPRESSED))
    (src / "坏.rar").write_bytes(b"Rar!\x1a\x07\x00" + b"\x00" * 64)
    (src / "假.rar").write_bytes(seed.encode())  # a text file under an archive's name
    with CorpusStore(tmp_path / "data") as store:
        summary = ingest([src], store)
        fmt = dict(
            store.db.execute("SELECT path, format FROM sources WHERE status='ok'").fetchall()
        )
        sources = {r[0] for r in store.db.execute("SELECT path FROM report_sources")}
    assert fmt == {str(src / "材料.rar"): "rar", str(src / "假.rar"): "txt"}
    assert sources == {f"{src / '材料.rar'}/总结.txt", str(src / "假.rar")}  # one report
    reasons = dict(summary.skipped)
    # Without unar, bsdtar or unrar a compressed member is skipped with the install hint;
    # with one, these bytes fail to inflate: skipped either way, with the reason.
    reason = reasons[f"{src / '压缩.rar'}/总结.txt"]
    assert "apt install unar" in reason or "unreadable rar member" in reason
    assert "unreadable rar" in reasons[str(src / "坏.rar")]


def _box(x0: float, y0: float, x1: float, y1: float, text: str) -> Box:
    return Box(x0, y0, x1, y1, text)


@pytest.mark.parametrize(
    ("boxes", "expect"),
    [
        # one column; header and page number in the margins dropped; stamp glyph beside dropped
        (
            [
                _box(100, 10, 600, 40, "某某县总工会内部资料"),
                _box(100, 200, 900, 240, "第二行正文内容在这里"),
                _box(100, 100, 900, 140, "第一行正文内容在这里"),
                _box(950, 150, 990, 190, "章"),
                _box(480, 970, 520, 995, "-1-"),
            ],
            "第一行正文内容在这里\n第二行正文内容在这里",
        ),
        # two columns: the left column is read first, top to bottom
        (
            [
                _box(550, 100, 950, 140, "右栏第一行内容"),
                _box(50, 100, 450, 140, "左栏第一行内容"),
                _box(550, 200, 950, 240, "右栏第二行内容"),
                _box(50, 200, 450, 240, "左栏第二行内容"),
                _box(50, 300, 450, 340, "左栏第三行内容"),
                _box(550, 300, 950, 340, "右栏第三行内容"),
            ],
            "左栏第一行内容\n左栏第二行内容\n左栏第三行内容\n"
            "右栏第一行内容\n右栏第二行内容\n右栏第三行内容",
        ),
        # a line split into two boxes is joined left to right; a vertical stamp is dropped
        (
            [
                _box(500, 100, 900, 140, "后半句内容"),
                _box(100, 102, 480, 138, "前半句内容"),
                _box(300, 300, 340, 600, "工会专用章"),
            ],
            "前半句内容后半句内容",
        ),
    ],
)
def test_ocr_layout(boxes: list[Box], expect: str) -> None:
    assert layout_text(boxes, 1000, 1000) == expect


@needs_ocr
def test_scanned_page_ocr_only_where_no_text_layer(tmp_path: Path, seed: str) -> None:
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    # a third of an A4 page: the layout (margins, stamp, header) is the same, OCR time a third
    page_text = "\n".join(F.wrap(seed, 30)[:10])
    scan = F.make_scanned_pdf(page_text, tmp_path)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    layer = tmp_path / "layer.pdf"
    c = canvas.Canvas(str(layer))
    c.setFont("STSong-Light", 12)
    c.drawString(50, 800, "附件：凤凰镇工会工作台账（文字层页面）")
    c.save()
    writer = PdfWriter()
    for part in (layer, scan):
        for page in PdfReader(part).pages:
            writer.add_page(page)
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as f:
        writer.write(f)
    doc = _read(mixed)
    assert doc.format == "pdf+ocr"
    first, _, rest = doc.text.partition("\n")
    assert first == "附件：凤凰镇工会工作台账（文字层页面）"
    assert "内部资料" not in rest and "章" not in rest[-5:]
    assert F.char_accuracy(page_text, rest) >= 0.97
    off = read_file(F.make_scanned_pdf(page_text, tmp_path, "off.pdf"), ReadLimits(ocr=False))
    assert isinstance(off, SkippedFile) and "no text layer" in off.reason


@needs_ocr
def test_image_ocr_through_ingest_under_the_memory_cap(tmp_path: Path) -> None:
    # The OCR engine runs in the ingest worker, under its address-space cap.
    from corpus.pipeline import ingest
    from corpus.store import CorpusStore

    text = "凤凰镇工会2019年工作总结\n一、主要做法\n我镇工会积极开展送温暖活动，慰问困难职工120户。"
    src = tmp_path / "src"
    src.mkdir()
    F.make_png(text, src)
    with CorpusStore(tmp_path / "data") as store:
        summary = ingest([src], store, limits=ReadLimits(memory_mb=2560))
        assert summary.files_read == 1, summary.skipped
        (fmt,) = store.db.execute("SELECT format FROM sources").fetchone()
        (report,) = list(store.iter_reports(with_text=True))
    assert fmt == "image+ocr"
    assert report.text is not None and F.char_accuracy(text, report.text) >= 0.97


def test_7z_extraction_stops_at_the_size_cap() -> None:
    # A 7z header may understate its sizes: what is inflated is counted as it is written.
    pytest.importorskip("py7zr")
    from corpus.limits import LimitExceeded
    from corpus.readers_archive import _capped_factory

    writer = _capped_factory(10, ReadLimits()).create("a.txt")
    assert writer.write(b"x" * 8) == 8
    with pytest.raises(LimitExceeded, match="MAX_UNZIPPED_MB"):
        writer.write(b"x" * 8)
