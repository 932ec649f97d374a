"""Read report files of any supported format into text.

One bad file never stops a batch: every failure becomes a SkippedFile with a reason.
The format is taken from the file's content when it disagrees with its extension, so a PDF
saved as ``.txt`` or a text file saved as ``.docx`` is still read correctly.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus.decode import UndecodableError, decode_bytes, is_binary
from corpus.html_text import html_main_text, html_title
from corpus.models import DecodedFile, SkippedFile

EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}

MAX_FILE_BYTES = 200 * 1024 * 1024


def iter_paths(sources: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named directly, and every non-hidden file below named folders, in sorted order."""
    for src in sources:
        p = Path(src)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield p


def sniff_format(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
        return "zip"
    low = head[:512].lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or b"<body" in low:
        return "html"
    return None


def _read_docx(data: bytes) -> str:
    import docx  # python-docx; imported here so text-only ingests never pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    # Walk the body in order so tables stay where they were between paragraphs.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = cell.text.strip()
                    if value and (not cells or cells[-1] != value):  # merged cells repeat
                        cells.append(value)
                if cells:
                    lines.append("\t".join(cells))
    return "\n".join(lines)


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:
            raise ValueError("encrypted PDF") from exc
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n".join(pages)
    if not text.strip():
        raise ValueError("PDF has no text layer (scanned images are not supported)")
    return text


def read_file(path: str | os.PathLike[str]) -> DecodedFile | SkippedFile:
    p = Path(path)
    spath = str(p)
    ext = p.suffix.lower()
    if ext not in EXTENSIONS:
        return SkippedFile(spath, f"unsupported file type {ext or '(no extension)'}")
    try:
        size = p.stat().st_size
        if size == 0:
            return SkippedFile(spath, "empty file")
        if size > MAX_FILE_BYTES:
            return SkippedFile(spath, f"file larger than {MAX_FILE_BYTES // 2**20} MB")
        data = p.read_bytes()
    except OSError as exc:
        return SkippedFile(spath, f"cannot read file: {exc.strerror or exc}")
    sha = hashlib.sha256(data).hexdigest()
    declared = EXTENSIONS[ext]
    sniffed = sniff_format(data)
    fmt = sniffed if sniffed in ("pdf", "docx", "html") else declared
    if sniffed == "zip" or (declared == "docx" and sniffed != "docx" and is_binary(data)):
        return SkippedFile(spath, f"not a {declared} file (binary content)")
    if declared == "docx" and sniffed is None:
        fmt = "txt"  # a text file saved with a .docx name
    if declared == "pdf" and sniffed != "pdf":
        fmt = "html" if sniffed == "html" else "txt"
    encoding: str | None = None
    title_hint: str | None = None
    try:
        if fmt == "docx":
            text = _read_docx(data)
        elif fmt == "pdf":
            text = _read_pdf(data)
        else:
            if is_binary(data):
                return SkippedFile(spath, "binary content, not text")
            text, encoding = decode_bytes(data)
            if fmt == "html":
                title_hint = html_title(text)
                text = html_main_text(text)
                if title_hint and title_hint not in text[:300]:
                    # Extractors often drop the page's <h1>; the report title goes first.
                    text = f"{title_hint}\n{text}"
    except UndecodableError as exc:
        return SkippedFile(spath, f"unreadable text: {exc}")
    except Exception as exc:  # a broken document must not stop the batch
        return SkippedFile(spath, f"unreadable {fmt}: {type(exc).__name__}: {exc}")
    if not text.strip():
        return SkippedFile(spath, "no text content")
    return DecodedFile(
        path=spath,
        sha256=sha,
        size=size,
        format=fmt,
        encoding=encoding,
        text=text,
        title_hint=title_hint,
    )
