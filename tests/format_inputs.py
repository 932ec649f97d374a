"""Test inputs in every office format, made from a seed text: shared by tests/test_formats.py
and scripts/bench_formats.py. Nothing here is a stored sample: each file is built from text.
"""

from __future__ import annotations

import email.mime.image
import email.mime.multipart
import email.mime.text
import re
import shutil
import subprocess
import textwrap
import unicodedata
from pathlib import Path

from tests.shared_paths import SEEDS

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # fonts-wqy-zenhei
_WS = re.compile(r"\s+")


def seed_text(chars: int = 1200, index: int = 0) -> str:
    """The opening of a seed file (0: a simplified report, 1: a traditional one), cut at a
    line end, as lines without blanks."""
    files = sorted(SEEDS.glob("*.txt"))
    raw = files[index].read_text("utf-8")
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip() and "http" not in ln]
    out: list[str] = []
    for ln in lines:
        if sum(len(x) for x in out) + len(ln) > chars:
            break
        out.append(ln)
    return "\n".join(out)


def char_accuracy(source: str, recovered: str) -> float:
    """1 - (character edit distance / source length), ignoring whitespace and character
    width (OCR reads "," as "，"; the cleaner normalises width the same way)."""
    a = _WS.sub("", unicodedata.normalize("NFKC", source))
    b = _WS.sub("", unicodedata.normalize("NFKC", recovered))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return 1 - prev[-1] / max(1, len(a))


def wrap(text: str, width: int) -> list[str]:
    return [part for line in text.split("\n") for part in textwrap.wrap(line, width) or [""]]


# ----- Word 97-2003 and WPS ---------------------------------------------------------------


def make_doc(text: str, folder: Path, name: str = "seed.doc") -> Path:
    """The text converted to Word 97 by LibreOffice headless (needs soffice)."""
    src = folder / (Path(name).stem + ".txt")
    src.write_text(text, encoding="utf-8")
    out = folder / "doc-out"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={(folder / 'lo-profile').as_uri()}",
            "--infilter=Text (encoded):UTF8",
            "--convert-to",
            "doc:MS Word 97",
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    target = folder / name
    shutil.move(out / (src.stem + ".doc"), target)
    return target


# ----- MHT ("单个文件网页") ------------------------------------------------------------------


def make_mht(text: str, folder: Path, name: str = "seed.mht") -> Path:
    """A page saved as a single file, the way browsers do: multipart/related, the HTML part
    GB2312 in quoted-printable, plus an image part."""
    title, *body = text.split("\n")
    html = (
        f"<html><head><title>{title}_范文网</title></head><body><div class='nav'>首页 &gt; 总结"
        f"</div><article><h1>{title}</h1>"
        + "".join(f"<p>{line}</p>" for line in body)
        + "</article><footer>版权所有 范文网</footer></body></html>"
    )
    msg = email.mime.multipart.MIMEMultipart("related")
    msg["Subject"] = title
    part = email.mime.text.MIMEText(html, "html", "gb18030")
    msg.attach(part)
    msg.attach(email.mime.image.MIMEImage(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "png"))
    path = folder / name
    path.write_bytes(msg.as_bytes())
    return path


# ----- OFD ----------------------------------------------------------------------------------

_OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def make_ofd(text: str, folder: Path, name: str = "seed.ofd", per_page: int = 30) -> Path:
    """An OFD package built from XML: one TextObject per line, written in reverse order (the
    reader must sort by position), and a template page with a running header to be ignored."""
    import zipfile

    lines = wrap(text, 28)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {_OFD_NS} Version="1.0" '
            'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID></ofd:DocInfo>'
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        page_refs = "".join(
            f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>'
            for i in range(len(pages))
        )
        zf.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {_OFD_NS}><ofd:CommonData>'
            "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            '<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
            f"<ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>",
        )
        zf.writestr(
            "Doc_0/Tpls/Tpl_0/Content.xml",
            f'<ofd:Page {_OFD_NS}><ofd:Content><ofd:Layer><ofd:TextObject ID="3" '
            'Boundary="20 8 170 6" Font="4" Size="3.5"><ofd:TextCode X="0" Y="4">'
            "机密★内部资料 页眉</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content>"
            "</ofd:Page>",
        )
        for i, page in enumerate(pages):
            objs = []
            for n, line in reversed(list(enumerate(page))):
                y = 30 + n * 8
                deltas = " ".join(["5.3"] * (len(line) - 1))
                objs.append(
                    f'<ofd:TextObject ID="{100 + n}" Boundary="25 {y} 160 7" Font="4" '
                    f'Size="5.3"><ofd:TextCode X="0" Y="5" DeltaX="{deltas}">{line}'
                    "</ofd:TextCode></ofd:TextObject>"
                )
            zf.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {_OFD_NS}>'
                '<ofd:Template TemplateID="2"/><ofd:Content><ofd:Layer ID="5">'
                + "".join(objs)
                + "</ofd:Layer></ofd:Content></ofd:Page>",
            )
    return path


# ----- scanned pages ------------------------------------------------------------------------


def lines_per_page(dpi: int = 200, font_pt: float = 14) -> int:
    h, size = int(11.69 * dpi), int(font_pt / 72 * dpi)
    return (int(h * 0.88) - int(h * 0.09)) // int(size * 1.6)


def page_images(text: str, dpi: int = 200, font_pt: float = 14, per_line: int = 30):  # type: ignore[no-untyped-def]
    """A4 page images of the text in a CJK font at ``dpi``, with a running header and page
    number in the margins and a vertical stamp beside the text (both to be dropped)."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(8.27 * dpi), int(11.69 * dpi)
    size = int(font_pt / 72 * dpi)
    font = ImageFont.truetype(str(CJK_FONT), size)
    small = ImageFont.truetype(str(CJK_FONT), int(size * 0.7))
    lines = wrap(text, per_line)
    step = int(size * 1.6)
    top = int(h * 0.09)
    per_page = lines_per_page(dpi, font_pt)
    images = []
    for p in range(0, len(lines), per_page):
        im = Image.new("L", (w, h), 255)
        d = ImageDraw.Draw(im)
        d.text((int(w * 0.12), int(h * 0.02)), "某某县总工会内部资料", font=small, fill=0)
        d.text((w // 2, int(h * 0.965)), f"- {p // per_page + 1} -", font=small, fill=0)
        for k, line in enumerate(lines[p : p + per_page]):
            d.text((int(w * 0.12), top + k * step), line, font=font, fill=0)
        for k, ch in enumerate("专用章"):
            d.text((int(w * 0.93), int(h * 0.4) + k * size), ch, font=small, fill=0)
        images.append(im)
    return images


def make_scanned_pdf(text: str, folder: Path, name: str = "scan.pdf", dpi: int = 200) -> Path:
    images = page_images(text, dpi)
    path = folder / name
    images[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return path


def make_png(text: str, folder: Path, name: str = "scan.png", dpi: int = 200) -> Path:
    path = folder / name
    page_images(text, dpi)[0].save(path)
    return path
