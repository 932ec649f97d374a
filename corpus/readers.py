"""Read report files of any supported format into text.

One bad file never stops a batch: every failure becomes a SkippedFile with a reason, and every
reader works within ``ReadLimits`` (bytes, decompressed bytes, characters, pages), so a hostile
file is skipped instead of eating the machine. Wall-clock and memory bounds are enforced by the
worker process that calls these functions (see ``corpus.workers``).

The format is taken from the file's content when it disagrees with its extension, so a PDF
saved as ``.txt``, a text file saved as ``.docx`` or a ``.doc`` that is really a web page
(as many government sites serve) is still read correctly.

``read_file`` reads one document; ``read_documents`` also opens archives and yields each member
as a document whose path is ``<archive path>/<member path>``.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.decode import UndecodableError, decode_bytes, is_binary
from corpus.defaults import PROSE_CHARS_PER_MARK, PROSE_CHECK_MIN_CHARS
from corpus.html_text import html_main_text, html_title
from corpus.limits import DEFAULT_LIMITS, LimitExceeded, ReadLimits, check_members
from corpus.models import DecodedFile, SkippedFile
from corpus.readers_archive import ARCHIVE_FORMATS, read_archive

EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".mht": "mht",
    ".mhtml": "mht",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "doc",  # Kingsoft WPS writes the Word 97-2003 binary format under this name
    ".pdf": "pdf",
    ".ofd": "ofd",
    ".zip": "zip",
    ".7z": "7z",
    ".rar": "rar",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".tif": "image",
    ".tiff": "image",
    ".bmp": "image",
}

MAX_FILE_BYTES = DEFAULT_LIMITS.max_file_bytes  # kept for callers that size uploads
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
RAR_MAGIC = (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")  # RAR 1.5-4, RAR 5
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 / WPS compound file
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")


class ReadError(ValueError):
    """The file cannot be read; the message is the skip reason."""


@dataclass
class Extracted:
    """What a format reader returns."""

    text: str
    encoding: str | None = None
    title_hint: str | None = None
    format: str | None = None  # refines the format, e.g. "pdf+ocr" when pages were OCR'd
    ocr_text: str | None = None  # what OCR recognised, when some or all of it was


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


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def sniff_format(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        names = _zip_names(data)
        if names is None:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    if data.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if data.startswith(RAR_MAGIC):
        return "rar"
    if data.startswith(OLE_MAGIC):
        return "doc"
    if data.startswith(IMAGE_MAGIC):
        return "image"
    low = head[:512].lower()
    if low.startswith(b"mime-version:") or (
        b"content-type: multipart/related" in low and b"boundary" in data[:4096].lower()
    ):
        return "mht"
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low or b"<body" in low:
        return "html"
    return None


# ----- format readers: bytes -> Extracted, raising ReadError / LimitExceeded ---------------


def check_zip(zf: zipfile.ZipFile, limits: ReadLimits, what: str) -> None:
    """Refuse a zip container whose declared sizes are over the limits before inflating it.

    The declared sizes bind: ``zipfile`` stops at a member's declared size and then fails its
    CRC, so a member cannot inflate to more than it declares.
    """
    infos = zf.infolist()
    check_members(what, len(infos), sum(i.file_size for i in infos), limits)
    for info in infos:
        if info.filename.endswith(".xml") and info.file_size > limits.max_xml_bytes:
            raise LimitExceeded(
                f"XML part {info.filename} MB",
                round(info.file_size / 2**20, 1),
                limits.max_xml_mb,
                "MAX_XML_MB",
            )


def _read_text(data: bytes, limits: ReadLimits) -> Extracted:
    # UTF-8 spends at most 4 bytes a character, GB18030 at most 4: more bytes than that
    # cannot fit the character limit, so the file is refused before anything is decoded.
    if len(data) > 4 * limits.max_chars:
        raise LimitExceeded("text bytes", len(data), 4 * limits.max_chars, "MAX_CHARS")
    if is_binary(data):
        raise ReadError("binary content, not text")
    text, encoding = decode_bytes(data)
    return Extracted(text, encoding)


def _read_html(data: bytes, limits: ReadLimits) -> Extracted:
    # Markup is most of a page: allow more bytes than characters, then bound the text.
    if len(data) > min(limits.max_file_bytes, 16 * limits.max_chars):
        raise LimitExceeded("HTML bytes", len(data), 16 * limits.max_chars, "MAX_CHARS")
    if is_binary(data):
        raise ReadError("binary content, not text")
    html, encoding = decode_bytes(data)
    return _html_to_text(html, encoding)


def _html_to_text(html: str, encoding: str | None) -> Extracted:
    title_hint = html_title(html)
    text = html_main_text(html)
    if title_hint and title_hint not in text[:300]:
        # Extractors often drop the page's <h1>; the report title goes first.
        text = f"{title_hint}\n{text}"
    return Extracted(text, encoding, title_hint)


def _read_mht(data: bytes, limits: ReadLimits) -> Extracted:
    """A page saved as "单个文件网页": MIME multipart whose first text/html part is the page."""
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded("MHT bytes", len(data), limits.max_file_bytes, "MAX_FILE_MB")
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload.strip():
            continue
        charset = part.get_content_charset()
        html: str | None = None
        if charset:
            try:
                html = payload.decode(
                    "gb18030" if charset.lower() in ("gb2312", "gbk") else charset
                )
            except (LookupError, UnicodeDecodeError):
                html = None
        if html is None:
            html, charset = decode_bytes(payload)
        if len(html) > 16 * limits.max_chars:
            raise LimitExceeded("HTML characters", len(html), 16 * limits.max_chars, "MAX_CHARS")
        return _html_to_text(html, charset)
    raise ReadError("no HTML part in the MHT file")


def _read_docx(data: bytes, limits: ReadLimits) -> Extracted:
    import docx  # python-docx; imported here so text-only ingests never pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_zip(zf, limits, "docx")
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    chars = 0
    # Walk the body in order so tables stay where they were between paragraphs.
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        before = len(lines)
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
        chars += sum(len(line) + 1 for line in lines[before:])
        if chars > limits.max_chars:
            raise LimitExceeded("characters", f">{chars}", limits.max_chars, "MAX_CHARS")
    return Extracted("\n".join(lines))


def _read_pdf(data: bytes, limits: ReadLimits) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as exc:
            raise ReadError("encrypted PDF") from exc
    n_pages = len(reader.pages)  # the page tree's /Count: no page is parsed for it
    if n_pages > limits.max_pdf_pages:
        raise LimitExceeded("PDF pages", n_pages, limits.max_pdf_pages, "MAX_PDF_PAGES")
    pages: list[str] = []
    chars = 0
    for n, page in enumerate(reader.pages, start=1):
        if n > limits.max_pdf_pages:  # a page tree whose /Count understates its kids
            raise LimitExceeded("PDF pages", f">{n - 1}", limits.max_pdf_pages, "MAX_PDF_PAGES")
        text = page.extract_text() or ""
        chars += len(text)
        if chars > limits.max_chars:
            raise LimitExceeded("characters", f">{chars}", limits.max_chars, "MAX_CHARS")
        pages.append(text)
    scanned = [i for i, t in enumerate(pages) if not _has_text_layer(t)]
    fmt = "pdf"
    ocr_text = None
    if scanned and limits.ocr:
        from corpus.readers_ocr import ocr_pdf_pages

        recognised = ocr_pdf_pages(data, scanned, limits)
        for i, text in recognised.items():
            pages[i] = text
        fmt = "pdf+ocr"
        ocr_text = "\n".join(recognised[i] for i in sorted(recognised))
    text = "\n".join(pages)
    if not text.strip():
        if not limits.ocr:
            raise ReadError("PDF has no text layer (OCR is turned off: JIEJIAN_READ_OCR)")
        raise ReadError("PDF has no text layer and OCR found no text")
    return Extracted(text, format=fmt, ocr_text=ocr_text)


def _has_text_layer(page_text: str) -> bool:
    # A scanned page often carries a few stray characters (a page number, a stamp's OCR'd
    # layer); a page with a real text layer has at least a line of text.
    return sum(1 for ch in page_text if not ch.isspace()) >= 10


def _read_doc(data: bytes, limits: ReadLimits) -> Extracted:
    from corpus.readers_office import doc_to_text

    return Extracted(doc_to_text(data, limits))


def _read_ofd(data: bytes, limits: ReadLimits) -> Extracted:
    from corpus.readers_ofd import ofd_to_text

    return Extracted(ofd_to_text(data, limits))


def _read_image(data: bytes, limits: ReadLimits) -> Extracted:
    if not limits.ocr:
        raise ReadError("image: OCR is turned off (JIEJIAN_READ_OCR)")
    from corpus.readers_ocr import ocr_image_bytes

    text = ocr_image_bytes(data, limits)
    return Extracted(text, format="image+ocr", ocr_text=text)


READERS: dict[str, Callable[[bytes, ReadLimits], Extracted]] = {
    "txt": _read_text,
    "html": _read_html,
    "mht": _read_mht,
    "docx": _read_docx,
    "pdf": _read_pdf,
    "doc": _read_doc,
    "ofd": _read_ofd,
    "image": _read_image,
}
# Content that wins over the extension: their magic bytes do not occur in text by accident.
_CONTENT_WINS = {"pdf", "docx", "html", "mht", "ofd"}


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeio" else f"a {word}"


def _choose_format(declared: str, sniffed: str | None, data: bytes) -> str:
    """The reader for this content, or raise ReadError when it cannot be a report."""
    if sniffed in _CONTENT_WINS:
        if sniffed == "html" and declared == "mht":
            return "mht"  # an .mht without MIME headers is a plain page
        return sniffed
    if declared == "image":
        if sniffed != "image":
            raise ReadError("not an image file (unknown content)")
        return "image"
    if sniffed in ("doc", "image", *ARCHIVE_FORMATS) and declared != sniffed:
        raise ReadError(f"not {_a(declared)} file (binary content)")
    if sniffed is None and declared in ("docx", "doc", "pdf", "ofd", "mht", *ARCHIVE_FORMATS):
        if is_binary(data):
            raise ReadError(f"not {_a(declared)} file (binary content)")
        return "txt"  # a text file saved under an office name
    return declared


def _over_chars(text: str, limits: ReadLimits) -> None:
    if len(text) > limits.max_chars:
        raise LimitExceeded("characters", len(text), limits.max_chars, "MAX_CHARS")


def decode_document(
    spath: str, data: bytes, declared: str, limits: ReadLimits = DEFAULT_LIMITS
) -> DecodedFile | SkippedFile:
    """Turn one document's bytes into text (no archive handling)."""
    sha = hashlib.sha256(data).hexdigest()
    fmt = declared
    try:
        fmt = _choose_format(declared, sniff_format(data), data)
        if fmt in ARCHIVE_FORMATS:
            raise ReadError("archive inside a document (use read_documents)")
        got = READERS[fmt](data, limits)
        _over_chars(got.text, limits)
    except LimitExceeded as exc:
        return SkippedFile(spath, str(exc))
    except ReadError as exc:
        return SkippedFile(spath, str(exc))
    except UndecodableError as exc:
        return SkippedFile(spath, f"unreadable text: {exc}")
    except MemoryError:
        return SkippedFile(spath, "over the memory limit while reading (JIEJIAN_READ_MEMORY_MB)")
    except RecursionError:
        return SkippedFile(spath, f"unreadable {fmt}: nested too deeply")
    except Exception as exc:  # a broken document must not stop the batch
        return SkippedFile(spath, f"unreadable {fmt}: {type(exc).__name__}: {exc}")
    if not got.text.strip():
        return SkippedFile(spath, "no text content")
    word_list = _word_list(got.text)
    if word_list:
        return SkippedFile(spath, word_list)
    return DecodedFile(
        path=spath,
        sha256=sha,
        size=len(data),
        format=got.format or fmt,
        encoding=got.encoding,
        text=got.text,
        title_hint=got.title_hint,
        ocr_text=got.ocr_text,
    )


# Sentence and clause marks, full-width and ASCII (OCR output and English-mode typing use
# the latter).
_PROSE_MARKS = "。！？；，、：．｡,.;!?:"
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _word_list(text: str) -> str | None:
    """Why ``text`` is no report prose (a long run of words without a sentence or clause
    mark: keyword stuffing, an index), or None. Counting marks is cheap; the Chinese
    characters are counted only when the marks are few for the text's length."""
    marks = sum(text.count(c) for c in _PROSE_MARKS)
    if (marks + 1) * PROSE_CHARS_PER_MARK > len(text):
        return None
    han = sum(1 for _ in _HAN.finditer(text))
    if han < PROSE_CHECK_MIN_CHARS or (marks + 1) * PROSE_CHARS_PER_MARK > han:
        return None
    return (
        f"not report prose: {marks} sentence or clause marks in {han} Chinese characters "
        "(a word list or keyword stuffing)"
    )


def _load(p: Path, limits: ReadLimits) -> bytes | SkippedFile:
    spath = str(p)
    ext = p.suffix.lower()
    if ext not in EXTENSIONS:
        return SkippedFile(spath, f"unsupported file type {ext or '(no extension)'}")
    try:
        size = p.stat().st_size
        if size == 0:
            return SkippedFile(spath, "empty file")
        if size > limits.max_file_bytes:
            return SkippedFile(
                spath,
                str(
                    LimitExceeded(
                        "file MB", round(size / 2**20, 1), limits.max_file_mb, "MAX_FILE_MB"
                    )
                ),
            )
        return p.read_bytes()
    except OSError as exc:
        return SkippedFile(spath, f"cannot read file: {exc.strerror or exc}")


def read_file(
    path: str | os.PathLike[str], limits: ReadLimits = DEFAULT_LIMITS
) -> DecodedFile | SkippedFile:
    """One file as one document (an archive is skipped: ``read_documents`` opens those)."""
    p = Path(path)
    data = _load(p, limits)
    if isinstance(data, SkippedFile):
        return data
    return decode_document(str(p), data, EXTENSIONS[p.suffix.lower()], limits)


def read_documents(
    path: str | os.PathLike[str], limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[str | None, list[DecodedFile | SkippedFile]]:
    """The documents in one file: itself, or an archive's members (recursively, within the
    limits). Returns the file's own sha256 (None when unreadable) and the documents."""
    p = Path(path)
    data = _load(p, limits)
    if isinstance(data, SkippedFile):
        return None, [data]
    sha = hashlib.sha256(data).hexdigest()
    declared = EXTENSIONS[p.suffix.lower()]
    if declared in ARCHIVE_FORMATS and sniff_format(data) == declared:
        return sha, read_archive(str(p), data, declared, limits, depth=1)
    return sha, [decode_document(str(p), data, declared, limits)]
