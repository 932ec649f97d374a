"""OCR for scanned PDF pages and images, with RapidOCR's bundled PP-OCRv4 Chinese models.

``rapidocr-onnxruntime`` ships its detection, direction and recognition models inside the
wheel and runs them with onnxruntime on the CPU: nothing is downloaded at run time. Pages are
rendered at 200 dpi with pdfium (pypdfium2). Only pages without a text layer are OCR'd.

Layout, done on the recognised boxes: boxes in the top and bottom margins (running headers,
page numbers) and vertical boxes (stamps, side notes) are dropped; a page with an empty
vertical gutter near the middle is read as two columns, left then right; lines are formed
from boxes whose vertical extents overlap and read left to right.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpus.limits import LimitExceeded, ReadLimits

log = logging.getLogger(__name__)

DPI = 200
MARGIN = 0.05  # share of the page height treated as header/footer band
MIN_SCORE = 0.5
MAX_PIXELS = 60_000_000  # a 200 dpi A0 sheet is ~52 Mpx; more is a decompression bomb


def _unavailable(msg: str) -> Exception:
    from corpus.readers import ReadError

    return ReadError(msg)


@dataclass
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise _unavailable(
            "scanned page or image: the OCR engine is not installed (rapidocr-onnxruntime)"
        ) from exc
    # One onnxruntime thread: ingest already runs one worker process per core, and each
    # engine's default of a thread per core made them spin against each other (two scanned
    # page tests took 20.1 CPU-s on a busy machine with the default, 14.6 with one).
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


def _boxes(result: list[Any] | None) -> list[Box]:
    out = []
    for points, text, score in result or []:
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        out.append(Box(min(xs), min(ys), max(xs), max(ys), str(text)))
    return out


def _lines(boxes: list[Box]) -> list[str]:
    boxes = sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2)
    rows: list[list[Box]] = []
    for b in boxes:
        mid = (b.y0 + b.y1) / 2
        if rows:
            last = rows[-1]
            top = sum(x.y0 for x in last) / len(last)
            bottom = sum(x.y1 for x in last) / len(last)
            if top <= mid <= bottom:
                last.append(b)
                continue
        rows.append([b])
    return ["".join(b.text for b in sorted(row, key=lambda b: b.x0)) for row in rows]


def _gutter(boxes: list[Box], width: float) -> float | None:
    """x of an empty vertical strip in the middle third crossed by no box, if both sides
    hold a good share of the text (a two-column page)."""
    lo, hi = width * 0.33, width * 0.67
    step = max(1.0, width / 200)
    x = lo
    while x <= hi:
        if not any(b.x0 < x < b.x1 for b in boxes):
            left = sum(1 for b in boxes if b.x1 <= x)
            right = sum(1 for b in boxes if b.x0 >= x)
            if left >= 3 and right >= 3:
                return x
        x += step
    return None


def layout_text(boxes: list[Box], width: float, height: float) -> str:
    """Reading-order text of one page's OCR boxes (pure: tested with tables of boxes)."""
    body = [
        b
        for b in boxes
        if b.y0 >= height * MARGIN
        and b.y1 <= height * (1 - MARGIN)
        and not (b.height > 1.5 * b.width and len(b.text) > 1)  # vertical text: stamps
    ]
    # Text lines (5+ characters) span the text column; a character or two standing outside
    # it is a stamp or a margin note, read one glyph at a time.
    lines = [b for b in body if len(b.text) >= 5]
    if lines:
        left, right = min(b.x0 for b in lines), max(b.x1 for b in lines)
        tol = 0.01 * width
        body = [b for b in body if len(b.text) > 2 or (b.x1 > left - tol and b.x0 < right + tol)]
    split = _gutter(body, width)
    if split is None:
        return "\n".join(_lines(body))
    left_column = [b for b in body if b.x1 <= split]
    right_column = [b for b in body if b.x0 >= split]
    return "\n".join(_lines(left_column) + _lines(right_column))


def ocr_pil(image: Any) -> str:
    import numpy as np

    rgb = image.convert("RGB")
    arr = np.asarray(rgb)[:, :, ::-1]  # RapidOCR works in OpenCV's BGR order
    result, _ = _engine()(arr)
    return layout_text(_boxes(result), rgb.width, rgb.height)


def ocr_image_bytes(data: bytes, limits: ReadLimits) -> str:
    from PIL import Image

    _engine()  # fail fast with the install hint
    with Image.open(io.BytesIO(data)) as im:
        pixels = im.width * im.height
        if pixels > MAX_PIXELS:
            raise LimitExceeded("image pixels", pixels, MAX_PIXELS, "OCR")
        texts = []
        n = getattr(im, "n_frames", 1)  # multi-page TIFF scans
        if n > limits.ocr_max_pages:
            raise LimitExceeded("image pages", n, limits.ocr_max_pages, "OCR_MAX_PAGES")
        for i in range(n):
            im.seek(i)
            texts.append(ocr_pil(im))
    return "\n".join(texts)


def ocr_pdf_pages(data: bytes, pages: list[int], limits: ReadLimits) -> dict[int, str]:
    """OCR text of the given (scanned) pages of a PDF, rendered at 200 dpi."""
    if len(pages) > limits.ocr_max_pages:
        raise LimitExceeded("scanned PDF pages", len(pages), limits.ocr_max_pages, "OCR_MAX_PAGES")
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise _unavailable("scanned PDF: pypdfium2 is not installed") from exc
    _engine()
    out: dict[int, str] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for i in pages:
            page = pdf[i]
            w, h = page.get_size()
            if (w * DPI / 72) * (h * DPI / 72) > MAX_PIXELS:
                raise LimitExceeded(
                    "page pixels at 200 dpi", int(w * h * (DPI / 72) ** 2), MAX_PIXELS, "OCR"
                )
            image = page.render(scale=DPI / 72).to_pil()
            out[i] = ocr_pil(image)
            page.close()
    finally:
        pdf.close()
    return out
