"""Hostile input files, made on the fly: shared by the tests and scripts/bench_hostile.py.

Each maker writes one file under ``folder`` and returns its path. Sizes are those of the
incidents in issue 9 (a 100 MB docx paragraph bomb, a 50 MB one-line text, a 99,000-page PDF).
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ).replace("&lol0;", "&lol;")
    + "]>\n"
)


def _docx_with(folder: Path, name: str, parts: dict[str, Callable[[io.RawIOBase], None]]) -> Path:
    """A real docx whose named parts are replaced by what the writers stream into them."""
    base = io.BytesIO()
    docx.Document().save(base)
    path = folder / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename in parts:
                continue
            out.writestr(info, src.read(info))
        for part, write in parts.items():
            info = zipfile.ZipInfo(part)
            info.compress_type = zipfile.ZIP_DEFLATED
            with out.open(info, "w", force_zip64=True) as f:
                write(f)  # type: ignore[arg-type]
    return path


def docx_paragraph_bomb(folder: Path, mb: int = 100) -> Path:
    """A small docx whose document.xml inflates to ``mb`` MB of paragraphs."""
    para = f"<w:p><w:r><w:t>{'我镇工会积极开展送温暖活动。' * 20}</w:t></w:r></w:p>".encode()

    def body(f: io.RawIOBase) -> None:
        f.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
        chunk = para * 1000
        for _ in range(mb * 2**20 // len(chunk) + 1):
            f.write(chunk)
        f.write(b"</w:body></w:document>")

    return _docx_with(folder, "bomb_paragraphs.docx", {"word/document.xml": body})


def docx_many_parts_bomb(folder: Path, parts: int = 6, mb_each: int = 50) -> Path:
    """Each part under the one-part limit, together over the total decompressed limit."""
    blank = b" " * 2**20

    def filler(f: io.RawIOBase) -> None:
        f.write(b'<?xml version="1.0"?><x>')
        for _ in range(mb_each):
            f.write(blank)
        f.write(b"</x>")

    return _docx_with(
        folder, "bomb_parts.docx", {f"customXml/item{i}.xml": filler for i in range(parts)}
    )


def docx_billion_laughs(folder: Path) -> Path:
    def body(f: io.RawIOBase) -> None:
        f.write(
            (
                LAUGHS.replace("lolz", "w:document")
                + f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
                "</w:body></w:document>"
            ).encode()
        )

    return _docx_with(folder, "laughs.docx", {"word/document.xml": body})


def ofd_billion_laughs(folder: Path) -> Path:
    path = folder / "laughs.ofd"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("OFD.xml", LAUGHS + "<lolz>&lol9;</lolz>")
    return path


def txt_single_line(folder: Path, mb: int = 50) -> Path:
    path = folder / "one_line.txt"
    unit = "我镇工会积极开展送温暖活动，慰问困难职工一百二十户。".encode()
    with path.open("wb") as f:
        chunk = unit * 10_000
        for _ in range(mb * 2**20 // len(chunk) + 1):
            f.write(chunk)
    return path


def pdf_huge_page_count(folder: Path, pages: int = 99_000) -> Path:
    """A ~600 KB PDF declaring ``pages`` pages (every kid is the same blank page)."""
    kids = " ".join(["3 0 R"] * pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>".encode(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path = folder / "pages_99000.pdf"
    path.write_bytes(bytes(out))
    return path


RANDOM_EXTENSIONS = (".txt", ".docx", ".doc", ".wps", ".pdf", ".ofd", ".zip", ".jpg", ".mht")


def random_bytes(folder: Path, ext: str, size: int = 1 << 20, seed: int = 0) -> Path:
    path = folder / f"random{ext}"
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def zip_bomb_nested(folder: Path, depth: int = 4) -> Path:
    """A zip inside a zip inside a zip ... with a text at the bottom."""
    data = "凤凰镇工会2019年工作总结\n一、主要做法\n开展送温暖活动。".encode()
    name = "report.txt"
    for level in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(name, data)
        data, name = buf.getvalue(), f"level{level}.zip"
    path = folder / "nested.zip"
    path.write_bytes(data)
    return path


ALL: dict[str, Callable[[Path], Path]] = {
    "docx bomb: 100 MB document.xml": docx_paragraph_bomb,
    "docx: 60 MB document.xml (under the part limit)": lambda f: docx_paragraph_bomb(f, mb=60),
    "docx bomb: 6 x 50 MB parts": docx_many_parts_bomb,
    "docx billion laughs": docx_billion_laughs,
    "ofd billion laughs": ofd_billion_laughs,
    "txt: 50 MB on one line": txt_single_line,
    "pdf: 99,000 pages": pdf_huge_page_count,
    "zip nested 4 deep": zip_bomb_nested,
    **{
        f"random bytes {ext}": (lambda folder, ext=ext: random_bytes(folder, ext))
        for ext in RANDOM_EXTENSIONS
    },
}
