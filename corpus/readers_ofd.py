"""OFD (GB/T 33190), the national fixed-layout e-document format: a zip of XML documents.

Parsed here with lxml rather than a PyPI reader. easyofd (checked: the 20260427 wheel)
writes the OFD to a temporary file, extracts every member to disk with no size check,
base64-encodes every non-XML part into memory and parses all XML with xmltodict before
giving text, and pulls in PyMuPDF (AGPL), fontTools, reportlab and loguru; ofdparser is an
older (2023, 0.0.8) package by the same single author. Neither bounds its work, which a
reader of untrusted files must; what we need, the text of each page in reading order, is a
walk over TextObject/TextCode elements with their positions.

Structure: OFD.xml -> DocBody/DocRoot (Document.xml) -> Pages/Page@BaseLoc (Content.xml) ->
TextObject@Boundary "x y w h" holding TextCode@X,@Y (relative to the boundary). Text is put
in reading order by baseline, then by x. Template pages (running headers and footers) are not
read.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from corpus.limits import LimitExceeded, ReadLimits

# No entity expansion, no network, no huge trees: an OFD's XML is untrusted input.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _resolve(base_dir: str, loc: str) -> str:
    loc = loc.strip().replace("\\", "/")
    return posixpath.normpath(
        loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc)
    )


def _floats(s: str | None) -> list[float]:
    try:
        return [float(x) for x in (s or "").split()]
    except ValueError:
        return []


def page_lines(root: etree._Element) -> list[str]:
    """The text lines of one page's Content.xml in reading order."""
    codes: list[tuple[float, float, float, str]] = []  # (baseline y, x, font size, text)
    for obj in root.iter():
        if _local(obj.tag) != "TextObject":
            continue
        box = _floats(obj.get("Boundary")) or [0.0, 0.0, 0.0, 0.0]
        size = (_floats(obj.get("Size")) or [3.5])[0]
        last_x = last_y = 0.0
        for code in obj:
            if _local(code.tag) != "TextCode":
                continue
            # X and Y may be omitted on a code that continues the previous one.
            x = float(code.get("X", last_x))
            y = float(code.get("Y", last_y))
            last_x, last_y = x, y
            if code.text:
                codes.append((box[1] + y, box[0] + x, size, code.text))
    codes.sort(key=lambda c: (c[0], c[1]))
    lines: list[list[tuple[float, float, float, str]]] = []
    for c in codes:
        if lines and abs(c[0] - lines[-1][0][0]) <= 0.5 * max(c[2], lines[-1][0][2]):
            lines[-1].append(c)
        else:
            lines.append([c])
    out = []
    for line in lines:
        line.sort(key=lambda c: c[1])
        out.append("".join(c[3] for c in line))
    return out


def ofd_to_text(data: bytes, limits: ReadLimits) -> str:
    from corpus.readers import ReadError, check_zip

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_zip(zf, limits, "OFD")
        names = set(zf.namelist())

        def xml(name: str) -> etree._Element:
            if name not in names:
                raise ReadError(f"OFD part missing: {name}")
            return etree.fromstring(zf.read(name), _PARSER)

        lines: list[str] = []
        chars = 0
        pages_read = 0
        root = xml("OFD.xml")
        for body in (e for e in root.iter() if _local(e.tag) == "DocBody"):
            doc_root = _child(body, "DocRoot")
            if doc_root is None or not doc_root.text:
                continue
            doc_path = _resolve("", doc_root.text)
            doc = xml(doc_path)
            doc_dir = posixpath.dirname(doc_path)
            for page in (e for e in doc.iter() if _local(e.tag) == "Page"):
                loc = page.get("BaseLoc")
                if not loc:
                    continue
                pages_read += 1
                if pages_read > limits.max_pdf_pages:
                    raise LimitExceeded(
                        "OFD pages", f">{pages_read - 1}", limits.max_pdf_pages, "MAX_PDF_PAGES"
                    )
                for line in page_lines(xml(_resolve(doc_dir, loc))):
                    lines.append(line)
                    chars += len(line) + 1
                    if chars > limits.max_chars:
                        raise LimitExceeded(
                            "characters", f">{chars}", limits.max_chars, "MAX_CHARS"
                        )
        if not pages_read:
            raise ReadError("OFD has no pages")
    return "\n".join(lines)
